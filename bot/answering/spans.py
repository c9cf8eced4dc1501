"""An answer's lines cut into what each renderer marks up: the clause that answers (`Citation.focus`),
web addresses and e-mail addresses, and plain text between them.

One cutting for every surface, so Slack (mrkdwn), Teams (card Markdown) and the terminal mark the
same words; each renderer only says how a span looks. The text itself is never changed: joining a
line's spans gives the line back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.types import Answer, marker

SpanKind = Literal["plain", "focus", "url", "mail"]

# An address ends before trailing punctuation that belongs to the sentence ("… se https://x.no/r.").
_URL = re.compile(r"https?://[^\s<>«»\"|]+[^\s<>«»\"|.,;:!?)\]]")
_MAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")


@dataclass(frozen=True)
class Span:
    text: str
    kind: SpanKind = "plain"

    @property
    def target(self) -> str:
        """Where a link span points: the address itself, with mailto: for e-mail."""
        return f"mailto:{self.text}" if self.kind == "mail" else self.text


def emphasised(text: str, mark: str) -> str:
    """`text` between `mark`s (Slack's "*", card Markdown's "**"), with its leading and trailing spaces
    outside them: both read «* Overfor …*» as plain text, not bold."""
    core = text.strip()
    if not core:
        return text
    lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()):]
    return f"{lead}{mark}{core}{mark}{trail}"


def addresses(text: str) -> list[str]:
    """The web and e-mail addresses in `text`."""
    return [s.text for s in links(text) if s.kind != "plain"]


def links(text: str, allowed: frozenset[str] | None = None) -> list[Span]:
    """`text` cut into plain text, web addresses and e-mail addresses. With `allowed`, only those
    addresses become link spans (text that may hold the user's words must never gain a link)."""
    found = sorted([(m.start(), m.end(), "url") for m in _URL.finditer(text)]
                   + [(m.start(), m.end(), "mail") for m in _MAIL.finditer(text)])
    out: list[Span] = []
    at = 0
    for start, end, kind in found:
        if start < at or (allowed is not None and text[start:end] not in allowed):
            continue  # an e-mail address inside a URL's query (the URL wins), or an address not ours
        if start > at:
            out.append(Span(text[at:start]))
        out.append(Span(text[start:end], kind))  # type: ignore[arg-type]
        at = end
    if at < len(text) or not out:
        out.append(Span(text[at:]))
    return out


def line_spans(line: str, focus: str = "", allowed: frozenset[str] | None = None) -> list[Span]:
    """One line: its focus (the first occurrence) as one span, links found in the rest."""
    at = line.find(focus) if focus else -1
    if at < 0:
        return links(line, allowed)
    before, after = line[:at], line[at + len(focus):]
    return ([s for s in links(before, allowed) if s.text] + [Span(focus, "focus")]
            + [s for s in links(after, allowed) if s.text])


def answer_lines(answer: Answer) -> list[list[Span]]:
    """Every line of the answer's text as spans. A citation's focus is looked for only on the line that
    carries its marker ("… [b]"), so a sentence two sources share is marked where the answer meant it."""
    focus_of = {f"[{marker(i)}]": c.focus for i, c in enumerate(answer.citations) if c.focus}
    # Links: the bot's own addresses, and those in the documents' text; never one the user typed.
    allowed = frozenset(answer.links) | frozenset(a for c in answer.citations for a in addresses(c.text))
    out = []
    for line in answer.text.split("\n"):
        tail = line.rstrip()
        focus = next((f for m, f in focus_of.items() if tail.endswith(m)), "")
        out.append(line_spans(line, focus, allowed))
    return out

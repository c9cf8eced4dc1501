"""The terminal renderer: an Answer as text for `omstillingsbot ask` and `omstillingsbot chat`.

The clause that answers (`Citation.focus`) is emphasised: ANSI bold on a terminal, *…* in a pipe
or a file. On a terminal the chat wraps at the screen's width between words (a word longer than
the line is left whole: the terminal breaks it, never this code). The sources use the answer's
letter markers, and the next steps are one numbered line the chat user can answer with a number.
"""

from __future__ import annotations

import shutil
from typing import Literal

from bot import messages
from bot.answering.spans import Span, answer_lines
from bot.types import Answer, marker

Emphasis = Literal["stars", "ansi"]
_BOLD, _RESET = "\033[1m", "\033[0m"


def terminal_width() -> int:
    return max(20, shutil.get_terminal_size((80, 24)).columns)


def _words(spans: list[Span]) -> list[list[tuple[str, bool]]]:
    """The line as words, each a list of (text, emphasised) runs: a word may start outside the focus
    and end inside it («Overfor …)."""
    words: list[list[tuple[str, bool]]] = [[]]
    for span in spans:
        parts = span.text.split(" ")
        for n, part in enumerate(parts):
            if n:
                words.append([])
            if part:
                words[-1].append((part, span.kind == "focus"))
    return [w for w in words if w]


def _show(word: list[tuple[str, bool]], emphasis: Emphasis) -> str:
    on, off = (_BOLD, _RESET) if emphasis == "ansi" else ("*", "*")
    return "".join(f"{on}{text}{off}" if strong else text for text, strong in _merge(word))


def _merge(word: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    out: list[tuple[str, bool]] = []
    for text, strong in word:
        if out and out[-1][1] == strong:
            out[-1] = (out[-1][0] + text, strong)
        else:
            out.append((text, strong))
    return out


def _line(spans: list[Span], emphasis: Emphasis, width: int | None) -> list[str]:
    """One line of the answer, emphasised, wrapped to `width` (None: not wrapped). Emphasis runs over
    word gaps: a focus of several words is one bold stretch, or one *…* pair."""
    words = _words(spans)
    if not words:
        return [""]
    rows: list[list[list[tuple[str, bool]]]] = [[]]
    length = 0
    for word in words:
        size = sum(len(t) for t, _ in word)
        if width is not None and rows[-1] and length + 1 + size > width:
            rows.append([])
            length = 0
        length += size + (1 if rows[-1] else 0)
        rows[-1].append(word)
    out = []
    for row in rows:
        runs: list[tuple[str, bool]] = []
        for n, word in enumerate(row):
            if n:
                gap_strong = runs[-1][1] and word[0][1]
                runs.append((" ", gap_strong))
            runs += word
        out.append(_show(runs, emphasis))
    return out


def render(answer: Answer, *, emphasis: Emphasis = "stars", width: int | None = None) -> str:
    """The answer, its sources ([a] label · source) and its next steps (1) … 2) …)."""
    lines: list[str] = []
    for spans in answer_lines(answer):
        lines += _line(spans, emphasis, width)
    if answer.citations:
        lines.append("")
        for n, c in enumerate(answer.citations):
            source = f"[{marker(n)}] {c.label} · {c.source}" + (f", side {c.page}" if c.page else "")
            lines += _line([Span(source)], emphasis, width)
    if answer.suggestions:
        steps = "  ".join(f"{n}) {s.label}" for n, s in enumerate(answer.suggestions, start=1))
        lines += _line([Span(f"{messages.text('next_steps_prompt', answer.lang)} {steps}")], emphasis, width)
    return "\n".join(lines)

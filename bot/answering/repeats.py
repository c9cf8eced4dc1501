"""No repetition: a unit quoted in full a turn or two ago is referred to, not quoted again.

Its line becomes «Som sitert over (Anbefaling 2): «the sentence that answers» [a]»: the citation stays
(the source list, the feedback store and the evaluation see the same answer), only the text is short.
A command («anbefaling 2»), a unit picked from a list («den tredje») and a question that asks to see
it again («vis», «gjenta», «show») always get the whole unit. `Turn.full` (bot/answering/conversation.py) remembers which units a turn quoted in full.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from bot import messages
from bot.answering.compose import is_answer_line
from bot.answering.scope import short_label
from bot.types import Answer, marker
from retrieval.chunking import sentences

_WORD = re.compile(r"[a-zæøåéèüäö]+")


def asks_again(text: str, words: Iterable[str]) -> bool:
    """«vis anbefaling 2», «gjenta det», «show it again»: the user wants the text itself."""
    wanted = set(words)
    return any(word in wanted for word in _WORD.findall(text.lower()))


def excerpt(text: str, focus: str, label: str = "") -> str:
    """What a reference quotes: the clause that answers, else the unit's first sentence that says
    more than its heading (a challenge opens with its own title: «For defensivt?»)."""
    if focus:
        return focus
    found = [s.strip() for s in sentences(text) if s.strip()]
    saying = [s for s in found if s.rstrip(".?!") not in label]
    return (saying or found or [text])[0]


def brief(answer: Answer, shown: set[str]) -> tuple[Answer, tuple[str, ...]]:
    """The answer with units in `shown` referred to briefly, and the ids it still quotes in full."""
    if answer.kind != "answer" or not answer.citations:
        return answer, tuple(c.id for c in answer.citations)
    lines = answer.text.split("\n")
    full: list[str] = []
    for i, citation in enumerate(answer.citations):
        mark = f"[{marker(i)}]"
        at = next((n for n, line in enumerate(lines) if is_answer_line(line, citation.text, mark)), None)
        if at is None:
            continue
        if citation.id not in shown:
            full.append(citation.id)
            continue
        quote = excerpt(citation.text, citation.focus, citation.label)
        lines[at] = messages.text("as_above", answer.lang, label=short_label(citation.label), quote=quote) + f" {mark}"
    return replace(answer, text="\n".join(lines)), tuple(full)

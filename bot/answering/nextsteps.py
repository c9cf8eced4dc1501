"""The next questions offered under a reply (`Answer.suggestions`), the same on every surface: the
units of a listing by number; "why?", "more" and the whole list after one unit; the two lists after
help or the facts about the report. (A refusal's and small talk's own next steps are made where they are.) Each surface draws them as buttons that ask `NextStep.ask`."""

from __future__ import annotations

from bot import messages
from bot.types import Answer, NextStep
from retrieval.chunking import keyless
from retrieval.documents import ABOUT_KEY

MAX_NEXT_STEPS = 4


def _step(label_key: str, ask_key: str, lang, **values) -> NextStep:
    return NextStep(messages.text(label_key, lang, **values), messages.text(ask_key, lang, **values))


def next_steps(answer: Answer) -> tuple[NextStep, ...]:
    lang = answer.lang
    recommendations = _step("quick_all_recommendations", "quick_all_recommendations_cmd", lang)
    challenges = _step("quick_all_challenges", "quick_all_challenges_cmd", lang)
    keys = [cit.id.rsplit("#", 1)[-1] for cit in answer.citations]
    if answer.kind not in ("answer", "listing") or answer.abstained or not keys or set(keys) == {ABOUT_KEY}:
        # Nothing to ask "why?" about: the facts about the report are not a claim of the report's.
        return (recommendations, challenges)
    numbered = {prefix: sorted(int(k[1:]) for k in keys if k[:1] == prefix and k[1:].isdigit()) for prefix in "AU"}
    for prefix, word in (("A", "recommendation"), ("U", "challenge")):
        if len(numbered[prefix]) > 1:
            return tuple(_step(f"quick_{word}", f"quick_{word}_cmd", lang, n=n)
                         for n in numbered[prefix][:MAX_NEXT_STEPS])
    follow = (_step("quick_why", "quick_why", lang), _step("quick_more", "quick_more", lang))
    if all(keyless(cit.id) or key == ABOUT_KEY for cit, key in zip(answer.citations, keys)):
        # Passages of a long document (ids by content hash): the summary's lists are another document's.
        return follow
    return follow + (challenges if numbered["U"] and not numbered["A"] else recommendations,)

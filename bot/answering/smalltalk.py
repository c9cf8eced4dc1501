"""Small talk: greetings, thanks, goodbyes, "who are you?", "what can you do?" in bokmål, nynorsk and English.

A message is small talk only when it is nothing but such phrases (plus a few fillers such as
"og", "så", "ok"): "hei, hva sier anbefaling 2?" is a question and goes to the engine. A greeting
with the asker introducing themselves and asking nothing ("God dag. Eg er direktør i eit
underliggjande direktorat.") is a greeting too: its words are about the asker, not the report. The reply
is short, in the user's language, never a refusal and never report content; all but goodbyes
offer two or three questions the user could ask, as next steps. The phrases live in bot/answering/dialogue.json.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from typing import Literal

from bot import messages
from bot.answering.compose import plain
from bot.types import Answer, Lang, NextStep

Category = Literal["greeting", "thanks", "bye", "who", "what", "sign"]
# When a message holds several (e.g. "takk, ha det"), the reply answers the one that matters most.
PRIORITY: tuple[Category, ...] = ("bye", "what", "who", "thanks", "greeting")

_TOKEN = re.compile(r"[a-zæøåéèüäö']+")
_TOKEN_CHAR = re.compile(r"[a-zæøåéèüäö'0-9]", re.IGNORECASE)


@dataclass(frozen=True)
class SmallTalk:
    category: Category
    lang: Lang


@lru_cache(maxsize=1)
def _phrases() -> tuple[dict[tuple[str, ...], list[tuple[Category, Lang]]], frozenset[str], int]:
    data = json.loads(resources.files("bot.answering").joinpath("dialogue.json").read_text(encoding="utf-8"))["smalltalk"]
    table: dict[tuple[str, ...], list[tuple[Category, Lang]]] = {}
    for category, by_lang in data.items():
        if category == "fillers":
            continue
        for lang, phrases in by_lang.items():
            for phrase in phrases:
                table.setdefault(tuple(_TOKEN.findall(phrase.lower())), []).append((category, lang))
    longest = max(len(p) for p in table)
    return table, frozenset(data["fillers"]), longest


@dataclass(frozen=True)
class _Introductions:
    starts: dict[tuple[str, ...], Lang]
    question_words: frozenset[str]


@lru_cache(maxsize=1)
def _introductions() -> _Introductions:
    data = json.loads(resources.files("bot.answering").joinpath("dialogue.json").read_text(encoding="utf-8"))
    starts = {tuple(_TOKEN.findall(p.lower())): lang for lang, phrases in data["smalltalk_introductions"].items()
              for p in phrases}
    return _Introductions(starts, frozenset(data["smalltalk_question_words"]))


MAX_INTRODUCTION_WORDS = 30
_SENTENCE_END = re.compile(r"[.!\n]+")


def _introduction(text: str, default_lang: Lang) -> SmallTalk | None:
    """A greeting and a self-introduction, with no question: each sentence a greeting, a greeting and
    «jeg er …»/«eg er …»/«I am …», or only the latter; at least one of each; no question mark, no question word."""
    intro = _introductions()
    words = _TOKEN.findall(text.lower())
    if "?" in text or not words or len(words) > MAX_INTRODUCTION_WORDS or intro.question_words & set(words):
        return None
    table, _, longest = _phrases()
    greeted: Lang | None = None
    introduced: Lang | None = None
    for sentence in (s for s in _SENTENCE_END.split(text) if s.strip()):
        tokens = _TOKEN.findall(sentence.lower())
        size = next((n for n in range(min(longest, len(tokens)), 0, -1)
                     if any(c == "greeting" for c, _ in table.get(tuple(tokens[:n]), ()))), 0)
        if size:
            greeted = greeted or next(lg for c, lg in table[tuple(tokens[:size])] if c == "greeting")
        rest = tokens[size:]
        if not rest:
            continue
        lang = next((lg for start, lg in intro.starts.items() if tuple(rest[:len(start)]) == start), None)
        if lang is None:
            return None
        introduced = introduced or lang
    if greeted is None or introduced is None:
        return None
    return SmallTalk("greeting", introduced)


def classify(text: str, default_lang: Lang = "nb") -> SmallTalk | None:
    """The small-talk category and language of a message made only of small-talk phrases, else None."""
    stripped = text.strip()
    if stripped in ("+", "-"):
        return SmallTalk("sign", default_lang)
    words = _TOKEN.findall(stripped.lower())
    if not words:
        return None
    return _phrases_only(words, default_lang) or _introduction(stripped, default_lang)


def _phrases_only(words: list[str], default_lang: Lang) -> SmallTalk | None:
    """Nothing but small-talk phrases and fillers."""
    if len(words) > 10:
        return None
    table, fillers, longest = _phrases()
    found: list[tuple[Category, Lang]] = []
    i = 0
    while i < len(words):
        for size in range(min(longest, len(words) - i), 0, -1):
            match = table.get(tuple(words[i:i + size]))
            if match:
                found.extend(match)
                i += size
                break
        else:
            if words[i] not in fillers:
                return None
            i += 1
    if not found:
        return None
    categories = {c for c, _ in found}
    category = next(c for c in PRIORITY if c in categories)
    langs = [lang for c, lang in found]
    # A phrase shared by bokmål and nynorsk ("hei", "takk") says nothing about which one: keep the default.
    lang: Lang = default_lang
    if all(lg == "en" for lg in langs):
        lang = "en"
    elif "nn" in langs and "nb" not in langs:
        lang = "nn"
    elif "nb" in langs and "nn" not in langs:
        lang = "nb"
    elif default_lang == "en":
        lang = "nb"
    return SmallTalk(category, lang)


def reply(talk: SmallTalk, question: str) -> Answer:
    """A short friendly reply; not an answer from the report (no citations, no feedback buttons). The
    questions it offers are next steps (buttons on every surface), not lines of text to retype."""
    text = messages.text(f"smalltalk_{talk.category}", talk.lang)
    answer = plain("smalltalk", text, talk.lang, question)
    if talk.category in ("bye", "sign"):
        return answer
    steps = tuple(NextStep(q, q) for q in messages.suggested_questions(talk.lang))
    return replace(answer, suggestions=steps)


def without_greeting(text: str) -> str:
    """The question after a leading greeting: "Hei! Hva sier rapporten om tillit?" is searched as
    "Hva sier rapporten om tillit?". A greeting carries no topic, yet it moves a short question's
    vector towards every other message that starts with one. Only greetings are taken off, and
    only when a question follows; a message that is all small talk is left for `classify`."""
    table, _, longest = _phrases()
    words = list(_TOKEN.finditer(text.lower()))
    if not words or _TOKEN_CHAR.search(text[:words[0].start()]):
        return text
    for size in range(min(longest, len(words)), 0, -1):
        phrase = tuple(w.group(0) for w in words[:size])
        if any(category == "greeting" for category, _ in table.get(phrase, ())):
            return text[words[size - 1].end():].lstrip(" ,.!:;-–") if size < len(words) else text
    return text

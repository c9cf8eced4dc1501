"""The one command parser shared by Slack (`/omstilling …`), Teams (first word of a message) and the CLI.

A message is a command only when its first word is a command word and the rest
fits that command; everything else is a question. So "hjelp" is help, while
"hjelp meg å forstå anbefaling 2" is a question (answered by the engine).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.answering import ordinals

CommandName = Literal[
    "help", "about", "recommendations", "recommendation", "challenges", "challenge", "ask"
]

# Command words, Norwegian (bokmål and nynorsk) first, English aliases after.
# Platform manifests (Slack slash command hint, Teams commandLists) are built from these.
COMMAND_WORDS: dict[str, CommandName] = {
    "hjelp": "help",
    "help": "help",
    "om": "about",
    "about": "about",
    "anbefalinger": "recommendations",
    "anbefalingar": "recommendations",
    "recommendations": "recommendations",
    "anbefaling": "recommendation",
    "recommendation": "recommendation",
    "utfordringer": "challenges",
    "utfordringar": "challenges",
    "challenges": "challenges",
    "utfordring": "challenge",
    "challenge": "challenge",
}

# Commands that take no argument: with trailing words they are questions instead.
_BARE = {"help", "about", "recommendations", "challenges"}
_MAX_ARGUMENT_WORDS = 4  # "anbefaling bygge tillit" is a lookup; a long sentence is a question


@dataclass(frozen=True)
class Command:
    name: CommandName
    argument: str = ""  # a number ("2", "nummer fire") or keyword(s) ("tillit"), or the question for "ask"
    english: bool = False  # the user typed the English alias

    @property
    def number(self) -> int | None:
        """The unit's number when the argument is one ("2", "nummer fire", "nr. 2", "two")."""
        return ordinals.number_alone(self.argument)


_WORD = re.compile(r"^\s*/?([A-Za-zÆØÅæøå]+)[\s:.,!?]*(.*?)\s*$", re.S)
_ENGLISH = {"help", "about", "recommendations", "recommendation", "challenges", "challenge"}


def parse(text: str) -> Command:
    """Classify a message; never raises. An empty text is a request for help."""
    stripped = text.strip()
    if not stripped:
        return Command("help")
    match = _WORD.match(stripped)
    if match:
        word, rest = match.group(1).lower(), match.group(2).strip(" ?!.")
        name = COMMAND_WORDS.get(word)
        english = word in _ENGLISH
        if name in _BARE and not rest:
            return Command(name, english=english)
        if name in ("recommendation", "challenge"):
            if not rest:
                return Command("recommendations" if name == "recommendation" else "challenges", english=english)
            if len(rest.split()) <= _MAX_ARGUMENT_WORDS:
                return Command(name, rest.lstrip("#").lower(), english=english)
    return Command("ask", stripped)

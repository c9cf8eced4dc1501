"""The data that flows from a chat platform through the engine and back.

Every type is a frozen dataclass: adapters build a `Question`, the engine
returns an `Answer`, the feedback store receives `Vote`s. None of them carries
a platform user id, name, e-mail, team, tenant or channel id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Lang = Literal["nb", "nn", "en"]
Platform = Literal["slack", "teams", "web", "cli"]
VoteValue = Literal["up", "down", "none"]

# What kind of reply an Answer is; renderers and the feedback controls use it.
#   answer   - extractive answer with citations
#   abstain  - the report does not cover the question (no citations)
#   listing  - a command result (recommendations, challenges, one unit, about)
#   help     - usage text
#   invalid  - empty, too long or otherwise unusable input
#   smalltalk - a reply to a greeting, thanks, goodbye or a question about the bot (no citations)
AnswerKind = Literal["answer", "abstain", "listing", "help", "invalid", "smalltalk"]


@dataclass(frozen=True)
class Question:
    """One user message, stripped of mentions and platform markup."""

    text: str
    platform: Platform = "cli"
    # True when the text came through a command surface (Slack slash command,
    # Teams command menu): a bare question is then still answered, but an
    # empty text means "show help" rather than "invalid input".
    via_command: bool = False
    # Opaque key of the conversation this message belongs to, made by the adapter (Slack team+channel+
    # thread, Teams conversation id, one per CLI chat session, the web caller's id). Empty: no context.
    # The conversation store only ever keeps an HMAC of it.
    conversation: str = ""


def marker(index: int) -> str:
    """The marker of the `index`-th citation (0-based) in an answer's text and source list: a, b, c …
    Letters, so that they never read as the report's own numbers ("[2]" beside "Anbefaling 1")."""
    return chr(ord("a") + index) if index < 26 else str(index + 1)


@dataclass(frozen=True)
class NextStep:
    """A next question offered under a reply, as a button on every surface: `label` is shown, `ask`
    is what clicking it asks in the same conversation."""

    label: str
    ask: str

    def to_json(self) -> dict:
        return {"label": self.label, "ask": self.ask}


@dataclass(frozen=True)
class Citation:
    id: str  # the chunk id, stable across rebuilds of an unchanged corpus
    label: str  # e.g. "Anbefaling 2 – overfor underliggende virksomheter"
    text: str  # the quoted report text
    source: str  # e.g. "Difi-rapport 2019:3"
    page: int | None = None
    url: str | None = None  # the source document's address (corpus front matter `url:`), when known
    # The sentence or clause of `text` that answers the question (an exact substring; "" when the whole
    # quote does): renderers emphasise it.
    focus: str = ""

    def to_json(self) -> dict:
        return {"id": self.id, "label": self.label, "text": self.text, "source": self.source, "page": self.page,
                "url": self.url, "focus": self.focus}


@dataclass(frozen=True)
class Answer:
    text: str
    citations: tuple[Citation, ...] = ()
    confidence: float = 0.0
    abstained: bool = False
    answer_id: str = ""
    kind: AnswerKind = "answer"
    lang: Lang = "nb"
    question: str = ""  # the question as asked (the feedback store redacts it)
    conversation_id: str = ""  # echoed to HTTP callers that sent one (POST /api/ask, ask --json -)
    # For a follow-up ("hvorfor det?"): the question it followed, so the owners see what it was about.
    # Never sent to clients; the feedback store redacts it like the question.
    follows: str = ""
    suggestions: tuple[NextStep, ...] = ()  # next questions, shown as buttons (bot/answering/nextsteps.py)
    # Web and e-mail addresses in `text` that the bot put there itself (the full report, the contact):
    # renderers make these links, and no other: the rest of the text may echo the user's own words.
    links: tuple[str, ...] = ()
    # Why a refusal refuses, when the engine knows ("DFØ-rapport 2022:4 nevner ikke «Sverige»."): said
    # first, before whatever refusal the surface words around it.
    reason: str = ""

    @property
    def wants_feedback(self) -> bool:
        """Feedback controls go on answers and command results, not on help or errors."""
        return self.kind in ("answer", "abstain", "listing")

    def to_json(self) -> dict:
        """The JSON contract of `omstillingsbot ask --json` and `POST /api/ask`."""
        return {
            "question": self.question,
            "answer": self.text,
            "abstained": self.abstained,
            "confidence": round(self.confidence, 4),
            "citations": [{**c.to_json(), "marker": marker(i)} for i, c in enumerate(self.citations)],
            "answer_id": self.answer_id,
            "kind": self.kind,
            "suggestions": [s.to_json() for s in self.suggestions],
            "links": list(self.links),
            **({"conversation_id": self.conversation_id} if self.conversation_id else {}),
        }


@dataclass(frozen=True)
class Tally:
    up: int = 0
    down: int = 0


@dataclass(frozen=True)
class Vote:
    answer_id: str
    value: VoteValue


@dataclass(frozen=True)
class VoteRequest:
    """A vote as a feedback control carries it (Slack button value, Teams card data): which answer,
    which way, and the language to thank the voter in."""

    answer_id: str
    value: VoteValue
    lang: Lang = "nb"


@dataclass(frozen=True)
class VoteOutcome:
    """What a voter is told: whether the vote was stored, and the new tally."""

    saved: bool
    vote: Vote
    tally: Tally | None = None
    unknown_answer: bool = False
    message: str = field(default="", compare=False)

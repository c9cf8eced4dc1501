"""Follow-up resolution: what a short message means given the conversation so far.

`resolve(state, text, lang)` is a pure function from the conversation state and one message to a
`Resolution`: answer the text as it stands ("ask"), quote given units ("units"), give the reason
behind a unit ("why"), say more about it ("elaborate"), go from a challenge to the recommendation
that answers it or back ("relation"), answer an elliptic topic shift ("shift"), or reply to small
talk. bot/answering/dialogue.py carries the resolution out against the engine.

The principle: a message is a follow-up only when it is short (at most `max_followup_words`) AND
carries a follow-up signal: an ordinal or number without a kind word ("og den andre?", "nummer
tre", "the first one"), a why-word with almost nothing else ("hvorfor det?"), an elaborate-word and
nothing else ("utdyp", "si mer"), a pronoun pointing back ("hva mener de med det?"), or a leading
"og"/"and"/"men"/"hva med" before new words ("og overfor andre departementer?"). Anything else,
however short, is an independent question and is answered on its own: context never bends it.
The signal words are closed classes kept as data in bot/answering/dialogue.json.

An ordinal with an explicit kind word ("den tredje utfordringen", "og nummer to av hovedutfordringene")
needs no context: it resolves to that unit in any conversation, or none (the engine's own ordinal
handling, gives the same unit). Commands ("anbefaling 2") are always left to the engine.
After a refusal there is nothing to point back to: a bare signal ("hvorfor det?") gets a request to
ask the whole question instead of a guess. A bare pronoun question is not a pointer back when it
names one of the corpus's own topic words ("hva sier den om tillit?", `is_topic`), asks a new fact
("hvem ga den ut?") or follows the report's own facts (then "den" is the report).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

from bot.answering import commands
from bot.feedback.base import StoredConversation
from bot.answering.smalltalk import SmallTalk, classify
from bot.types import Lang

TurnKind = Literal["recommendations", "challenges", "unit", "answer", "refusal", "smalltalk", "other"]
Action = Literal["ask", "units", "why", "elaborate", "relation", "shift", "smalltalk", "unclear"]
TargetKind = Literal["recommendation", "challenge"]

MAX_TURNS = 4  # turns kept per conversation; a follow-up only ever looks at the latest cited one
PREFIX_OF_KIND: dict[str, str] = {"recommendation": "A", "challenge": "U"}
KIND_OF_PREFIX: dict[str, str] = {prefix: kind for kind, prefix in PREFIX_OF_KIND.items()}
LISTING_OF_PREFIX: dict[str, TurnKind] = {"A": "recommendations", "U": "challenges"}
GROUP_OF_PREFIX: dict[str, str] = {"A": "H", "U": "U"}

_TOKEN = re.compile(r"#?[a-zæøåéèüäö0-9]+(?:st|nd|rd|th)?")
_NUMBERED = re.compile(r"^([A-Za-z]+)(\d+)$")


@dataclass(frozen=True)
class Turn:
    ids: tuple[str, ...]  # cited chunk ids ("<doc>#A2"), in citation order
    kind: TurnKind
    # The cited units whose whole text the reply quoted (not only referred to): the next replies refer
    # to them instead of quoting them again (bot/answering/repeats.py). Stored since this field came;
    # a turn stored before it has none, so at worst a unit is quoted once more.
    full: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConversationState:
    turns: tuple[Turn, ...] = ()
    lang: Lang = "nb"
    question: str = ""  # the last question answered by retrieval, as resolved ("" if not stored)

    def referent(self) -> Turn | None:
        """The turn a follow-up points back to: the latest one, looking past small talk; None when
        that turn cited nothing (a refusal is not something to follow up on)."""
        for turn in reversed(self.turns):
            if turn.kind in ("smalltalk", "other"):
                continue
            return turn if turn.ids else None
        return None

    def add(self, turn: Turn, lang: Lang, question: str | None) -> ConversationState:
        """The state after one more turn; `question` None keeps the previous resolved question."""
        turns = (*self.turns, turn)[-MAX_TURNS:]
        return ConversationState(turns, lang, self.question if question is None else question)

    def to_stored(self) -> StoredConversation:
        turns = json.dumps([{"ids": list(t.ids), "kind": t.kind, "full": list(t.full)} for t in self.turns],
                           ensure_ascii=False)
        last = self.turns[-1].kind if self.turns else "other"
        return StoredConversation(turns=turns, last_kind=last, lang=self.lang, question=self.question or None)

    @classmethod
    def from_stored(cls, stored: StoredConversation) -> ConversationState:
        turns = tuple(Turn(tuple(t["ids"]), t["kind"], tuple(t.get("full", ()))) for t in json.loads(stored.turns))
        lang = stored.lang if stored.lang in ("nb", "nn", "en") else "nb"
        return cls(turns, lang, stored.question or "")  # type: ignore[arg-type]


@dataclass(frozen=True)
class Resolution:
    action: Action
    text: str = ""  # what to answer, for "ask" and "shift"
    ids: tuple[str, ...] = ()  # the units a follow-up is about
    prefix: str = ""  # with `number`: unit `number` of the kind with this key prefix ("A" -> A2)
    number: int = 0  # 1-based; -1 is the last one
    kind: TargetKind | None = None  # for "relation": the kind of unit asked for
    previous: str = ""  # for "shift": the previous resolved question (and `ids`: what it cited)
    # For "shift": the new part has words the corpus never uses ("og budsjettet?"), so it brings a
    # subject of its own and must not borrow the previous question's to get an answer.
    foreign: bool = False
    smalltalk: SmallTalk | None = None
    # For "units": picked by number or step ("den tredje", "og den neste?"): the user asks to see that
    # unit, so it is quoted in full even if a list just showed it (bot/answering/repeats.py). How a unit
    # is shown, not which: left out of comparisons, so a resolution is the same target either way.
    picked: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class Words:
    """The closed word classes of bot/answering/dialogue.json."""

    max_followup_words: int
    max_content: dict[str, int]
    ordinals: dict[str, int]
    last: frozenset[str]
    cardinals: dict[str, int]
    number_markers: frozenset[str]
    ordinal_articles: frozenset[str]
    ordinal_followers: frozenset[str]
    kinds: dict[str, tuple[str, ...]]
    anaphors: frozenset[str]
    expletive_neighbours: frozenset[str]
    why: frozenset[str]
    elaborate: frozenset[str]
    shift_leads: tuple[tuple[str, ...], ...]
    expletives: frozenset[str] = field(default_factory=frozenset)  # "det"/"it" in "er det", "it is"
    fact_words: tuple[tuple[str, ...], ...] = ()  # "hvem", "når", "how many": a new fact, not the referent
    report_level_keys: frozenset[str] = frozenset()  # units about the report itself: "den" is then the report
    stopwords: frozenset[str] = field(default_factory=frozenset)
    # "this report", "denne rapporten": a demonstrative before a word for the document points at the
    # document, not back at the last answer ("What is this report about?" is a question of its own).
    determiners: frozenset[str] = field(default_factory=frozenset)
    document_nouns: frozenset[str] = field(default_factory=frozenset)
    # "og den neste?", "the previous one": a step from the unit just shown (+1, -1)
    steps: dict[str, int] = field(default_factory=dict)
    # "vis", "gjenta", "show": the user wants a unit's whole text again, not a reference to it
    show_again: frozenset[str] = field(default_factory=frozenset)

    def kind_of(self, token: str) -> str | None:
        for kind, stems in self.kinds.items():
            if any(stem in token for stem in stems):  # compounds: "hovedutfordringene", "sub-recommendation"
                return kind
        return None


@lru_cache(maxsize=1)
def default_words() -> Words:
    data = json.loads(resources.files("bot.answering").joinpath("dialogue.json").read_text(encoding="utf-8"))
    leads = sorted((tuple(p.split()) for p in data["shift_leads"]), key=len, reverse=True)
    return Words(
        max_followup_words=int(data["max_followup_words"]), max_content=dict(data["max_content_words"]),
        ordinals=dict(data["ordinals"]), last=frozenset(data["last"]), cardinals=dict(data["cardinals"]),
        number_markers=frozenset(data["number_markers"]), ordinal_articles=frozenset(data["ordinal_articles"]),
        ordinal_followers=frozenset(data["ordinal_followers"]),
        kinds={k: tuple(v) for k, v in data["kinds"].items()}, anaphors=frozenset(data["anaphors"]),
        expletive_neighbours=frozenset(data["expletive_neighbours"]), why=frozenset(data["why"]),
        elaborate=frozenset(data["elaborate"]), shift_leads=tuple(leads), expletives=frozenset(data["expletives"]),
        fact_words=tuple(tuple(p.split()) for p in data["fact_words"]), stopwords=frozenset(data["stopwords"]),
        report_level_keys=frozenset(data.get("report_level_keys", ())),
        determiners=frozenset(data.get("determiners", ())), document_nouns=frozenset(data.get("document_nouns", ())),
        steps=dict(data.get("steps", {})), show_again=frozenset(data.get("show_again", ())),
    )


@dataclass(frozen=True)
class Relations:
    """How units relate (corpus/relations.json): `because` maps a recommendation to the challenge(s)
    it answers; `more` maps a unit to the paragraph that elaborates it."""

    because: dict[str, tuple[str, ...]] = field(default_factory=dict)
    more: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def answered_by(self, key: str) -> tuple[str, ...]:
        """The recommendations that answer challenge `key` (the `because` map read backwards)."""
        return tuple(rec for rec, reasons in self.because.items() if key in reasons)


RELATIONS_FILE = "relations.json"


def load_relations(corpus_dir: Path) -> Relations:
    """corpus/relations.json if present; without it follow-ups still work, minus why/elaborate links."""
    path = Path(corpus_dir) / RELATIONS_FILE
    if not path.is_file():
        return Relations()
    data = json.loads(path.read_text(encoding="utf-8"))
    return Relations(
        because={k: tuple(v) for k, v in data.get("because", {}).items()},
        more={k: tuple(v) for k, v in data.get("more", {}).items()},
    )


def key_of(chunk_id: str) -> str:
    return chunk_id.rsplit("#", 1)[-1]


def numbered(key: str) -> tuple[str, int] | None:
    """"A2" -> ("A", 2); None for keys that are not numbered units."""
    match = _NUMBERED.match(key)
    return (match.group(1), int(match.group(2))) if match else None


MAX_CONVERSATION_ID = 128


def conversation_id_error(value: object) -> str:
    """Why a caller's conversation id (POST /api/ask, `ask --json -`) is unusable; "" when it is fine."""
    if value is None:
        return ""
    if not isinstance(value, str) or not value or len(value) > MAX_CONVERSATION_ID or not value.isprintable():
        return f"«conversation_id» må være tekst på 1–{MAX_CONVERSATION_ID} tegn."
    return ""


# --- resolution -----------------------------------------------------------------------------------

MAX_ORDINAL_DIGITS = 4  # "anbefaling 3", "#12": a number that names a part of a document is short


def _small_number(token: str) -> int | None:
    """The token as a number when it could name a part ("3", "12"); None otherwise. int() refuses
    over 4,300 digits (a 500 for a question of digits) and "²" though str.isdigit accepts it."""
    if token.isascii() and token.isdigit() and len(token) <= MAX_ORDINAL_DIGITS:
        return int(token)
    return None


def resolve(state: ConversationState | None, text: str, lang: Lang, words: Words | None = None,
            is_topic: Callable[[str], bool] | None = None) -> Resolution:
    """`is_topic(word)` says whether a word is one of the corpus's own topic words ("tillit"): a pronoun
    question about a topic ("hva sier den om tillit?") is then a new question, not a pointer back."""
    words = words or default_words()
    # "hei"/"takk" are both bokmål and nynorsk: in a nynorsk conversation, answer in nynorsk.
    talk = classify(text, state.lang if state is not None and lang == "nb" else lang)
    if talk is not None:
        return Resolution("smalltalk", text=text, smalltalk=talk)
    ask = Resolution("ask", text=text)
    tokens = _TOKEN.findall(text.lower())
    if not tokens or len(tokens) > words.max_followup_words or commands.parse(text).name != "ask":
        return ask  # a command ("anbefaling 2", "utfordringer") means the same in any context
    signals = _Signals.read(tokens, words, is_topic or (lambda word: False))
    if signals.ordinal is not None and signals.kind is not None:
        # "den tredje utfordringen", "og nummer to av hovedutfordringene": the kind is named, no context
        # needed; "hvorfor anbefaling 2?", "utdyp utfordring 3" (the buttons after a list) likewise.
        named: Action = "units"
        if signals.why and signals.content <= words.max_content["why"]:
            named = "why"
        elif signals.elaborate and signals.content <= words.max_content["elaborate"]:
            named = "elaborate"
        return Resolution(named, prefix=PREFIX_OF_KIND[signals.kind], number=signals.ordinal, picked=True)
    referent = state.referent() if state is not None else None
    pointing = _points_back(signals, words)
    if referent is None:
        if pointing and signals.content == 0:
            return Resolution("unclear", text=text)  # "hvorfor det?" with nothing before it to point to
        return _shift_or_ask(signals, text, state, ()) if state is not None else ask
    if signals.step is not None:
        target = _step_target(referent, signals.step, signals.kind)
        return Resolution("units", prefix=target.prefix, number=target.number, picked=True) if target else ask
    if signals.ordinal is not None:
        target = _ordinal_target(referent, signals.ordinal)
        if target is None:
            return ask
        action: Action = "elaborate" if signals.elaborate and signals.content <= words.max_content["elaborate"] else "units"
        return Resolution(action, ids=target.ids, prefix=target.prefix, number=target.number, picked=True)
    if signals.elaborate and signals.content <= words.max_content["elaborate"]:
        return Resolution("elaborate", ids=referent.ids)
    if signals.why and signals.content <= words.max_content["why"]:
        return Resolution("why", ids=referent.ids)
    if signals.anaphor and signals.kind is not None and signals.content <= words.max_content["relation"]:
        return Resolution("relation", ids=referent.ids, kind=signals.kind)  # type: ignore[arg-type]
    about_report = {key_of(i) for i in referent.ids} <= words.report_level_keys
    if (signals.anaphor and signals.kind is None and not signals.fact and not about_report and not signals.topic
            and signals.content <= words.max_content["anaphor"]):
        return Resolution("units", ids=referent.ids)  # after "Om rapporten", "den" is the report: ask as is
    return _shift_or_ask(signals, text, state, referent.ids)


def _shift_or_ask(signals: _Signals, text: str, state: ConversationState, ids: tuple[str, ...]) -> Resolution:
    """An elliptic "og …" with something of its own is a shift from the previous question."""
    if signals.shift and signals.content >= 1:
        return Resolution("shift", text=_strip_lead(text, signals.shift), previous=state.question, ids=ids,
                          foreign=signals.topic < signals.content)
    return Resolution("ask", text=text)


def _points_back(signals: _Signals, words: Words) -> bool:
    """True when the message means nothing without something before it ("hvorfor det?", "utdyp",
    "og den andre?", "hva mener de med det?")."""
    return (
        signals.ordinal is not None
        or (signals.elaborate and signals.content <= words.max_content["elaborate"])
        or (signals.why and signals.content <= words.max_content["why"])
        or (signals.anaphor and not signals.fact and signals.content <= words.max_content["anaphor"])
    )


@dataclass(frozen=True)
class _Target:
    ids: tuple[str, ...] = ()
    prefix: str = ""
    number: int = 0


def _step_target(referent: Turn, step: int, kind: str | None) -> _Target | None:
    """"og den neste?" after one numbered unit: the unit after it (before it for "forrige"), of the
    same kind; after anything else (a listing, several units) "the next" names nothing."""
    found = [n for i in referent.ids if (n := numbered(key_of(i)))]
    if len(found) != 1 or len(referent.ids) != 1:
        return None
    prefix, number = found[0]
    if kind is not None and PREFIX_OF_KIND.get(kind) != prefix:
        return None
    return _Target(prefix=prefix, number=number + step)


def _ordinal_target(referent: Turn, number: int) -> _Target | None:
    """Ordinal n after a listing: unit n of that kind; after one numbered unit: unit n of the same
    kind ("anbefaling 3" … "og nummer to?"); after an answer citing several units: the n-th cited."""
    keys = [key_of(i) for i in referent.ids]
    prefixes = [p[0] for k in keys if (p := numbered(k))]
    if referent.kind in ("recommendations", "challenges"):
        prefix = PREFIX_OF_KIND["recommendation" if referent.kind == "recommendations" else "challenge"]
        return _Target(prefix=prefix, number=number)
    if len(set(prefixes)) == 1 and (len(keys) == 1 or referent.kind == "unit"):
        return _Target(prefix=prefixes[0], number=number)
    if len(referent.ids) > 1:
        index = len(referent.ids) - 1 if number == -1 else number - 1
        return _Target(ids=(referent.ids[index],)) if 0 <= index < len(referent.ids) else None
    return None


@dataclass(frozen=True)
class _Signals:
    ordinal: int | None
    step: int | None  # "neste" +1, "forrige" -1: relative to the unit just shown
    kind: str | None
    why: bool
    elaborate: bool
    anaphor: bool
    shift: tuple[str, ...]
    fact: bool  # asks for a new fact ("hvem ga den ut?"): "den" is then the report, not the last answer
    content: int
    topic: int  # content words that are the corpus's own topic words  # words that are none of the above and not function words: the message's own topic

    @classmethod
    def read(cls, tokens: list[str], w: Words, is_topic: Callable[[str], bool]) -> _Signals:
        used: set[int] = set()
        ordinal = None
        for i, tok in enumerate(tokens):
            prev = tokens[i - 1] if i else ""
            nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
            value = w.ordinals.get(tok, -1 if tok in w.last else None)
            if value is not None and (prev in w.ordinal_articles or not nxt or nxt in w.ordinal_followers
                                      or w.kind_of(nxt)):
                ordinal = value
                used |= {i, i + 1} if nxt in w.ordinal_followers else {i}
                break
            if tok in w.number_markers and nxt:
                number = _small_number(nxt) or w.cardinals.get(nxt)
                if number:
                    ordinal, used = number, used | {i, i + 1}
                    break
            if tok.startswith("#") and (number := _small_number(tok[1:])):
                ordinal, used = number, used | {i}
                break
            if (len(tokens) <= 2 or w.kind_of(prev)) and (number := _small_number(tok)):
                ordinal, used = number, used | {i}  # "nummer 2", or a kind and its number: "anbefaling 2"
                break
        step = None
        for i, tok in enumerate(tokens if ordinal is None else ()):  # an ordinal wins over "neste"
            nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
            if tok in w.steps and (not nxt or nxt in w.ordinal_followers or w.kind_of(nxt)):
                step = w.steps[tok]
                used |= {i, i + 1} if nxt in w.ordinal_followers else {i}
                break
        shift: tuple[str, ...] = ()
        for lead in w.shift_leads:
            if tuple(tokens[:len(lead)]) == lead:
                shift = lead
                used |= set(range(len(lead)))
                break
        kind = None
        why = elaborate = anaphor = False
        for i, tok in enumerate(tokens):
            prev = tokens[i - 1] if i else ""
            nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
            if (found := w.kind_of(tok)) is not None:
                kind, _ = found, used.add(i)
            elif tok in w.why:
                why, _ = True, used.add(i)
            elif tok in w.elaborate or any(tok.startswith(s) for s in ("utdyp", "utdjup", "elaborat")):
                elaborate, _ = True, used.add(i)
            elif tok in w.anaphors:
                used.add(i)
                if tok in w.determiners and nxt in w.document_nouns:
                    continue
                expletive = tok in w.expletives and (prev in w.expletive_neighbours or nxt in w.expletive_neighbours)
                anaphor = anaphor or not expletive
        fact = any(tuple(tokens[i:i + len(f)]) == f for f in w.fact_words for i in range(len(tokens)))
        own = [tok for i, tok in enumerate(tokens) if i not in used and tok not in w.stopwords]
        return cls(ordinal, step, kind, why, elaborate, anaphor, shift, fact, len(own), sum(map(is_topic, own)))


def _strip_lead(text: str, lead: tuple[str, ...]) -> str:
    """The message without its leading "og"/"and"/"hva med": what is new in it."""
    pattern = r"^\W*" + r"\W+".join(re.escape(word) for word in lead) + r"\b\W*"
    stripped = re.sub(pattern, "", text, count=1, flags=re.IGNORECASE).strip()
    return stripped[:1].upper() + stripped[1:] if stripped else text

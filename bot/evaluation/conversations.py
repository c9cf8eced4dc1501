"""`omstillingsbot eval FILE` on a conversations file (lines with "turns"; see shared/eval/README.md).

Each conversation is sent turn by turn through the same ChatService the adapters use (engine,
follow-up resolution, conversation state in a throw-away SQLite store), with one conversation id
per conversation. A turn's `expect` is one of:
  cites_any       - the first citation contains one of the phrases;
  cites_any_top3  - one of the first three citations does;
  abstain         - the bot says the report does not cover it and cites nothing;
  smalltalk       - a reply with no citations that is no refusal.
Reported: turn accuracy, accuracy on later turns (2nd and after), accuracy per kind, and misses.
Every later turn is also asked alone, in a fresh conversation: a turn that is right alone but wrong
in its conversation is a context leak (context bent an answer), and one that is wrong alone but right
in its conversation is a turn the context resolved.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import uuid
from collections import Counter
from pathlib import Path

from bot.evaluation.evaluate import hit_at
from bot.settings import Settings
from bot.types import Answer, Question

KINDS = ("cites_any", "cites_any_top3", "abstain", "smalltalk")


def is_conversation_file(path: str | Path) -> bool:
    """True when the file's first object has "turns" (a question set has "q" instead)."""
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            return "turns" in json.loads(line)
    return False


def kind_of(expect: dict) -> str:
    return next(k for k in KINDS if k in expect)


def turn_ok(answer: Answer, expect: dict) -> bool:
    kind = kind_of(expect)
    if kind == "cites_any":
        return not answer.abstained and hit_at(answer, expect["cites_any"], 1)
    if kind == "cites_any_top3":
        return not answer.abstained and hit_at(answer, expect["cites_any_top3"], 3)
    if kind == "abstain":
        return answer.abstained and not answer.citations
    return not answer.citations and not answer.abstained and answer.kind not in ("abstain", "invalid")


def evaluate_conversations(settings: Settings, engine, path: str | Path) -> dict:
    from bot.runtime import build_service

    conversations = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    with tempfile.TemporaryDirectory(prefix="omstillingsbot-eval-") as tmp:
        # A private store: evaluation never touches the deployment's feedback or conversations.
        service = build_service(settings.with_(data_dir=Path(tmp), database_url="", feedback_secret="eval"), engine)
        try:
            return asyncio.run(_run(service, conversations))
        finally:
            service.close()


async def _run(service, conversations: list[dict]) -> dict:
    total, right = Counter(), Counter()
    misses: list[dict] = []
    leaks: list[dict] = []
    resolved = 0
    for conv in conversations:
        conversation = f"eval-{conv.get('id', '')}-{uuid.uuid4().hex}"
        for n, turn in enumerate(conv["turns"]):
            answer = await service.respond(Question(turn["user"], platform="cli", conversation=conversation))
            kind = kind_of(turn["expect"])
            ok = turn_ok(answer, turn["expect"])
            for bucket in ("all", kind, "later" if n else "first"):
                total[bucket] += 1
                right[bucket] += ok
            if n:
                alone = await service.respond(Question(turn["user"], platform="cli", conversation=uuid.uuid4().hex))
                alone_ok = turn_ok(alone, turn["expect"])
                resolved += ok and not alone_ok
                if alone_ok and not ok:
                    leaks.append({"id": conv.get("id", ""), "turn": n + 1, "user": turn["user"]})
            if not ok:
                misses.append({"id": conv.get("id", ""), "turn": n + 1, "user": turn["user"], "expect": kind,
                               "got": "abstained" if answer.abstained else answer.kind,
                               "cited": [c.label for c in answer.citations[:3]]})
    return {
        "conversations": len(conversations),
        "turns": total["all"],
        "accuracy": right["all"] / total["all"] if total["all"] else None,
        "later_turns": total["later"],
        "later_accuracy": right["later"] / total["later"] if total["later"] else None,
        "by_kind": {k: {"right": right[k], "turns": total[k]} for k in KINDS if total[k]},
        "resolved_by_context": resolved,
        "context_leaks": leaks,
        "misses": misses,
    }


def format_report(report: dict, label: str) -> str:
    def pct(value: float | None) -> str:
        return "–" if value is None else f"{value:.2f}"

    lines = [
        f"Embedder: {label}   samtaler: {report['conversations']}   turer: {report['turns']}",
        f"riktige turer:         {pct(report['accuracy'])}",
        f"senere turer:          {pct(report['later_accuracy'])}  ({report['later_turns']} turer etter den første)",
    ]
    lines += [f"  {kind:<20} {v['right']}/{v['turns']}" for kind, v in report["by_kind"].items()]
    lines.append(f"løst av konteksten:    {report['resolved_by_context']}  (senere turer som er feil alene, riktige i samtalen)")
    lines.append(f"kontekstlekkasjer:     {len(report['context_leaks'])}  (senere turer som er riktige alene, feil i samtalen)")
    lines += [f"  - {x['id']} tur {x['turn']}: {x['user']}" for x in report["context_leaks"]]
    if report["misses"]:
        lines.append("Bom:")
        lines += [f"  - {m['id']} tur {m['turn']}: {m['user']}  [ventet {m['expect']}; fikk {m['got']}; "
                  f"siterte: {', '.join(m['cited']) or 'ingenting'}]" for m in report["misses"]]
    return "\n".join(lines)

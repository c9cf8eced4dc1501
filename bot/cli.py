"""`omstillingsbot` command line: ask, chat, index, eval, serve, feedback, teams-package,
and the operator commands purge, backup, restore, migrate-store (bot/operations.py).

`main()` is the only place that reads the environment (Settings.from_env) and sets up logging.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
import uuid
from pathlib import Path
from collections.abc import Sequence
from dataclasses import replace

from bot.settings import Settings
from bot.types import Answer, Question

log = logging.getLogger("omstillingsbot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="omstillingsbot", description="Svar fra Difi-rapport 2019:3, med kilder.")
    parser.add_argument("--embedder", help="e5 (standard), minilm, eller st:<modellnavn eller sti>")
    sub = parser.add_subparsers(dest="command", required=True)
    ask = sub.add_parser("ask", help="still ett spørsmål (eller '-' for ett spørsmål per linje på stdin)")
    ask.add_argument("question", nargs="+")
    ask.add_argument("--json", action="store_true", help="ett JSON-objekt per linje")
    chat = sub.add_parser("chat", help="interaktiv samtale; '+' / '-' gir tilbakemelding på forrige svar")
    chat.add_argument("--verbose", action="store_true",
                      help="vis logglinjer i terminalen (ellers skrives advarsler til chat.log i datamappen)")
    index = sub.add_parser("index", help="bygg indeksen (gjenbrukes når korpus og embedder er uendret)")
    index.add_argument("--rebuild", action="store_true")
    index.add_argument("--seed", action="store_true",
                       help="bygg på nytt og legg vektorene i korpusmappen, så en ny klone slipper å regne dem ut")
    evaluate = sub.add_parser("eval", help="mål treffsikkerhet og avståelse på et spørsmålssett")
    evaluate.add_argument("file", nargs="*")
    evaluate.add_argument("--json", action="store_true")
    evaluate.add_argument("--mode", choices=("hybrid", "dense", "lexical"), default="hybrid",
                          help="rangér med begge søkene (standard), bare FAISS, eller bare BM25")
    evaluate.add_argument("--plot", metavar="FIL.png", help="tegn svar/avstå-kurven og pålitelighetsdiagrammet")
    evaluate.add_argument("--compare", action="store_true",
                          help="motoren ved siden av oppskriften 500/50-tegn + e5 + topp-3, bare tett og bare BM25")
    evaluate.add_argument("--library", metavar="MAPPE", action="append", type=Path,
                          help="dokumenter med questions-<navn>.jsonl ved siden av: legg dem ved korpuset og mål "
                               "hvert uten at modellen har sett dets spørsmål (leave-one-document-out)")
    evaluate.add_argument("--cv", action="store_true",
                          help="kryssvalidert på korpusets egne merkede spørsmål (corpus/questions), per fil og type")
    transfer = sub.add_parser("transfer", help="skriv radene umerkede dokumenter rangeres og avvises etter, fra "
                                               "rapporter med blinde spørsmål (retrieval/transfer.npz)")
    transfer.add_argument("library", metavar="MAPPE", nargs="+", type=Path)
    serve = sub.add_parser("serve", help="start HTTP-serveren (API, Slack og Teams)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    # "+" as prefix so every option (--csv, --plot …) falls through to the report's own parser.
    feedback = sub.add_parser("feedback", help="rapport over tilbakemeldinger", add_help=False, prefix_chars="+")
    feedback.add_argument("rest", nargs=argparse.REMAINDER)
    teach = sub.add_parser("teach", help="lær boten et spørsmål: knytt det til en del av rapporten (A2, U3 eller en "
                                         "dels id), none (dekkes ikke) eller ignore; gjelder med én gang for alle "
                                         "instanser som deler databasen. --export skriver alt som er lært inn i korpuset")
    teach.add_argument("question", nargs="?")
    teach.add_argument("key", nargs="?", metavar="del")
    teach.add_argument("--export", action="store_true",
                       help="skriv lærte spørsmål inn i korpusfilene som eksempelspørsmål (under delens overskrift)")
    package = sub.add_parser("teams-package", help="lag Teams-apppakken (zip) for opplasting")
    package.add_argument("--out", default="omstillingsbot-teams.zip", metavar="FIL.zip",
                         help="hvor zip-filen skrives (standard omstillingsbot-teams.zip; en mappe: filen i den)")
    package.add_argument("--public-url", default="", help="botens offentlige adresse (fyller validDomains)")
    # Each flag overrides its OMSTILLINGSBOT_TEAMS_* setting; unset flags keep the setting's value.
    for flag, setting, what in _PACKAGE_FLAGS:
        package.add_argument(flag, dest=setting, metavar="VERDI", help=f"{what} (ellers {_env_name(setting)})")
    from bot.operations import add_commands

    add_commands(sub)
    return parser


_PACKAGE_FLAGS = (
    ("--developer-name", "teams_developer_name", "utgiveren som Teams viser (maks 32 tegn)"),
    ("--website-url", "teams_website_url", "utgiverens nettside (https)"),
    ("--privacy-url", "privacy_url", "personvernerklæringen (https)"),
    ("--terms-url", "teams_terms_url", "bruksvilkårene (https)"),
    ("--app-version", "teams_app_version", "appversjon MAJOR.MINOR.PATCH; øk den for hver oppdatering"),
    ("--short-description", "teams_short_description", "kort beskrivelse (maks 80 tegn)"),
    ("--long-description", "teams_long_description", "lang beskrivelse (maks 4000 tegn)"),
)


def _env_name(setting: str) -> str:
    return "OMSTILLINGSBOT_" + setting.upper()  # privacy_url -> OMSTILLINGSBOT_PRIVACY_URL


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except ValueError as exc:  # SettingsError and other malformed values: say which, without a traceback
        print(exc, file=sys.stderr)
        return 2
    if args.embedder:
        settings = settings.with_(embedder=args.embedder)
    if getattr(args, "host", None):
        settings = settings.with_(host=args.host)
    if getattr(args, "port", None):
        settings = settings.with_(port=args.port)
    if args.command == "chat" and not args.verbose:
        _quiet_logging(settings)
    else:
        logging.basicConfig(level=settings.log_level, stream=sys.stderr,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Third-party chatter that says nothing a user can act on (which SIMD build of FAISS loaded, …).
    for noisy in ("faiss.loader", "sentence_transformers", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    handler = _COMMANDS[args.command]
    from bot.runtime import StartupError

    try:
        return handler(settings, args) or 0
    except StartupError as exc:  # a clear message and a non-zero exit, never a live process that cannot answer
        print(f"omstillingsbot kunne ikke starte: {exc}", file=sys.stderr)
        return 2


CHAT_LOG = "chat.log"


def _quiet_logging(settings: Settings) -> None:
    """The terminal chat keeps its screen for the conversation: warnings and errors go to
    <data dir>/chat.log, nothing below WARNING is kept (--verbose logs to the terminal instead)."""
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(settings.data_dir / CHAT_LOG, encoding="utf-8")
    except OSError:
        handler = logging.NullHandler()
    logging.basicConfig(level=logging.WARNING, handlers=[handler],
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _engine(settings: Settings, rebuild: bool = False, mode: str = "hybrid", write_seed: bool = False):
    from bot.runtime import build_engine

    return build_engine(settings, rebuild=rebuild, mode=mode, write_seed=write_seed)


def _ask(settings: Settings, args) -> int:
    """One question, or one per stdin line; with --json a line may also be a JSON object
    {"question": …, "conversation_id": …} so that follow-ups are answered in their conversation."""
    from bot.runtime import build_service

    service = build_service(settings)
    if args.question == ["-"]:
        lines = (line.rstrip("\n") for line in sys.stdin)
    else:
        lines = iter([" ".join(args.question)])

    async def run() -> None:
        for line in lines:
            question, error = _ask_line(line, args.json)
            if error:
                print(json.dumps({"error": error}, ensure_ascii=False), flush=True)
                continue
            answer = await service.respond(question)
            if question.conversation:
                answer = replace(answer, conversation_id=question.conversation)
            print(json.dumps(answer.to_json(), ensure_ascii=False) if args.json else render_text(answer), flush=True)

    try:
        asyncio.run(run())
    finally:
        service.close()
    return 0


def _ask_line(line: str, json_lines: bool) -> tuple[Question, str]:
    from bot.answering.conversation import conversation_id_error

    if json_lines and line.lstrip().startswith("{"):
        try:
            payload = json.loads(line)
        except ValueError:
            payload = None
        if isinstance(payload, dict) and isinstance(payload.get("question"), str):
            error = conversation_id_error(payload.get("conversation_id"))
            return Question(payload["question"], platform="cli", conversation=payload.get("conversation_id") or ""), error
    return Question(line, platform="cli"), ""


def render_text(answer: Answer, *, tty: bool = False) -> str:
    """Readable terminal rendering (bot/terminal.py): on a terminal bold and wrapped at its width."""
    from bot import terminal

    if tty:
        return terminal.render(answer, emphasis="ansi", width=terminal.terminal_width())
    return terminal.render(answer)


def _chat(settings: Settings, args) -> int:
    from bot import messages
    from bot.runtime import build_service

    log_file = settings.data_dir / CHAT_LOG
    logged_before = log_file.stat().st_size if log_file.exists() else 0
    service = build_service(settings)
    print(messages.text("chat_welcome"))
    if not args.verbose and log_file.exists() and log_file.stat().st_size > logged_before:
        print(messages.text("chat_log_file", path=log_file))  # start-up wrote a warning there
    print()
    session = uuid.uuid4().hex  # one conversation per chat session: follow-ups ("hvorfor det?") use it
    last: Answer | None = None
    shown: Answer | None = None  # the latest reply, whose numbered next steps a typed number picks
    tty = sys.stdout.isatty()
    while True:
        try:
            text = input("> ").strip()
        except EOFError:
            break
        if not text:
            break
        if text in ("+", "-") and last is not None and last.answer_id:
            outcome = asyncio.run(service.vote("cli", last.answer_id, "terminal", "up" if text == "+" else "down", last.lang))
            print(outcome.message)
            continue
        if text.isdigit() and shown is not None and 1 <= int(text) <= len(shown.suggestions):
            text = shown.suggestions[int(text) - 1].ask  # the number of one of the next steps shown
        answer = asyncio.run(service.respond(replace(chat_question(text), conversation=session)))
        if answer.answer_id:  # «+»/«-» vote on the last answer that can be voted on (not on small talk)
            last = answer
        shown = answer
        print(render_text(answer, tty=tty) + "\n")
    service.close()
    return 0


def chat_question(text: str) -> Question:
    """A line typed in the terminal chat; "/omstilling …" is taken as in Slack (a command surface)."""
    from bot.slack.constants import SLASH_COMMAND

    word, _, rest = text.partition(" ")
    if word.lower() == SLASH_COMMAND:
        return Question(rest.strip(), platform="cli", via_command=True)
    return Question(text, platform="cli")


def _index(settings: Settings, args) -> int:
    from bot import messages

    started = time.perf_counter()
    print(messages.text("index_first_build", corpus=settings.corpus_dir), flush=True)
    engine = _engine(settings, rebuild=args.rebuild or args.seed, write_seed=args.seed)
    print(f"Indeks klar: {len(engine.retriever.chunks)} biter fra {settings.corpus_dir} "
          f"({settings.embedder}) på {time.perf_counter() - started:.1f} s, lagret i {settings.index_dir}")
    return 0


def _transfer(settings: Settings, args) -> int:
    from bot.evaluation.library import write_transfer

    rows = write_transfer(settings, args.library, lambda s: _engine(s))
    print(f"{len(rows.docs)} spørsmål fra {len(set(rows.docs))} dokumenter skrevet til {settings.transfer_file}")
    return 0


def _eval(settings: Settings, args) -> int:
    from bot.evaluation.conversations import is_conversation_file

    if args.library:
        from bot.evaluation.library import evaluate_library, format_library
        from bot.runtime import labelled_questions

        print(format_library(evaluate_library(settings, args.library, lambda s: _engine(s), labelled_questions)))
        return 0
    if args.cv:
        from bot.evaluation.cross_validate import cross_validate, format_cv
        from bot.runtime import load_transfer

        print(format_cv(cross_validate(_engine(settings, mode=args.mode), settings.corpus_dir, load_transfer(settings))))
        return 0
    if not args.file:
        print("Oppgi minst én fil (eller --cv).", file=sys.stderr)
        return 2
    if args.compare:
        from bot.evaluation.compare import compare, format_compare

        print(format_compare(compare(settings, args.file, lambda mode: _engine(settings, mode=mode))))
        return 0
    if len(args.file) > 1:
        for path in args.file:
            print(f"== {path}")
            _eval(settings, argparse.Namespace(**{**vars(args), "file": [path]}))
        return 0
    args.file = args.file[0]
    if is_conversation_file(args.file):
        return _eval_conversations(settings, args)
    from bot.evaluation.evaluate import evaluate, format_report

    engine = _engine(settings, mode=args.mode)
    report = evaluate(engine, args.file)
    if args.plot:
        from bot.evaluation.plot import plot

        print(f"Figur skrevet til {plot(engine, args.file, args.plot)}", file=sys.stderr)
    label = settings.embedder if args.mode == "hybrid" else f"{settings.embedder}, {args.mode} only"
    print(json.dumps(report, ensure_ascii=False, indent=2) if args.json else format_report(report, label))
    return 0



def _eval_conversations(settings: Settings, args) -> int:
    from bot.evaluation.conversations import evaluate_conversations, format_report

    report = evaluate_conversations(settings, _engine(settings, mode=args.mode), args.file)
    label = settings.embedder if args.mode == "hybrid" else f"{settings.embedder}, {args.mode} only"
    print(json.dumps(report, ensure_ascii=False, indent=2) if args.json else format_report(report, label))
    return 0


def _serve(settings: Settings, args) -> int:
    """Answers at once from the index there is, even one of an earlier corpus, and rebuilds beside
    (bot/rebuilds.py); only with no index yet does it build first."""
    from bot import messages
    from bot.runtime import build_engine, build_service
    from bot.server import serve
    from retrieval.index import MANIFEST_FILE

    if not (settings.index_dir / MANIFEST_FILE).exists():
        print(messages.text("index_first_build", corpus=settings.corpus_dir), flush=True)
    return serve(settings, lambda: build_service(settings, build_engine(settings, stale_ok=True)))


def _feedback(settings: Settings, args) -> int:
    from bot.feedback.report import run_report

    rest = list(args.rest)
    if "--suggestions" in rest:
        return _suggestions(settings)
    return run_report(settings, rest)


def _suggestions(settings: Settings) -> int:
    """`feedback --suggestions`: unanswered and voted-down questions, each with what the bot answers now."""
    from bot.feedback import open_store
    from bot.answering.teaching import suggestions

    store = open_store(settings)
    engine = _engine(settings)
    try:
        _apply_lessons(engine, store)
        found = suggestions(store, engine)
    finally:
        store.close()
    for item in found:
        print(f"{item.reason:10}  {item.now or 'ubesvart':30.30}  {item.question}")
    if not found:
        print("Ingen ubesvarte eller nedstemte spørsmål.")
    return 0


def _apply_lessons(engine, store) -> None:
    """The owners' lessons in the store, applied as a serving instance applies them (bot/serving/lessons.py)."""
    from bot.serving.lessons import LessonBook

    engine.learn_all([(lesson.question, lesson.unit) for lesson in LessonBook().fresh(store.lessons())])


def _teach(settings: Settings, args) -> int:
    """Store an owner's lesson in the feedback store (every instance applies it within a second), or
    with --export write the stored lessons into the corpus files."""
    from bot import messages
    from bot.answering import teaching
    from bot.feedback import StoreUnavailable, open_store

    if not args.export and (not args.question or not args.key):
        print(messages.text("teach_usage"), file=sys.stderr)
        return 2
    try:
        if not args.export:
            teaching.check_characters(args.question)  # before the engine is built: refused at once
    except teaching.TeachRefused as exc:
        print(messages.text("teach_failed", error=exc), file=sys.stderr)
        return 2
    store = open_store(settings)
    try:
        engine = _engine(settings)
        if args.export:
            written, kept = teaching.export(store.lessons(), engine, settings.corpus_dir)
            print(messages.text("teach_exported", written=written, kept=kept, corpus=settings.corpus_dir))
            return 0
        store.save_lesson(teaching.lesson(engine, args.question, args.key))
        _apply_lessons(engine, store)
    except (KeyError, ValueError, StoreUnavailable) as exc:
        print(messages.text("teach_failed", error=exc), file=sys.stderr)
        return 2
    finally:
        store.close()
    print(render_text(engine.respond(Question(args.question, platform="cli"))))
    return 0


def _teams_package(settings: Settings, args) -> int:
    from pathlib import Path

    from bot import messages
    from bot.teams.package import build_package

    overrides = {setting: getattr(args, setting) for _, setting, _ in _PACKAGE_FLAGS
                 if getattr(args, setting) is not None}
    settings = settings.with_(**overrides)
    try:
        path = build_package(settings, Path(args.out), public_url=args.public_url)
    except ValueError as exc:  # e.g. MicrosoftAppId missing: the manifest needs the bot's id
        print(messages.text("teams_package_failed", error=exc), file=sys.stderr)
        return 2
    except OSError as exc:  # a folder that cannot be created or written, a file name that is a folder
        print(messages.text("teams_package_unwritable", path=args.out, reason=exc.strerror or type(exc).__name__),
              file=sys.stderr)
        return 2
    print(messages.text("teams_package_written", path=path))
    return 0


_COMMANDS = {
    "ask": _ask, "chat": _chat, "index": _index, "eval": _eval, "transfer": _transfer, "serve": _serve,
    "feedback": _feedback, "teach": _teach, "teams-package": _teams_package,
}


def _operation(name: str):
    def run(settings: Settings, args) -> int:
        from bot.operations import COMMANDS

        return COMMANDS[name](settings, args)

    return run


_COMMANDS.update({name: _operation(name) for name in ("purge", "backup", "restore", "migrate-store")})

if __name__ == "__main__":
    sys.exit(main())

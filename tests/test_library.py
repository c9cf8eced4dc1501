"""A library of documents: a report nobody labelled, dropped beside the summary, is answered from its
own text; the summary keeps its answers; quotes from two reports are never merged; a question that
names a report is answered from it; overview questions work in any document; a taught question takes
effect without a restart; a rebuild re-embeds only what changed."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace

import numpy as np
import pytest

from bot import messages
from bot.answering import overview
from bot.answering.compose import is_fact_sheet
from bot.answering.engine import read_question
from bot.types import Question, marker
from retrieval.answerability import TRANSFER_SIGNATURE, asks_aftermath, contains_any
from retrieval.documents import slug
from retrieval.transfer import TRANSFER_FILE, TransferRows
from retrieval.vector_cache import CACHE_FILE, SEED_FILE, VectorCache
from tests.conftest import ROOT

LIBRARY = ROOT / "tests" / "library"
DOCUMENT = LIBRARY / "dfo-rapport-2022-5.md"
QUESTIONS = LIBRARY / "questions-dfo-2022-5.jsonl"
SUMMARY_SOURCE = "Difi-rapport 2019:3"
LIBRARY_SOURCE = "DFØ-rapport 2022:5"
LIBRARY_DOC = "dfo-rapport-2022-5"


def _items(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def library_settings(base_settings, engine, tmp_path_factory):
    """The product's corpus with one more report in it; the summary engine's vector cache is reused,
    so only the new report's passages are embedded. The shipped rows for documents nobody labelled
    (retrieval/transfer.py) hold this report's blind questions: they are left out, as for any report
    an owner adds."""
    corpus = tmp_path_factory.mktemp("library-corpus")
    shutil.copytree(ROOT / "corpus", corpus, dirs_exist_ok=True)
    shutil.copy(DOCUMENT, corpus / DOCUMENT.name)
    data = tmp_path_factory.mktemp("library-data")
    TransferRows.load(TRANSFER_FILE, TRANSFER_SIGNATURE).without(LIBRARY_DOC).save(data / "transfer.npz")
    settings = base_settings.with_(corpus_dir=corpus, data_dir=data, transfer_file=data / "transfer.npz")
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    cached = base_settings.index_dir / CACHE_FILE
    if cached.exists():
        shutil.copy(cached, settings.index_dir / CACHE_FILE)
    return settings


@pytest.fixture(scope="session")
def library_engine(library_settings):
    from bot.runtime import build_engine

    return build_engine(library_settings)


def ask(engine, text):
    return engine.respond(Question(text, platform="cli"))


def test_a_document_nobody_labelled_is_answered_from_its_own_text(library_engine):
    answerable = [item for item in _items(QUESTIONS) if item["answerable"]]
    answers = [ask(library_engine, item["q"]) for item in answerable]
    refused = sum(a.abstained for a in answers)
    top3 = sum(any(contains_any(c.text, item["expect_any"]) for c in a.citations[:3])
               for a, item in zip(answers, answerable))
    # Measured leave-one-document-out on this document (`omstillingsbot eval --library tests/library`):
    # 5 of 60 refused, recall@3 0.82. Here the model has seen none of its questions either.
    assert refused <= 9, f"{refused} of {len(answerable)} answerable questions refused"
    assert top3 / len(answerable) >= 0.7


def test_a_reports_unanswerable_questions_are_refused_by_a_gate_learned_on_other_reports(library_engine):
    """Fitted on the summary alone, the gate refused 4 of this report's 20 unanswerable questions; fitted
    on other reports' blind questions (its own rows left out), 8 (`eval --library tests/library`)."""
    unanswerable = [item for item in _items(QUESTIONS) if not item["answerable"]]
    refused = sum(ask(library_engine, item["q"]).abstained for item in unanswerable)
    assert refused >= 6, f"{refused} of {len(unanswerable)} unanswerable questions refused"


def test_a_question_unlike_the_labelled_ones_is_ordered_by_the_reranker_of_other_reports(library_engine):
    """Where search lands in a report nobody labelled and the question is unlike the summary's labelled
    ones, the summary's reranker does not order it: the reranker fitted on other reports does. A
    question like the labelled ones is still reranked by the summary's reranker."""
    from retrieval.answerability import CANDIDATES, candidate_rows, speaks, transfer_candidate_rows

    model = library_engine.model
    assert model.unlabelled is not None and model.unlabelled.reranker is not None
    ordered = moved = 0
    # A question that names the report is searched within it (another search): left out here.
    for item in (i for i in _items(QUESTIONS) if LIBRARY_SOURCE not in i["q"]):
        # The summary's floor units are for questions like its labelled ones (retrieval/search.py).
        searched = library_engine.retriever.search(read_question(item["q"]), k=CANDIDATES).without_floor()
        familiar = speaks(model.memory.cosines(searched.query))
        # A question with a name may be searched within the documents that mention it (another search).
        named = any(part.name for part in searched.analysis.parts)
        if searched.hits[0].chunk.doc != LIBRARY_DOC or familiar or named:
            continue
        rows = transfer_candidate_rows(searched, candidate_rows(library_engine.retriever, searched, {}, frozenset()))
        scores = model.unlabelled.reranker.predict(rows)
        expected = [searched.hits[i].chunk.id for i in sorted(range(len(scores)), key=lambda i: (-scores[i], i))]
        assert [h.chunk.id for h in library_engine.search(read_question(item["q"])).hits] == expected, item["q"]
        ordered += 1
        moved += expected != [h.chunk.id for h in searched.hits]
    assert ordered >= 15 and moved > 0


def test_a_search_among_several_documents_hands_on_units_of_the_primary_one(library_engine):
    """The summary's best units reach the reranker even when the added report matches a question
    better word for word; they come last, so a search without them is the search as it was."""
    from retrieval.answerability import CANDIDATES
    from retrieval.search import PRIMARY_FLOOR

    retriever = library_engine.retriever
    floored = 0
    for item in _items(QUESTIONS)[:30]:
        result = retriever.search(read_question(item["q"]), k=CANDIDATES)
        primary = [h for h in result.hits if h.chunk.doc != LIBRARY_DOC]
        assert len(primary) >= PRIMARY_FLOOR
        kept = result.without_floor()
        assert kept.hits == result.hits[:len(result.hits) - result.floor] and kept.floor == 0
        assert all(h.chunk.doc != LIBRARY_DOC for h in result.hits[len(kept.hits):])
        floored += result.floor > 0
    assert floored > 0


def test_the_shipped_rows_for_unlabelled_documents_are_current_and_hold_no_held_aside_report():
    """retrieval/transfer.npz is written by `omstillingsbot transfer` from the development reports; it
    must match the features the engine computes now, and never hold a report kept aside for measuring."""
    rows = TransferRows.load(TRANSFER_FILE, TRANSFER_SIGNATURE)
    assert rows is not None, \
        "run: omstillingsbot transfer tests/library ../shared/eval/library tests/library/dfo-*/ tests/library/difi-*/"
    assert set(rows.docs) == {"dfo-rapport-2022-5", "dfo-rapport-2024-3", "dfo-rapport-2024-7", "dfo-rapport-2023-7",
                              "dfo-rapport-2023-6", "dfo-rapport-2022-4", "dfo-rapport-2024-1", "dfo-rapport-2021-7",
                              "dfo-rapport-2022-6", "dfo-rapport-2023-3", "dfo-rapport-2023-8", "dfo-rapport-2020-9",
                              "dfo-rapport-2021-6", "dfo-rapport-2022-2", "dfo-rapport-2023-1", "difi-rapport-2016-2",
                              "difi-rapport-2018-10"}
    assert len(rows.docs) == 1290
    held_aside = {slug(d.stem) for d in LIBRARY.glob("heldout-*/*.md")}
    assert held_aside and not held_aside & set(rows.docs)


def test_a_question_about_a_report_nobody_labelled_is_not_refused_for_the_summarys_habits(library_engine):
    """The gate for documents nobody labelled reads the search, not the reranker fitted on the summary,
    which gave the report's own opening line a probability of a few per cent."""
    answer = ask(library_engine, f"Når ble {LIBRARY_SOURCE} utgitt?")
    assert not answer.abstained
    assert any("lagt fram i oktober 2022" in c.text for c in answer.citations)


def test_the_summary_keeps_its_answers_when_a_report_is_added(engine, library_engine):
    items = _items(ROOT / "corpus" / "questions" / "dev.jsonl")
    same = hits_before = hits_after = 0
    for item in items:
        before, after = ask(engine, item["q"]), ask(library_engine, item["q"])
        first = lambda a: a.citations[0].id if a.citations else None  # noqa: E731
        same += before.abstained == after.abstained and first(before) == first(after)
        if item["answerable"]:
            hits_before += bool(before.citations) and contains_any(before.citations[0].text, item["expect_any"])
            hits_after += bool(after.citations) and contains_any(after.citations[0].text, item["expect_any"])
    assert hits_after >= hits_before - 1
    assert same >= 0.9 * len(items)


def test_quotes_from_two_reports_are_never_merged_under_one_heading(library_engine):
    from bot.answering.compose import quoted

    chunks = library_engine.retriever.chunks
    summary = next(c for c in chunks if c.source == SUMMARY_SOURCE and c.key == "A2")
    other = next(c for c in chunks if c.source == LIBRARY_SOURCE and not is_fact_sheet(c))
    answer = quoted("Dette sier dokumentene:", [summary, other, summary], "nb", "q", "answer", 1.0,
                    "Fra {source}:")
    lines = answer.text.splitlines()
    assert f"Fra {SUMMARY_SOURCE}:" in lines and f"Fra {LIBRARY_SOURCE}:" in lines
    # Each quote sits under its own document's line, and markers follow the citations' order.
    at = {source: lines.index(f"Fra {source}:") for source in (SUMMARY_SOURCE, LIBRARY_SOURCE)}
    for n, citation in enumerate(answer.citations):
        line = next(i for i, text in enumerate(lines) if text.endswith(f"[{marker(n)}]"))
        own, other_heading = at[citation.source], at[LIBRARY_SOURCE if citation.source == SUMMARY_SOURCE else SUMMARY_SOURCE]
        assert own < line and not (own < other_heading < line)


def test_an_answer_names_the_report_it_quotes(library_engine):
    answer = ask(library_engine, "Hvordan har tilfredsheten med statsforvalteren utviklet seg i kommunene?")
    assert not answer.abstained
    sources = {c.source for c in answer.citations}
    intro = answer.text.splitlines()[0]
    if len(sources) == 1:
        assert next(iter(sources)) in intro
    else:
        assert all(f"Fra {s}:" in answer.text for s in sources)


@pytest.mark.parametrize("text, named", [
    ("Hva sier DFØ-rapport 2022:5 om samordning?", LIBRARY_SOURCE),
    ("Hva sier Difi-rapport 2019:3 om samordning?", SUMMARY_SOURCE),
    # its title in quotes, short words and all; the front matter's title and the heading's longer one
    ("Hva sier rapporten «Færre og bedre» om samordning?", LIBRARY_SOURCE),
    ("Hva sier rapporten om evaluering av statsforvalterstrukturen om samordning?", LIBRARY_SOURCE),
    ("Hva sier «Departementene i førersetet» om samordning?", SUMMARY_SOURCE),
])
def test_a_question_that_names_a_report_is_answered_from_it(library_engine, text, named):
    answer = ask(library_engine, text)
    assert not answer.abstained
    assert {c.source for c in answer.citations} == {named}


def test_who_is_behind_a_report_named_by_its_title_is_answered_from_its_facts(library_engine):
    # Near the summary's labelled «Hvem står bak rapporten?», whose lesson points at the summary's facts.
    answer = ask(library_engine, "Hvem står bak rapporten om evaluering av statsforvalterstrukturen?")
    assert answer.citations[0].source == LIBRARY_SOURCE and "DFØ" in answer.citations[0].text


@pytest.mark.parametrize("text", ["Hvem har skrevet rapporten?", "Hvem har gitt ut rapporten?"])
def test_who_wrote_the_report_with_none_named_quotes_each_documents_facts_or_opening(engine, library_engine, text):
    """With several reports, «rapporten» may be any of them: the facts or opening of the one found first,
    then the others' openings, which name who wrote them; naming one answers from it alone."""
    alone, answer = ask(engine, text), ask(library_engine, text)
    assert [c.source for c in alone.citations] == [SUMMARY_SOURCE]
    assert [c.source for c in answer.citations] == [SUMMARY_SOURCE, LIBRARY_SOURCE]
    assert answer.citations[0].id == alone.citations[0].id and "DFØ" in answer.citations[1].text
    assert answer.text.startswith(messages.text("answer_intro_docs", "nb"))
    named = ask(library_engine, text.replace("rapporten", LIBRARY_SOURCE))
    assert {c.source for c in named.citations} == {LIBRARY_SOURCE}


@pytest.mark.parametrize("text, rest", [
    ("Hvem står bak rapporten om evaluering av statsforvalterstrukturen?", "Hvem står bak rapporten?"),
    ("Hvem står bak rapporten\nom evaluering av statsforvalterstrukturen?", "Hvem står bak rapporten?"),  # a line break
    ("Hva sier DFØ-rapport 2022:5 om samordning?", "Hva sier om samordning?"),
    ("Hva sier rapporten «Færre og bedre» om tillit?", "Hva sier rapporten om tillit?"),
    ("Hva sier rapporten om tillit i kommunene?", "Hva sier rapporten om tillit i kommunene?"),  # a topic, not the title
    ("Hva betyr «bedre styring» her?", "Hva betyr «bedre styring» her?"),  # a quote the title does not hold
])
def test_what_names_the_document_is_left_out_of_the_search(text, rest):
    title = "Færre og bedre · Færre og bedre – en evaluering av statsforvalterstrukturen"
    assert overview.without_name(text, title) == rest


@pytest.mark.parametrize("text", ["Kan du oppsummere rapporten?", "Hva er hovedfunnene?", "Hva konkluderer de med?"])
def test_overview_questions_are_answered_in_the_summary(engine, text):
    answer = ask(engine, text)
    assert not answer.abstained and answer.citations
    assert answer.citations[0].label == "Innledning"


@pytest.mark.parametrize("text, overview", [
    ("Hva er det rapporten handler om?", True), ("Hva handler kapittel 4 om?", True),
    ("Kva er det rapporten handlar om?", True),
    ("Hvilken anbefaling handler om tillit?", False), ("Which recommendation is about trust?", False),
])
def test_about_is_an_overview_only_without_a_topic_after_it(text, overview):
    from bot.answering.overview import is_overview

    assert is_overview(text) is overview


def test_overview_questions_are_answered_in_a_library_document(library_engine):
    answer = ask(library_engine, "Kan du oppsummere DFØ-rapport 2022:5?")
    assert not answer.abstained and answer.citations
    assert {c.source for c in answer.citations} == {LIBRARY_SOURCE}
    assert all(c.label.startswith("Sammendrag") for c in answer.citations)
    assert LIBRARY_SOURCE in answer.text.splitlines()[0]
    # The summary section the question names comes first, chapter number or not ("1 Hovedfunn og vurderinger").
    findings = ask(library_engine, "Hva er hovedfunnene i DFØ-rapport 2022:5?")
    assert findings.citations[0].label.startswith("1 Hovedfunn")
    # Not named: every report's overview, each under its own name.
    both = ask(library_engine, "Hva er hovedfunnene?")
    assert {c.source for c in both.citations} == {SUMMARY_SOURCE, LIBRARY_SOURCE}
    # The room left after each report's first passage holds the next ones, the report's quotes together.
    sources = [c.source for c in both.citations]
    assert len(sources) == 3 and sources == sorted(sources, key=sources.index)
    chapter = ask(library_engine, "Hva handler kapittel 10 i DFØ-rapport 2022:5 om?")
    assert chapter.citations and all(c.label.startswith("10") for c in chapter.citations)


def test_the_refusal_names_the_documents_it_holds(library_engine):
    answer = ask(library_engine, "Hvem vant fotball-VM i 2018?")
    assert answer.abstained and not answer.citations
    assert SUMMARY_SOURCE in answer.text and LIBRARY_SOURCE in answer.text


def test_a_refusal_among_several_documents_links_each_of_them(library_engine, library_settings):
    """Not the summary's report alone: a question about the added report refused with only the 2019
    report's address would send its reader to the wrong document."""
    from bot.runtime import build_dialogue

    dialogue = build_dialogue(library_settings, library_engine)
    refused, _ = dialogue.reply(None, Question("Hvem vant fotball-VM i 2018?", platform="cli", conversation="r"))
    assert refused.abstained and not refused.citations
    lines = refused.text.splitlines()
    urls = {h.source: h.url for h in dialogue.holdings}
    assert urls[SUMMARY_SOURCE] and urls[LIBRARY_SOURCE]
    for source in (SUMMARY_SOURCE, LIBRARY_SOURCE):
        assert f"• {source}: {urls[source]}" in lines
    assert not any(line.startswith(messages.text("refusal_full_report", "nb", url="")) for line in lines)


def test_a_taught_question_takes_effect_without_a_restart(base_settings, tmp_path):
    """A fresh engine (its own memory), taught through the same call the dashboard makes."""
    from bot.runtime import build_engine

    settings = base_settings.with_(data_dir=tmp_path)
    fresh = build_engine(settings)  # the corpus's shipped vectors (SEED_FILE): nothing to embed
    question = "Hva sier rapporten om kaffe på kontoret?"
    before = ask(fresh, question)
    assert before.abstained
    assert fresh.learn(question, "A2")
    after = ask(fresh, question)
    assert not after.abstained and after.citations[0].id.endswith("#A2")
    rephrased = ask(fresh, "Hva står det i rapporten om kaffe på kontoret?")
    assert not rephrased.abstained and rephrased.citations[0].id.endswith("#A2")
    # "Dekkes ikke": an answered question is refused from now on.
    answered = "Hva sier rapporten om tillit?"
    assert not ask(fresh, answered).abstained
    assert fresh.learn(answered, "none")
    assert ask(fresh, answered).abstained


def test_a_rebuild_embeds_only_what_changed(tmp_path, engine):
    calls = []

    class Counting:
        id, dim = engine.retriever.embedder.id, engine.retriever.embedder.dim

        def embed_passages(self, texts):
            calls.append(len(texts))
            return engine.retriever.embedder.embed_passages(texts)

        embed_queries = embed_passages

    cache = VectorCache(tmp_path, Counting.dim)
    first = cache.embed(Counting(), "passage", ["en", "to", "tre"])
    cache.save()
    again = VectorCache(tmp_path, Counting.dim).load()
    second = again.embed(Counting(), "passage", ["to", "fire", "en"])
    assert calls == [3, 1]
    assert (second[0] == first[1]).all() and (second[2] == first[0]).all()
    # A query and a passage of the same text are different vectors (e5 prefixes them differently).
    assert again.embed(Counting(), "query", ["to"]).shape == (1, Counting.dim) and calls == [3, 1, 1]


class _Counting:
    """The real embedder, counting the texts it is asked to embed."""

    def __init__(self, embedder):
        self.inner, self.id, self.dim, self.texts = embedder, embedder.id, embedder.dim, []

    def embed_passages(self, texts):
        self.texts += list(texts)
        return self.inner.embed_passages(texts)

    def embed_queries(self, texts):
        self.texts += list(texts)
        return self.inner.embed_queries(texts)


def test_a_fresh_clone_embeds_nothing_of_the_shipped_corpus(base_settings, engine, tmp_path):
    """The corpus ships the vectors of its passages and labelled questions (`omstillingsbot index --seed`
    writes them): a first start embeds none of them. If this fails, the corpus changed without them."""
    from bot.runtime import build_engine

    counting = _Counting(engine.retriever.embedder)
    build_engine(base_settings.with_(data_dir=tmp_path), embedder=counting)
    assert counting.texts == []


def test_a_seed_serves_only_the_embedder_that_wrote_it(tmp_path, engine):
    embedder = engine.retriever.embedder
    written = VectorCache(tmp_path / "a", embedder.dim)
    (tmp_path / "a").mkdir()
    vectors = written.embed(embedder, "query", ["Hva anbefaler rapporten?", "Hei"])
    seed = tmp_path / SEED_FILE
    assert written.write_seed(seed, embedder.id) == 2
    other = VectorCache(tmp_path / "b", embedder.dim)
    assert other.seed(seed, "another-model") == 0 and other.seed(tmp_path / "missing.npz", embedder.id) == 0
    assert other.seed(seed, embedder.id) == 2
    counting = _Counting(embedder)
    again = other.embed(counting, "query", ["Hei", "Hva anbefaler rapporten?"])
    assert counting.texts == []
    assert np.allclose(again, vectors[::-1], atol=2e-3) and np.allclose(np.linalg.norm(again, axis=1), 1, atol=1e-5)


def test_elaborate_on_a_passage_of_a_long_report_widens_to_its_section(library_engine, library_settings):
    """«Utdyp» after a passage of a report: the passages around it in its own section, in document order,
    the one already shown referred to rather than quoted again."""
    from bot.runtime import build_dialogue

    dialogue = build_dialogue(library_settings, library_engine)
    state = None
    asked, state = dialogue.reply(state, Question("Hvordan har sammenslåingene påvirket rettssikkerhetsrollen til statsforvalteren?",
                                                  platform="cli", conversation="c"))
    first = asked.citations[0]
    assert first.source == LIBRARY_SOURCE
    more, state = dialogue.reply(state, Question("utdyp", platform="cli", conversation="c"))
    chunk = library_engine.retriever.chunk_by_id
    shown = [chunk(c.id) for c in asked.citations]
    new = [chunk(c.id) for c in more.citations if c.id not in {s.id for s in shown}]
    assert new and more.text.startswith(messages.text("followup_elaborate_section", "nb"))
    # Each new passage is from the section of a passage just shown, or the section around it.
    assert all(any(n.section[:len(s.section) - 1] == s.section[:-1] for s in shown) for n in new)
    positions = [library_engine.retriever.position(n) for n in new]
    assert positions == sorted(positions)


def test_why_after_a_passage_of_a_report_speaks_of_that_report_and_links_to_it(library_engine, library_settings):
    """No numbered unit and no summary in sight: «hvorfor?» names the report quoted, points to that
    report's own address, and the next steps do not offer the summary's lists."""
    from bot.runtime import build_dialogue

    dialogue = build_dialogue(library_settings, library_engine)
    asked, state = dialogue.reply(None, Question("Hvordan har sammenslåingene påvirket fagmiljøene til statsforvalteren?",
                                                 platform="cli", conversation="w"))
    assert asked.citations[0].source == LIBRARY_SOURCE
    everything = messages.text("quick_all_recommendations", "nb")
    assert everything not in {s.label for s in asked.suggestions}
    why, _ = dialogue.reply(state, Question("hvorfor?", platform="cli", conversation="w"))
    assert why.text.startswith(messages.text("followup_why_none_doc", "nb", source=LIBRARY_SOURCE))
    own_url = dialogue.urls[asked.citations[0].id.split("#")[0]]
    assert own_url in why.text and dialogue.report_url not in why.text


def test_elaborate_on_a_one_paragraph_note_says_the_note_says_no_more(base_settings, tmp_path):
    from bot.runtime import build_dialogue, build_engine

    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    (corpus / "notat-om-kantinen.md").write_text(
        "# Notat om kantinen\n\nKantinen i regjeringskvartalet holder åpent fra klokken åtte til klokken fjorten "
        "på hverdager, og den serverer varm lunsj hver onsdag.\n", encoding="utf-8")
    settings = base_settings.with_(corpus_dir=corpus, data_dir=tmp_path / "data")
    engine = build_engine(settings)
    dialogue = build_dialogue(settings, engine)
    asked, state = dialogue.reply(None, Question("Når holder kantinen i regjeringskvartalet åpent?", platform="cli",
                                                 conversation="k"))
    assert asked.citations and "klokken åtte" in asked.citations[0].text
    more, _ = dialogue.reply(state, Question("utdyp", platform="cli", conversation="k"))
    source = asked.citations[0].source
    assert more.text.startswith(messages.text("followup_elaborate_none_doc", "nb", source=source))
    # The note has no address: it is named where the report would be, not the primary report.
    assert messages.text("beyond_summary", "nb", report=source) in more.text and SUMMARY_SOURCE not in more.text


def test_a_question_naming_what_only_one_report_mentions_is_answered_from_that_report(library_engine):
    question = "Bør departementene ta en mer aktiv rolle overfor Statsforvalteren?"
    # The search alone puts the summary first, which never mentions Statsforvalteren (retrieval/names.py).
    assert library_engine.retriever.search(question, k=8).hits[0].chunk.doc != LIBRARY_DOC
    answer = ask(library_engine, question)
    assert not answer.abstained and answer.citations
    assert all(c.source == "DFØ-rapport 2022:5" for c in answer.citations)


def test_a_later_report_may_tell_what_came_of_an_earlier_one(library_engine):
    """DFØ-rapport 2022:5 is later than the summary's report, so a question about what came of the summary's
    report is not refused for asking it; nothing here is later than 2022:5, so one about 2022:5's aftermath is."""
    retriever = library_engine.retriever
    assert retriever.followed_by("difi-rapport-2019-3") and not retriever.followed_by(LIBRARY_DOC)
    answer = ask(library_engine, f"Ble statsforvalterne slått sammen igjen etter at {LIBRARY_SOURCE} kom?")
    assert answer.abstained and answer.reason == "En rapport kan ikke si hva som skjedde etter at den ble skrevet."
    summary = library_engine.search("Har departementene blitt mer strategiske etter at rapporten kom?")
    summary = replace(summary, hits=tuple(h for h in summary.hits if h.chunk.doc != LIBRARY_DOC))
    assert summary.hits and summary.analysis.after_report and not asks_aftermath(retriever, summary)

"""Engine v2: passages and example questions, the learned answerability model, teaching, answer shape."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from bot.answering.engine import read_question
from bot.answering.markup import strip_markup
from bot.types import Question
from retrieval.answerability import (FORMAT, GATE_FEATURES, MODEL_FILE, AnswerabilityModel, fit, gate_features,
                                     load_labelled, train)
from retrieval.lexical import LexicalIndex
from retrieval.text import MAX_WORD
from retrieval.types import NOT_COVERED
from tests.complexity import grows_linearly
from tests.conftest import ROOT


def ask(engine, text: str):
    return engine.respond(Question(text))


def test_the_answerability_model_is_refitted_deterministically(engine):
    questions = load_labelled(ROOT / "corpus" / "questions")
    assert len(questions) >= 250
    first, second = fit(engine.retriever, questions), fit(engine.retriever, questions)
    assert first.document() == second.document()
    assert (first.memory.vectors == second.memory.vectors).all()
    assert 0.0 < first.threshold < 1.0 and 0 < first.info["answerable"] < first.rows


def test_a_saved_model_loads_with_the_same_decisions(engine, tmp_path):
    engine.model.save(tmp_path)
    loaded = AnswerabilityModel.load(tmp_path)
    assert loaded is not None and loaded.document() == engine.model.document()
    for text in ("Hva sier rapporten om tillit?", "Hvordan blir været i morgen?"):
        result = engine.search(text)
        assert loaded.assess(engine.retriever, result) == engine.model.assess(engine.retriever, result)


def test_a_model_file_of_another_format_is_not_loaded(engine, tmp_path):
    engine.model.save(tmp_path)
    path = tmp_path / MODEL_FILE
    text = path.read_text()
    assert f'"format": {FORMAT}' in text
    path.write_text(text.replace(f'"format": {FORMAT}', f'"format": {FORMAT - 1}'))
    assert AnswerabilityModel.load(tmp_path) is None


def test_no_labelled_question_is_judged_by_its_own_memory(engine):
    """Training rows are built as for a question never seen: its nearest labelled question is another
    one (a question in the memory would otherwise find itself at cosine 1.0 and learn nothing)."""
    questions = load_labelled(ROOT / "corpus" / "questions")
    model, training = train(engine.retriever, questions)
    vectors = engine.retriever.embedder.embed_queries([q.q for q in questions[:50]])
    texts = [" ".join(q.q.split()).lower() for q in questions]
    for i in range(50):
        leave_out = np.array([t == texts[i] for t in texts])  # itself and its copies, as in training
        nearest_yes, nearest_no, _ = model.memory.features(model.memory.cosines(vectors[i:i + 1], leave_out))
        assert max(nearest_yes, nearest_no) < 0.999
    assert len(training.reranked) == len(questions)


def test_example_questions_are_indexed_but_never_quoted_or_cited(engine):
    retriever = engine.retriever
    examples = [p for p in retriever.passages if p.kind == "example"]
    assert examples and any(p.unit == NOT_COVERED for p in examples)
    unit_texts = {c.text for c in retriever.chunks}
    for passage in examples:
        answer = ask(engine, passage.text)
        for citation in answer.citations:
            assert citation.text in unit_texts and citation.text != passage.text
        assert passage.text not in answer.text.replace(answer.question, "")


def test_a_not_covered_example_is_refused(engine):
    answer = ask(engine, "Hvor mange sider er rapporten på?")
    assert answer.abstained and not answer.citations


def test_only_a_near_copy_of_a_not_covered_example_vetoes_the_model():
    """"Hva sier rapporten om silotenkning …?" lies a little nearer "Hva sier rapporten om Helse- og
    omsorgsdepartementet?" ({#none}) than any unit: the shared frame, not the same question. That
    nearness is the gate's to weigh; only a (near) copy of a taught question is refused outright."""
    from retrieval.answerability import taught_not_covered
    from retrieval.search import SearchResult, Signals

    def result(not_covered: float, dense_top: float) -> SearchResult:
        return SearchResult((), None, Signals(dense_top=dense_top, not_covered=not_covered))  # type: ignore[arg-type]

    assert not taught_not_covered(result(0.865, 0.854))
    assert taught_not_covered(result(0.99, 0.90))
    assert not taught_not_covered(result(0.97, 0.98))  # a unit is nearer still


@pytest.mark.parametrize("text, key", [
    ("Hva er den tredje hovedutfordringen?", "U3"),
    ("Hva er utfordring nummer 2?", "U2"),
    ("What is the first recommendation?", "A1"),
    ("Kva er den siste tilrådinga?", "A3"),
])
def test_a_question_naming_a_number_gets_that_unit_alone(engine, text, key):
    answer = ask(engine, text)
    assert [c.id.split("#")[1] for c in answer.citations] == [key]


def test_andre_meaning_other_is_not_an_ordinal(engine):
    answer = ask(engine, "Hva anbefales overfor andre departementer?")
    assert answer.citations[0].id.endswith("#A3")


def test_answers_cite_at_most_three_units_unless_they_are_a_list(engine):
    for text in ("Hva sier rapporten om tillit og styring?", "Hvordan bør departementene samarbeide?"):
        assert len(ask(engine, text).citations) <= 3


def test_the_fact_sheet_is_shown_as_facts_not_as_a_quote(engine):
    answer = ask(engine, "Hvilket nummer har rapporten?")
    assert answer.citations[0].id.endswith("#meta")
    fact_line = answer.text.splitlines()[1]
    assert "Difi-rapport 2019:3" in fact_line and "«Departementene" in fact_line
    assert not fact_line.startswith("«")


def test_markup_and_emoji_do_not_change_the_answer(engine):
    plain = ask(engine, "Hva sier rapporten om tillit?")
    marked = ask(engine, "<b>Hei!</b> 🙂🙂 Hva sier *rapporten* om `tillit`???")
    assert not marked.abstained
    assert [c.id for c in marked.citations] == [c.id for c in plain.citations]


@pytest.mark.parametrize("unit", ["😀 ", "* ", "<b> "])
def test_markup_is_stripped_in_time_linear_in_the_text(unit):
    """Emoji and markup become spaces; the space-before-mark pattern then retried a long run of them
    from every one of its spaces (quadratic)."""
    assert grows_linearly(strip_markup, unit)
    assert strip_markup("om `tillit` ?  " + unit * 3 + "!") == "om tillit?!"


def test_framing_follows_the_users_language(engine):
    assert ask(engine, "Kva bør departementa gjere overfor andre departement?").text.startswith("Dette seier rapporten")
    assert "(quoted in Norwegian)" in ask(engine, "What should ministries do towards other ministries?").text
    # Words both written standards share ("rapporten", "om") no longer outvote nynorsk's own.
    assert ask(engine, "Kva seier rapporten om tillit?").text.startswith("Dette seier rapporten")


@pytest.mark.parametrize("text, lang", [
    ("Hi there, I'm writing a thesis.", "en"), ("Kva seier rapporten om tillit?", "nn"),
    ("Hva sier rapporten om tillit?", "nb"), ("Er det noe om tillit?", "nb"), ("tillit", "nb"),
])
def test_the_language_of_a_message(text, lang):
    from bot.answering import language

    assert language.detect(text) == lang


def test_a_2000_letter_word_never_reaches_the_typo_corrector():
    index = LexicalIndex(["Departementene bør styrke sin rolle som strategisk aktør."])
    word = "ab" * 1000
    assert len(word) > MAX_WORD and index._typos.correct(word) is None
    analysis = index.analyse(word)
    assert [p.known for p in analysis.parts] == [False]


def test_teach_round_trips_through_the_corpus_file_and_the_index(tmp_path, base_settings):
    from bot.runtime import build_engine
    from bot.answering.teaching import teach

    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    settings = base_settings.with_(corpus_dir=corpus, data_dir=tmp_path / "data")
    question = "Hvordan kan fagdepartementet unngå mikrostyring av etatene sine?"
    teach(corpus, question, "A2")
    assert f"? {question}\n" in (corpus / "difi-rapport-2019-3.md").read_text(encoding="utf-8")
    engine = build_engine(settings)
    taught = [p for p in engine.retriever.passages if p.text == question]
    assert len(taught) == 1 and engine.retriever.chunks[taught[0].unit].key == "A2"
    answer = engine.respond(Question(question))
    assert not answer.abstained and answer.citations[0].id.endswith("#A2")
    assert all(c.text != question for c in answer.citations)
    teach(corpus, question, "A2")  # teaching twice changes nothing
    assert (corpus / "difi-rapport-2019-3.md").read_text(encoding="utf-8").count(question) == 1
    with pytest.raises(KeyError):
        teach(corpus, question, "A9")


def test_eval_plot_draws_the_curves_of_a_labelled_set(engine, tmp_path):
    from bot.evaluation.plot import curve_rows, plot

    path = ROOT / "corpus" / "questions" / "blind2.jsonl"
    rows = curve_rows(engine, path)
    assert len(rows) == 25 and all(0.0 <= gate <= 1.0 for gate, *_ in rows)
    assert any(answerable for _, answerable, _, _ in rows) and not all(answerable for _, answerable, _, _ in rows)
    out = plot(engine, path, tmp_path / "eval.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("text, read", [
    ("Hei! Hva sier rapporten om tillit?", "Hva sier rapporten om tillit?"),
    ("God morgen, hvem ga ut rapporten?", "hvem ga ut rapporten?"),
    ("Hello there - what is the main recommendation?", "what is the main recommendation?"),
    ("hei", "hei"),  # all small talk: left for the dialogue's small-talk reply
    ("Hva sier rapporten om hei?", "Hva sier rapporten om hei?"),
])
def test_a_leading_greeting_is_read_past(text, read):
    assert read_question(text) == read


def test_the_list_an_item_belongs_to_is_always_a_candidate(engine):
    hits = engine.retriever.search("Hvorfor er embetsverket så defensivt?", k=2).hits
    keys = [h.chunk.key for h in hits]
    assert "U3" in keys and "U" in keys


def test_the_fact_sheet_is_never_cited_beside_the_reports_own_words(engine):
    for text in ("Kva tilrådingar gjev rapporten?", "Hva sier Difi og DFØ om tillit?", "Hva sier rapporten om styring?"):
        answer = ask(engine, text)
        assert not any(c.id.endswith("#meta") for c in answer.citations[1:]), text


def test_the_neighbours_share_goes_to_the_unit_that_the_nearest_labelled_questions_agree_on():
    """The reranker's soft k-nearest-neighbour vote (retrieval/memory.py `shares`): several near
    labelled questions agreeing outweigh a single nearest one with another answer; a question left
    out (as in training, its own copy) has no say; units no question answers get no share."""

    from retrieval.memory import Memory

    rng = np.random.default_rng(3)
    base = rng.standard_normal((6, 16)).astype(np.float32)
    query = base[0] + 0.05 * rng.standard_normal(16).astype(np.float32)
    vectors = np.vstack([base[0] + 0.12 * rng.standard_normal((3, 16)),  # three near ones: A2
                         base[0] + 0.08 * rng.standard_normal((1, 16)),  # the single nearest: U2
                         base[1:]]).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    units = (("A2",), ("A2",), ("A2",), ("U2",), ("U1",), ("U3",), ("U4",), (), ())
    memory = Memory(vectors, np.array([bool(u) for u in units]), units)
    cosines = memory.cosines(query)
    shares = memory.shares(cosines, ["A2", "U2", "U1", "H"])
    assert shares["A2"] > shares["U2"] > shares["U1"] >= 0 and "H" not in shares
    assert sum(shares.values()) <= 1.0 + 1e-6
    without = memory.shares(memory.cosines(query, leave_out=np.array([True] * 3 + [False] * 6)), ["A2", "U2"])
    assert without["A2"] < 1e-6 and without["U2"] > 0.5


def test_the_memory_reads_the_topic_of_a_question_not_its_language():
    """An English question about one topic is nearer the bokmål question about it than the English question
    about another, once the direction the two languages differ along is left out (`language_directions`);
    the lessons' memory, centred on the labelled one (`frame`), reads it the same way."""
    from retrieval.memory import Memory, language_directions

    rng = np.random.default_rng(5)
    dim, per_language = 32, 40
    topics = rng.standard_normal((per_language, dim))
    english = 3.0 * rng.standard_normal(dim)  # what every English question shares, strong beside the topic
    bokmaal = topics + 0.3 * rng.standard_normal((per_language, dim))
    english_questions = topics[::-1] + english + 0.3 * rng.standard_normal((per_language, dim))  # other topics first
    vectors = np.vstack([bokmaal, english_questions]).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    langs = ["nb"] * per_language + ["en"] * per_language
    query = (topics[0] + english).astype(np.float32)  # English, about the first bokmål question's topic
    units = tuple((f"u{i}",) for i in range(len(vectors)))
    plain = Memory(vectors, np.ones(len(vectors), bool), units)
    assert int(np.argmax(plain.cosines(query))) >= per_language  # the language decides: an English question
    directions = language_directions(vectors, langs)
    assert directions.shape == (1, dim) and abs(float(np.linalg.norm(directions[0])) - 1.0) < 1e-5
    memory = Memory(vectors, np.ones(len(vectors), bool), units, directions)
    assert int(np.argmax(memory.cosines(query))) in (0, 2 * per_language - 1)  # the topic decides
    lessons = Memory(vectors[:1], np.ones(1, bool), units[:1])
    assert float(lessons.cosines(query, frame=memory)[0]) == pytest.approx(float(memory.cosines(query)[0]), abs=1e-5)
    # one language, or too few questions in the other: nothing to leave out
    assert language_directions(vectors, ["nb"] * len(vectors)).shape == (0, dim)
    assert language_directions(vectors[:per_language + 5], langs[:per_language + 5]).shape == (0, dim)


@pytest.mark.parametrize("text, asks", [
    ("Hvor mye kostet samarbeidsprosjektet?", True), ("Kor mange sider er rapporten på?", True),
    ("How many agencies does each ministry have?", True), ("What percentage of their time goes to the minister?", True),
    ("Hvor mange hovedutfordringer ser rapporten?", True), ("Hva sier rapporten om tillit?", False),
    ("Hvorfor er omstilling på tvers vanskelig?", False), ("Hvilket nummer har rapporten?", False),
])
def test_a_question_for_an_amount_is_recognised(text, asks):
    from retrieval.amounts import amount_asked
    from retrieval.text import Analyzer

    assert (amount_asked(text, Analyzer()) is not None) is asks


def test_the_gate_sees_when_a_question_for_an_amount_meets_text_without_one(engine):
    """"Hvor mye kostet prosjektet?" lands on the opening paragraph about the project, which holds no
    amount; "Hvor mange hovedutfordringer …" on "Vi ser fire hovedutfordringer:", which does."""
    column = GATE_FEATURES.index("amount_missing")

    def missing(text):
        result = engine.search(read_question(text))
        return gate_features(engine.retriever, result, "nb")[column], result.hits[0].chunk.key

    assert missing("Hvor mye kostet samarbeidsprosjektet mellom Difi og DFØ?")[0] == 1.0
    value, key = missing("Hvor mange hovedutfordringer ser rapporten?")
    assert key in ("U", "U1") and value == 0.0
    assert missing("Hva sier rapporten om tillit?")[0] == 0.0


@pytest.mark.parametrize("text, read", [
    ("@omstillingsbot hva er hovedanbefalingen?", "hva er hovedanbefalingen?"),
    ("hei @omstillingsbot: hva sier rapporten om tillit?", "hva sier rapporten om tillit?"),
    ("<@U0BOT|omstillingsbot> anbefaling 2", "anbefaling 2"),
    ("Kan jeg skrive til ola@nordmann.no om rapporten?", "Kan jeg skrive til ola@nordmann.no om rapporten?"),
])
def test_a_chat_address_is_read_past_but_an_e_mail_address_is_not(text, read):
    """"@omstillingsbot hva er hovedanbefalingen?" was answered with U4 and U3: the name's "omstilling"."""
    assert read_question(text) == read

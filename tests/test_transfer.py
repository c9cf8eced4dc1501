"""Rows of other documents for documents nobody labelled (retrieval/transfer.py): kept apart per
document, read only when written for the same features, and fitted so that a document's own rows never
set its gate's cut."""

from __future__ import annotations

import numpy as np

from retrieval.answerability import _threshold_rows
from retrieval.text import asks_when, bare_heading, holds_year, in_summary
from retrieval.transfer import TransferRows, fit_unlabelled


def _rows(docs: list[str], seed: int = 0) -> TransferRows:
    """Each question with three candidates; the right one (answerable questions) scores highest on the
    first feature, and answerable questions' gate rows sit higher on the first gate feature."""
    rng = np.random.default_rng(seed)
    answerable = np.array([i % 4 != 3 for i in range(len(docs))])
    question = np.repeat(np.arange(len(docs)), 3)
    best = np.zeros(len(question), dtype=bool)
    candidates = rng.normal(size=(len(question), 2))
    gate = rng.normal(size=(len(question), 2))
    for q in range(len(docs)):
        if answerable[q]:
            best[3 * q + q % 3] = True
            candidates[3 * q + q % 3, 0] += 6.0
        gate[3 * q:3 * q + 3, 0] += 2.0 if answerable[q] else -2.0
    return TransferRows("sig", tuple(docs), answerable, question, candidates, best, gate)


def test_without_drops_one_documents_questions_and_renumbers_the_rest():
    rows = _rows(["a", "a", "b", "c", "b"])
    kept = rows.without("b")
    assert kept.docs == ("a", "a", "c")
    assert list(kept.question) == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    assert np.array_equal(kept.candidates, rows.candidates[[0, 1, 2, 3, 4, 5, 9, 10, 11]])
    assert list(kept.answerable) == [True, True, False]


def test_joined_keeps_each_part_pointing_at_its_own_questions():
    first, second = _rows(["a", "a"]), _rows(["b"], seed=1)
    joined = TransferRows.joined([first, second])
    assert joined.docs == ("a", "a", "b")
    assert list(joined.question[-3:]) == [2, 2, 2]
    assert np.array_equal(joined.without("a").candidates, second.candidates)


def test_rows_are_read_back_only_for_the_features_they_were_written_for(tmp_path):
    rows = _rows(["a", "b", "b"])
    rows.save(tmp_path / "t.npz")
    again = TransferRows.load(tmp_path / "t.npz", "sig")
    assert again is not None and again.digest() == rows.digest() and again.docs == rows.docs
    assert TransferRows.load(tmp_path / "t.npz", "other features") is None
    assert TransferRows.load(tmp_path / "missing.npz", "sig") is None
    (tmp_path / "broken.npz").write_bytes(b"not a zip")
    assert TransferRows.load(tmp_path / "broken.npz", "sig") is None


def test_fit_needs_two_documents_and_its_cut_comes_from_documents_left_out():
    assert fit_unlabelled(_rows(["a"] * 40)) is None
    rows = _rows([d for d in "abcd" for _ in range(40)])
    fitted = fit_unlabelled(rows, budget=0.05)
    assert fitted is not None
    # The reranker puts each answerable question's right candidate first.
    scores = fitted.reranker.predict(rows.candidates)
    firsts = [int(np.argmax(scores[3 * q:3 * q + 3])) for q in range(len(rows.docs)) if rows.answerable[q]]
    assert firsts == [q % 3 for q in range(len(rows.docs)) if rows.answerable[q]]
    # The cut refuses at most the budget of answerable questions, counted on documents left out.
    gate = fitted.gate.predict(rows.gate[::3])
    assert (gate[rows.answerable] < fitted.threshold).mean() <= 0.1
    assert (gate[~rows.answerable] < fitted.threshold).mean() > 0.9


def test_the_memory_gates_cut_also_counts_unanswerable_questions_that_landed_in_another_document():
    judged = np.array([True, True, False, False, False])
    elsewhere = np.array([False, False, True, True, True])
    answerable = np.array([True, False, False, True, False])
    near, far = np.array([0.9]), np.array([0.1])
    cosines = [near, near, near, near, far]
    # The familiar unanswerable question elsewhere counts; an answerable one there, or an unfamiliar one, does not.
    assert list(_threshold_rows(judged, elsewhere, answerable, cosines)) == [True, True, True, False, False]


def test_when_and_summary_signals():
    assert asks_when("Når ble rapporten lagt fram?") and asks_when("Kva år kom rapporten?")
    assert asks_when("When was the report published?") and not asks_when("Hva anbefaler rapporten?")
    assert holds_year("lagt fram i oktober 2022") and not holds_year("side 2022a") and not holds_year("to av tre")
    assert bare_heading("1.2 Hovedfunn og vurderinger") == "hovedfunn og vurderinger"
    assert in_summary(("Rapporten", "1 Sammendrag")) and not in_summary(("Rapporten", "2 Metode"))


def test_a_nynorsk_question_carries_its_word_overlap_signals_apart(engine):
    """The unlabelled reranker's nynorsk columns repeat the word-overlap signals for a question the
    lexicon maps from nynorsk, and are zero for a bokmål one."""
    from retrieval.answerability import (CANDIDATES, TRANSFER_CANDIDATE_FEATURES, candidate_rows,
                                         transfer_candidate_rows)

    retriever = engine.retriever
    assert retriever.lexical.analyzer.maps_nynorsk("Kva tilrår rapporten overfor departementa?")
    assert not retriever.lexical.analyzer.maps_nynorsk("Hva anbefaler rapporten overfor departementene?")
    names = ("lexical", "coverage", "text_rank", "lexical_rank")
    plain = [TRANSFER_CANDIDATE_FEATURES.index(n) for n in names]
    apart = [TRANSFER_CANDIDATE_FEATURES.index(f"nynorsk_{n}") for n in names]
    for question, nynorsk in (("Kva tilrår rapporten overfor departementa?", True),
                              ("Hva anbefaler rapporten overfor departementene?", False)):
        result = retriever.search(question, k=CANDIDATES)
        assert result.analysis.nynorsk is nynorsk
        rows = transfer_candidate_rows(result, candidate_rows(retriever, result, {}, frozenset()))
        expected = rows[:, plain] if nynorsk else np.zeros((len(rows), len(apart)))
        assert np.array_equal(rows[:, apart], expected)
        assert rows[:, plain].any()

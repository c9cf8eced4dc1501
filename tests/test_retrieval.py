"""Chunking, the FAISS index, index persistence and the lexical analysis, with the real e5 model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from retrieval.chunking import chunk_document, chunk_documents, sentences
from retrieval.documents import load_corpus, load_document
from retrieval.embedders import make_embedder
from retrieval.index import build_faiss, index_type, load_or_build
from retrieval.lexical import LexicalIndex
from retrieval.search import dense_search

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def e5():
    return make_embedder("e5")


def test_chunk_ids_are_stable_across_runs_and_change_only_with_the_text(tmp_path):
    first = [c.id for c in chunk_documents(load_corpus(ROOT / "corpus"))]
    second = [c.id for c in chunk_documents(load_corpus(ROOT / "corpus"))]
    assert first == second and len(set(first)) == len(first)
    assert "difi-rapport-2019-3#A2" in first

    doc = tmp_path / "notat.txt"
    doc.write_text("Notat\n\nFørste avsnitt om styring.\n\nAndre avsnitt om ledelse.\n", encoding="utf-8")
    before = [c.id for c in chunk_document(load_document(doc), max_words=5)]
    doc.write_text("Notat\n\nFørste avsnitt om styring.\n\nAndre avsnitt om tillit.\n", encoding="utf-8")
    after = [c.id for c in chunk_document(load_document(doc), max_words=5)]
    assert before[0] == after[0] and before[1] != after[1]


def test_long_sections_split_on_sentences_with_one_sentence_overlap(tmp_path):
    text = " ".join(f"Setning nummer {n} handler om omstilling i staten." for n in range(1, 41))
    doc = tmp_path / "lang.txt"
    doc.write_text(f"Lang\n\n{text}\n", encoding="utf-8")
    chunks = chunk_document(load_document(doc), max_words=60)
    assert len(chunks) > 3
    for left, right in zip(chunks, chunks[1:]):
        assert sentences(left.text)[-1] == sentences(right.text)[0]  # the overlap
        assert len(right.text.split()) <= 60 + 10
    assert sentences("Dette gjelder bl.a. styring. Neste setning.") == ["Dette gjelder bl.a. styring.", "Neste setning."]


def test_each_sentence_is_embedded_with_its_neighbours_so_it_keeps_its_topic(tmp_path):
    from retrieval.passages import build_passages

    doc = tmp_path / "notat.txt"
    doc.write_text("Notat\n\nStatsforvalterne ble slått sammen i 2019. Det ga sterkere fagmiljøer. "
                   "Kommunene merket lite til det.\n", encoding="utf-8")
    document = load_document(doc)
    chunks = chunk_document(document)
    passages = build_passages([document], chunks)
    windows = [p.text for p in passages if p.kind == "sentence"]
    # "Det ga sterkere fagmiljøer." alone does not say what did: read with the sentence before it.
    assert windows == [
        "Statsforvalterne ble slått sammen i 2019. Det ga sterkere fagmiljøer.",
        "Statsforvalterne ble slått sammen i 2019. Det ga sterkere fagmiljøer. Kommunene merket lite til det.",
        "Det ga sterkere fagmiljøer. Kommunene merket lite til det.",
    ]


def test_faiss_top_k_equals_numpy_brute_force():
    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((500, 64)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    queries = vectors[:20] + 0.1 * rng.standard_normal((20, 64)).astype(np.float32)
    index = build_faiss(vectors)
    assert index_type(index) == "IndexFlatIP"
    scores, ids = dense_search(index, queries, 10)
    brute = queries @ vectors.T
    expected = np.argsort(-brute, axis=1)[:, :10]
    assert np.array_equal(ids, expected)
    assert np.allclose(scores, np.take_along_axis(brute, expected, axis=1), atol=1e-5)


@pytest.mark.parametrize("corpus", ["random", "near_copies"])
def test_above_the_exact_limit_the_index_is_refined_pq_with_high_recall(corpus):
    rng = np.random.default_rng(5)
    if corpus == "random":
        vectors = rng.standard_normal((3000, 32)).astype(np.float32)
    else:  # 30 copies each of 100 vectors, at cosine ~0.9: near-ties that approximate indexes confuse
        base = rng.standard_normal((100, 32)).astype(np.float32)
        base /= np.linalg.norm(base, axis=1, keepdims=True)
        vectors = np.repeat(base, 30, axis=0) + 0.085 * rng.standard_normal((3000, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = build_faiss(vectors, exact_limit=1000)
    assert index_type(index) == "IndexRefineFlat"
    queries = vectors[:50] + 0.2 * rng.standard_normal((50, 32)).astype(np.float32)
    scores, approx = dense_search(index, queries, 10)
    truth = np.argsort(-(queries @ vectors.T), axis=1)[:, :10]
    recall = np.mean([len(set(a) & set(t)) / 10 for a, t in zip(approx, truth)])
    assert recall >= 0.95
    # Scores are exact inner products (re-ranked on the full vectors), as the engine's thresholds expect.
    assert np.allclose(scores[:, 0], np.sum(queries * vectors[approx[:, 0]], axis=1), atol=1e-5)


def test_index_is_reused_when_nothing_changed_and_rebuilt_when_corpus_or_embedder_changed(tmp_path, e5):
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    index_dir = tmp_path / "index"
    first = load_or_build(corpus, index_dir, e5)
    assert first.rebuilt and (index_dir / "manifest.json").exists()
    again = load_or_build(corpus, index_dir, e5)
    assert not again.rebuilt and again.chunks == first.chunks and again.passages == first.passages
    # A unit's own passage is stored without its text (the chunk has it); sentences and examples keep theirs.
    stored = json.loads((index_dir / "passages.json").read_text(encoding="utf-8"))
    assert all(("text" in p) == (p["kind"] != "unit") for p in stored)

    (corpus / "notat.md").write_text("# Notat\n\n## Tillit\n\nTillit er viktig i styringen.\n", encoding="utf-8")
    grown = load_or_build(corpus, index_dir, e5)
    assert grown.rebuilt and len(grown.chunks) == len(first.chunks) + 1

    class Renamed:  # the same model under another id: the manifest no longer matches
        id = "another-embedder"
        dim = e5.dim
        embed_passages = staticmethod(e5.embed_passages)
        embed_queries = staticmethod(e5.embed_queries)

    assert load_or_build(corpus, index_dir, Renamed()).rebuilt
    (index_dir / "vectors.faiss").write_bytes(b"not an index")
    assert load_or_build(corpus, index_dir, Renamed()).rebuilt  # a damaged index is rebuilt, not trusted


@pytest.mark.parametrize("spec", ["e5", "minilm"])
def test_both_embedders_load_packaged_models_and_rank_a_norwegian_paraphrase_first(spec):
    embedder = make_embedder(spec)
    passages = [
        "Departementene bør bygge tillit til underliggende virksomheter og gi dem handlingsrom.",
        "Været i Bergen blir regnfullt med sterk vind fra vest.",
        "Fotballaget vant kampen etter straffesparkkonkurranse.",
    ]
    vectors = embedder.embed_passages(passages)
    query = embedder.embed_queries(["Hvordan kan departementet skape tillit hos etatene?"])
    assert vectors.shape == (3, embedder.dim) and np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-4)
    assert int(np.argmax(vectors @ query[0])) == 0


def test_lexical_analysis_handles_compounds_typos_synonyms_nynorsk_and_english():
    from retrieval.text import Analyzer, Lexicon

    # The domain lexicon (synonyms, nynorsk, English) is the corpus's data file, not code.
    lexicon = Lexicon.load(Path(__file__).resolve().parents[1] / "corpus" / "lexicon.json")
    index = LexicalIndex([
        "Embetsverket bør fremme forslag om omstilling.",
        "Departementene etterspør etatenes planer for fornyelse.",
        "Vår hovedanbefaling er at departementene bør styrke sin rolle.",
    ], Analyzer(lexicon))
    def known(question: str) -> dict[str, bool]:
        return {p.word: p.known for p in index.analyse(question).parts}

    assert known("omstillingsforslag") == {"omstillingsforslag": True}  # compound of two known words
    assert known("hovedanbefallingen")["hovedanbefallingen"]  # typo
    assert index.analyse("direktoratene").terms == index.analyse("etatene").terms  # synonyms
    assert index.analyse("Kva gjer departementa?").terms == index.analyse("departementene").terms  # nynorsk
    assert index.analyse("What do the ministries do?").terms == ["departement"]  # English glossary
    off_topic = index.analyse("Hvem vant fotball-VM?")
    assert off_topic.coverage == 0.0 and not any(p.known for p in off_topic.parts)
    assert index.analyse("Hva er formålet med rapporten?").parts == ()  # only asks about the document
    scores = index.scores(index.analyse("planer for fornyelse").terms)
    assert int(np.argmax(scores)) == 1


def test_a_corpus_without_its_own_lexicon_still_reads_english_and_nynorsk_and_its_own_lexicon_wins(tmp_path):
    from retrieval.text import Analyzer, Lexicon

    texts = ["Statsforvalterne ble slått sammen, og fagmiljøene ble sterkere.",
             "Kommunene vurderer rettssikkerheten i saksbehandlingen."]
    general = LexicalIndex(texts, Analyzer(Lexicon.load(tmp_path / "missing.json")))
    assert set(general.analyse("How did the county governors change?").terms) == \
        set(general.analyse("Hvordan var endringen for statsforvalterne?").terms)
    assert set(general.analyse("rule of law in the municipalities").terms) == set(general.analyse("rettssikkerhet kommunene").terms)
    assert general.analyse("Kva meiner kommunane?").terms == general.analyse("Hva mener kommunene?").terms
    bare = LexicalIndex(texts, Analyzer(Lexicon.load(tmp_path / "missing.json", base=None)))
    assert not bare.analyse("county governors").parts[0].known

    own = tmp_path / "lexicon.json"
    own.write_text(json.dumps({"english": {"municipalities": "statsforvalterne"}}), encoding="utf-8")
    corpus = LexicalIndex(texts, Analyzer(Lexicon.load(own)))
    assert corpus.analyse("municipalities").terms == corpus.analyse("statsforvalterne").terms


def test_the_lexical_index_is_persisted_beside_the_faiss_file_and_reused(tmp_path, e5):
    from retrieval import lexical_store

    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    index_dir = tmp_path / "index"
    first = load_or_build(corpus, index_dir, e5)
    saved = index_dir / lexical_store.FILE
    assert saved.exists()
    stamp = saved.stat().st_mtime_ns
    again = load_or_build(corpus, index_dir, e5)
    assert saved.stat().st_mtime_ns == stamp  # loaded, not rebuilt
    question = "Hvordan kan departementene bygge tillit til underliggende virksomheter?"
    analysed = again.lexical.analyse(question)
    assert analysed == first.lexical.analyse(question)
    assert np.array_equal(again.lexical.scores(analysed.terms), first.lexical.scores(analysed.terms))
    (corpus / "notat.md").write_text("# Notat\n\n## Tillit\n\nTillit er viktig i styringen.\n", encoding="utf-8")
    grown = load_or_build(corpus, index_dir, e5)
    assert grown.lexical.n_docs == len(grown.chunks) == len(first.chunks) + 1
    saved.write_bytes(b"not a pickle")
    assert load_or_build(corpus, index_dir, e5).lexical.n_docs == len(grown.chunks)  # a broken file is rebuilt

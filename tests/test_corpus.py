"""Corpus fidelity and ingestion of the formats users drop into corpus/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from retrieval.chunking import chunk_documents
from retrieval.documents import is_chrome, load_corpus, load_document, normalise
from tests.conftest import SHARED, require_shared

ROOT = Path(__file__).resolve().parents[1]
SEED = SHARED / "seeds" / "000_931635634566bf31.txt"
CHROME = ["Fant du det du lette etter?", "Det beklager vi!", "Tilbakemeldingen din er anonym",
          "Les mer om fagområdet samordning", "Vi bruker den til å forbedre nettsidene"]


def _flat(text: str) -> str:
    return normalise(text).lower()


@pytest.fixture(scope="module")
def corpus_chunks():
    return chunk_documents(load_corpus(ROOT / "corpus"))


def _seed_report_lines() -> list[str]:
    """The seed's lines up to the page chrome that follows the report text."""
    lines = [normalise(line.replace("•", "")) for line in require_shared(SEED).read_text(encoding="utf-8").splitlines()]
    end = lines.index("Les mer om fagområdet samordning")
    return [line for line in lines[:end] if line]


def test_every_report_sentence_of_the_seed_is_in_the_corpus(corpus_chunks):
    corpus_text = _flat(" ".join(c.text for c in corpus_chunks) + " " + " ".join(c.label for c in corpus_chunks))
    title = "Departementene i førersetet for omstilling?"
    for line in _seed_report_lines():
        if line == title:
            continue  # the title is the document's, carried by its front matter and the about unit
        assert _flat(line) in corpus_text, line
    assert any(title in c.text for c in corpus_chunks)
    assert "oppdatert: 21. desember 2020" in corpus_text


def test_no_page_chrome_is_indexed(corpus_chunks, tmp_path):
    """On the hand-made corpus, and on what the loader makes of the raw seed page, which carries the chrome."""
    seed = tmp_path / "seed.txt"
    seed.write_text(require_shared(SEED).read_text(encoding="utf-8"), encoding="utf-8")
    assert all(phrase in seed.read_text(encoding="utf-8") for phrase in CHROME)  # the input does have it
    seed_chunks = chunk_documents([load_document(seed)])
    assert any("motbakkeløp" in c.text for c in seed_chunks)  # the loader kept the report itself
    for chunks in (corpus_chunks, seed_chunks):
        text = " ".join(c.text + " " + c.label for c in chunks)
        for phrase in CHROME:
            assert phrase.lower() not in text.lower()
        assert not [c.text for c in chunks if normalise(c.text).lower() in ("ja", "nei", "ja nei")]


def test_numbered_units_are_addressable_with_labels(corpus_chunks):
    by_key = {c.key: c for c in corpus_chunks if c.key}
    assert by_key["U4"].label == "Utfordring 4 – Omstilling på tvers er et motbakkeløp"
    assert by_key["A2"].label == "Anbefaling 2 – overfor underliggende virksomheter"
    assert by_key["A1"].parent == by_key["A3"].parent == "H"
    assert [by_key[f"U{n}"].parent for n in range(1, 5)] == ["U"] * 4
    assert by_key["H"].text.startswith("Vår hovedanbefaling er at departementene bør styrke sin rolle")
    assert {"intro", "meta", "C"} <= set(by_key)
    assert all(c.source == "Difi-rapport 2019:3" for c in corpus_chunks)


def test_the_seed_dropped_in_as_plain_text_loses_its_chrome(tmp_path):
    copy = tmp_path / "seed.txt"
    copy.write_text(require_shared(SEED).read_text(encoding="utf-8"), encoding="utf-8")
    doc = load_document(copy)
    text = " ".join(b.text for b in doc.blocks)
    assert "motbakkeløp" in text and "statsrådsbetjening" in text
    assert "Fant du det du lette etter" not in text and "Det beklager vi" not in text
    assert is_chrome("Fant du det du lette etter?") and not is_chrome("Omstilling på tvers er et motbakkeløp.")


def test_a_documents_run_of_combining_marks_is_cut_before_the_embedder_normalises_it(tmp_path):
    """The embedder puts every passage in NFKC, which reorders a run of marks in quadratic time: a
    document with 21,800 x U+0F73 in a row held the index build for seconds. Past 30 they are dropped."""
    path = tmp_path / "notat.txt"
    path.write_text("Notat om tillit\n\nTillit a" + "\u0f73" * 21_800 + " mellom departementene.\n", encoding="utf-8")
    text = " ".join(b.text for b in load_document(path).blocks)
    assert "mellom departementene" in text
    assert text.count("\u0f73") == 30


def test_html_headings_become_sections_and_page_furniture_is_dropped(tmp_path):
    page = tmp_path / "side.html"
    page.write_text(
        "<html><head><title>Tillitsreform</title><script>var x = 1;</script></head><body>"
        "<nav>Meny Hjem</nav><h1>Tillitsreform</h1><h2>Bakgrunn</h2><p>Reformen skal gi mer handlingsrom.</p>"
        "<ul><li>Første punkt om ledelse.</li><li>Andre punkt om styring.</li></ul>"
        "<footer>Fant du det du lette etter?</footer></body></html>", encoding="utf-8")
    doc = load_document(page)
    assert doc.title == "Tillitsreform"
    assert [b.text for b in doc.blocks] == ["Reformen skal gi mer handlingsrom.", "Første punkt om ledelse.",
                                             "Andre punkt om styring."]
    assert doc.blocks[0].section == ("Tillitsreform", "Bakgrunn")


def _write_pdf(path: Path, pages: list[list[str]]) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setTitle("Fullrapport om omstilling")
    for lines in pages:
        y = 800
        for line in lines:
            if line:
                pdf.drawString(60, y, line)
            y -= 18
        pdf.showPage()
    pdf.save()


def test_pdf_ingestion_keeps_page_numbers_in_chunks_and_labels(tmp_path):
    pdf = tmp_path / "fullrapport.pdf"
    _write_pdf(pdf, [
        ["Kapittel 1 Innledning", "", "Departementene har et særlig ansvar for omstilling.", "Dette er side en."],
        ["Kapittel 2 Funn", "", "Styringsdialogen handler mest om drift og budsjett.", "Fant du det du lette etter?"],
    ])
    doc = load_document(pdf)
    assert doc.title == "Fullrapport om omstilling"
    chunks = chunk_documents([doc])
    pages = {c.page for c in chunks}
    assert pages == {1, 2}
    drift = next(c for c in chunks if "drift og budsjett" in c.text)
    assert drift.page == 2 and drift.label.endswith("side 2")
    assert not any("Fant du det" in c.text for c in chunks)


def test_markdown_front_matter_gives_an_about_unit(tmp_path):
    md = tmp_path / "annen.md"
    md.write_text("---\ntitle: Annen rapport\nreport: Difi-rapport 2020:1\nupdated: 2021-03-05\n---\n\n"
                  "# Annen rapport\n\n## Funn {#F1}\n\nEt funn.\n", encoding="utf-8")
    doc = load_document(md)
    about = doc.blocks[0]
    assert about.key == "meta" and "Sist oppdatert: 5. mars 2021" in about.text and doc.source == "Difi-rapport 2020:1"
    assert doc.blocks[1].key == "F1" and doc.blocks[1].section == ("Funn",)
    assert re.search(r"Difi-rapport 2020:1", about.text)


def test_markdown_quote_and_bold_markers_are_not_quoted_as_the_reports_words(tmp_path):
    md = tmp_path / "notat.md"
    md.write_text("# Notat\n\n## Om kildene\n\n> **Merknad.** Teksten er skrevet om.\n> Den bygger på __to__ kilder.\n\n"
                  "Regnestykket 2 * 3 * 4 står som det står.\n", encoding="utf-8")
    texts = [b.text for b in load_document(md).blocks]
    assert texts == ["Merknad. Teksten er skrevet om. Den bygger på to kilder.", "Regnestykket 2 * 3 * 4 står som det står."]

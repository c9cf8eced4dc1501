"""Read the corpus folder: Markdown (with front matter), plain text, HTML and PDF.

Each loader turns a file into a `Document` of `Block`s (heading path + one
paragraph or list item). Web-page chrome that the report's pages carry (the
"Fant du det du lette etter?" widget and the like) is dropped here, so it is
never indexed or cited.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

from retrieval.streamsafe import stream_safe
from retrieval.types import Block, Document

SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm", ".pdf")

# Lines that belong to the web page around a report, not to the report.
_CHROME = re.compile(
    r"^(fant du det du lette etter\??|ja|nei|det beklager vi!?|takk!?"
    r"|tilbakemeldingen din er anonym.*|les mer om fagområdet.*|del (denne )?siden.*|skriv ut.*)$",
    re.I,
)
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*(?:\{#([A-Za-z0-9_-]+)\})?\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+(.*)$")
_EXAMPLE = re.compile(r"^\?\s+(.+?)\s*$")  # "? question" under a keyed heading: an example question
# Markup that is not the report's words: a quote's "> " and bold "**…**" / "__…__" would be quoted as they stand.
_BLOCKQUOTE = re.compile(r"^\s{0,3}(?:>\s?)+")
_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_SPACE = re.compile(r"\s+")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,;:!?])")


def normalise(text: str) -> str:
    """Collapse whitespace (also the stray space before punctuation in the seed text), and keep at most
    30 combining marks in a row: the embedder puts every passage in NFKC, quadratic in such a run."""
    return _SPACE_BEFORE_PUNCT.sub(r"\1", _SPACE.sub(" ", stream_safe(text))).strip()


def is_chrome(line: str) -> bool:
    return bool(_CHROME.match(normalise(line)))


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9æøå]+", "-", name.lower()).strip("-") or "doc"


def load_corpus(folder: Path) -> list[Document]:
    """All supported files below `folder`, sorted by path so chunk order is stable, except that a
    document with `primary: true` in its front matter comes first: its numbered units ("A1", "U4")
    are the ones the commands address, whatever other files reuse the same keys."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
    documents = [load_document(p) for p in files]
    return sorted(documents, key=lambda d: d.meta.get("primary", "").lower() != "true")


def load_document(path: Path) -> Document:
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return _load_pdf(path)
    raw = path.read_text(encoding="utf-8", errors="replace")
    if suffix in (".md", ".markdown"):
        return _load_markdown(path, raw)
    if suffix in (".html", ".htm"):
        return _load_html(path, raw)
    return _load_text(path, raw)


def front_matter(raw: str) -> tuple[dict[str, str], str]:
    """A Markdown file's front matter (lower-case names) and the text after it."""
    if not raw.startswith("---\n"):
        return {}, raw
    end = raw.find("\n---", 4)
    if end < 0:
        return {}, raw
    meta = {}
    for line in raw[4:end].splitlines():
        if ":" in line:
            name, value = line.split(":", 1)
            meta[name.strip().lower()] = value.strip()
    return meta, raw[end + 4 :]


def _document(path: Path, meta: dict[str, str], blocks: list[Block], default_title: str,
              examples: dict[str, list[str]] | None = None) -> Document:
    title = meta.get("title") or default_title or path.stem
    if meta.get("report") or meta.get("publishers") or meta.get("updated"):
        blocks = [_about_block(title, meta), *blocks]
    return Document(
        doc_id=slug(path.stem),
        title=title,
        source=meta.get("source") or meta.get("report") or title,
        path=str(path),
        blocks=tuple(b for b in blocks if b.text),
        meta=meta,
        examples={key: tuple(qs) for key, qs in (examples or {}).items()},
        heading=default_title if default_title != title else "",
    )


ABOUT_KEY = "meta"  # the unit made from front-matter facts ("Om rapporten")

_MONTHS = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august",
           "september", "oktober", "november", "desember")


def format_date(iso: str) -> str:
    """2020-12-21 -> "21. desember 2020" (as the report's page writes it)."""
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", iso.strip())
    if not match:
        return iso
    year, month, day = (int(g) for g in match.groups())
    return f"{day}. {_MONTHS[month - 1]} {year}"


_SERIES_YEAR = re.compile(r"\b((?:19|20)\d\d)\s*:\s*\d+\b")  # "Difi-rapport 2019:3" -> 2019


def series_year(source: str) -> str:
    """The year in a report's series number ("Difi-rapport 2019:3" -> "2019"); "" when it has none."""
    match = _SERIES_YEAR.search(source)
    return match.group(1) if match else ""


def published_year(meta: dict[str, str]) -> str:
    """The year a report came out: front matter `published:` (a year or a date), else the year in its
    series number ("Difi-rapport 2019:3"); "" when neither says."""
    published = meta.get("published", "").strip()
    if re.match(r"(19|20)\d\d\b", published):
        return published[:4]
    return series_year(meta.get("report") or meta.get("source") or "")


def _about_block(title: str, meta: dict[str, str]) -> Block:
    """The "Om rapporten" unit: the front-matter facts as a fact sheet (shown as facts, never quoted
    as the report's words), one named field per fact."""
    parts = [f"Tittel: «{title}»"]
    if meta.get("report"):
        parts.append(f"Rapportnummer: {meta['report']}")
    year = published_year(meta)
    if year:
        parts.append(f"Utgitt: {year}")  # the year it came out, not the page's last update
    if meta.get("publishers"):
        parts.append(f"Utgitt av: {meta['publishers']}")
    if meta.get("topics"):
        # As the report's page lists its tags: the words alone, one after the other ("Ledelse
        # Omstilling Samordning Styring"), so a question quoting the page finds them as written. The
        # reply shows them separated by commas (bot/answering/dialogue.py), the citation as here.
        topics = " ".join(t.strip() for t in meta["topics"].split(",") if t.strip())
        parts.append(f"Fagområder (emneord): {topics}")
    if meta.get("updated"):
        parts.append(f"Sist oppdatert: {format_date(meta['updated'])}")
    return Block(section=("Om rapporten",), text=". ".join(parts) + ".", key=ABOUT_KEY)


def _load_markdown(path: Path, raw: str) -> Document:
    meta, body = front_matter(raw)
    body = re.sub(r"<!--.*?-->", "", body, flags=re.S)
    blocks: list[Block] = []
    headings: list[tuple[int, str, str]] = []  # (level, text, key)
    title = ""
    paragraph: list[str] = []
    examples: dict[str, list[str]] = {}

    def flush() -> None:
        text = normalise(" ".join(paragraph))
        paragraph.clear()
        if text and not is_chrome(text):
            key = headings[-1][2] if headings else ""
            blocks.append(Block(tuple(h[1] for h in headings), text, key))

    for line in body.splitlines():
        line = _BOLD.sub(r"\2", _BLOCKQUOTE.sub("", line))
        heading = _HEADING.match(line)
        item = _LIST_ITEM.match(line)
        example = _EXAMPLE.match(line)
        if example and headings and headings[-1][2]:
            flush()
            examples.setdefault(headings[-1][2], []).append(normalise(example.group(1)))
        elif heading:
            flush()
            level, text, key = len(heading.group(1)), normalise(heading.group(2)), heading.group(3) or ""
            if level == 1 and not title:
                title = text
                continue
            headings[:] = [h for h in headings if h[0] < level] + [(level, text, key)]
        elif item:
            flush()
            paragraph.append(item.group(1))
            flush()
        elif not line.strip():
            flush()
        else:
            paragraph.append(line)
    flush()
    return _document(path, meta, blocks, title, examples)


def _load_text(path: Path, raw: str) -> Document:
    """Plain text: the first line is the title, blank lines separate paragraphs, bullets are items."""
    lines = raw.splitlines()
    title = normalise(lines[0]) if lines else path.stem
    blocks: list[Block] = []
    paragraph: list[str] = []

    def flush() -> None:
        text = normalise(" ".join(paragraph))
        paragraph.clear()
        if text and not is_chrome(text):
            blocks.append(Block((title,), text))

    for line in lines[1:]:
        item = _LIST_ITEM.match(line)
        if item:
            flush()
            paragraph.append(item.group(1))
            flush()
        elif not line.strip() or is_chrome(line):
            flush()
        else:
            paragraph.append(line)
    flush()
    return _document(path, {}, blocks, title)


class _HtmlBlocks(HTMLParser):
    """Headings build the section path; p/li/td/blockquote text become blocks; page furniture is skipped."""

    _SKIP = {"script", "style", "nav", "header", "footer", "aside", "form", "noscript", "button"}
    _BLOCK = {"p", "li", "td", "blockquote", "dd", "pre"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.blocks: list[Block] = []
        self._headings: list[tuple[int, str]] = []
        self._skip = 0
        self._buffer: list[str] = []
        self._in_heading = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in self._SKIP:
            self._skip += 1
        elif tag == "title":
            self._in_title = True
        elif re.fullmatch(r"h[1-6]", tag) or tag in self._BLOCK:
            self._flush()
            self._in_heading = int(tag[1]) if tag[0] == "h" and tag[1:].isdigit() else 0

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag == "title":
            self._in_title = False
        elif re.fullmatch(r"h[1-6]", tag) or tag in self._BLOCK or tag in ("div", "section", "article"):
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title = self.title or normalise(data)
        elif not self._skip:
            self._buffer.append(data)

    def _flush(self) -> None:
        text = normalise(" ".join(self._buffer))
        self._buffer.clear()
        level, self._in_heading = self._in_heading, 0
        if not text or is_chrome(text):
            return
        if level:
            if level == 1 and not self.title:
                self.title = text
            self._headings = [h for h in self._headings if h[0] < level] + [(level, text)]
        else:
            self.blocks.append(Block(tuple(h[1] for h in self._headings), text))


def _load_html(path: Path, raw: str) -> Document:
    parser = _HtmlBlocks()
    parser.feed(raw)
    parser.close()
    parser._flush()
    return _document(path, {}, parser.blocks, parser.title)


def _pdf_paragraphs(page_text: str) -> Iterator[str]:
    """pypdf gives lines; join wrapped lines, split on blank lines and on lines ending a sentence
    followed by a capitalised line (the usual paragraph break in extracted report text)."""
    paragraph: list[str] = []
    for line in page_text.splitlines():
        if is_chrome(line):
            continue
        if not line.strip():
            if paragraph:
                yield " ".join(paragraph)
                paragraph = []
            continue
        if paragraph and paragraph[-1].endswith("-") and not paragraph[-1].endswith(" -"):
            paragraph[-1] = paragraph[-1][:-1] + line.strip()  # re-join a hyphenated word
        else:
            paragraph.append(line.strip())
    if paragraph:
        yield " ".join(paragraph)


def _load_pdf(path: Path) -> Document:
    from pypdf import PdfReader  # imported here: only corpora with PDFs pay for it

    reader = PdfReader(str(path))
    meta_title = (reader.metadata.title if reader.metadata else None) or ""
    title = normalise(meta_title) or path.stem
    blocks = [
        Block((title, f"side {number}"), normalise(paragraph), page=number)
        for number, page in enumerate(reader.pages, start=1)
        for paragraph in _pdf_paragraphs(page.extract_text() or "")
        if normalise(paragraph) and not is_chrome(paragraph)
    ]
    return _document(path, {}, blocks, title)

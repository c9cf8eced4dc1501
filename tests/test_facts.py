"""The facts about a report (its front matter's fact sheet): the year it came out as well as the
page's update date, topics separated, over the real engine and on small documents."""

from __future__ import annotations

import pytest

from bot.types import Question
from retrieval.documents import load_document, published_year


async def test_who_and_when_gives_the_year_of_publication_and_the_update(chat_service):
    answer = await chat_service.respond(Question("Hvem står bak rapporten og når kom den?"))
    facts = next(c for c in answer.citations if c.id.endswith("#meta"))
    assert "Utgitt: 2019" in facts.text and "Utgitt av: Difi og DFØ" in facts.text
    assert "Sist oppdatert: 21. desember 2020" in facts.text
    assert "Utgitt: 2019" in answer.text
    # The reply separates the topics; the citation keeps the page's own run of tags, as questions quote it.
    assert "Fagområder (emneord): Ledelse, Omstilling, Samordning, Styring" in answer.text
    assert "Ledelse Omstilling Samordning Styring" in facts.text


@pytest.mark.parametrize("meta, year", [
    ({"report": "Difi-rapport 2019:3"}, "2019"), ({"report": "DFØ-rapport 2024:7"}, "2024"),
    ({"report": "Difi-rapport 2019:3", "published": "2019-06-14"}, "2019"),
    ({"report": "Notat 12", "published": "2021"}, "2021"), ({"report": "Notat 12"}, ""), ({}, ""),
])
def test_the_year_comes_from_published_else_the_series_number(meta, year):
    assert published_year(meta) == year


def test_a_document_without_a_series_year_gets_no_year_line(tmp_path):
    path = tmp_path / "notat.md"
    path.write_text("---\ntitle: Et notat\nreport: Notat 12\nupdated: 2021-03-05\n---\n\n# Et notat\n\nTekst.\n",
                    encoding="utf-8")
    about = next(b for b in load_document(path).blocks if b.key == "meta")
    assert "Utgitt:" not in about.text and "Sist oppdatert: 5. mars 2021" in about.text

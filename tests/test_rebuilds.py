"""Rebuilds beside the running server (bot/rebuilds.py): a document dropped into the corpus is indexed
while the old engine goes on answering, then swapped in between two answers; the owners' lessons
survive the swap; a failed build leaves the old engine answering. Real engines, a real SQLite store."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.answering.teaching import lesson
from bot.rebuilds import keep_current, rebuild
from bot.runtime import build_engine, build_service
from bot.types import Question

ROOT = Path(__file__).resolve().parents[1]
NOTE = """---
title: Notat om møteplaner i etatsstyringen
report: Testnotat 2026:1
---

# Notat om møteplaner i etatsstyringen

## Hva notatet anbefaler

Notatet anbefaler at etatsstyringsmøtene legges til mars og oktober, slik at de følger budsjettprosessen.
Referatet fra hvert møte skal være ferdig innen to uker.
"""
NEW_QUESTION = "Når bør etatsstyringsmøtene holdes ifølge notatet?"


@pytest.fixture
def copied(base_settings, engine, tmp_path):
    """Settings over a copy of the corpus and of the session's index (so the first engine loads, not builds)."""
    settings = base_settings.with_(corpus_dir=tmp_path / "corpus", data_dir=tmp_path / "data")
    shutil.copytree(base_settings.corpus_dir, settings.corpus_dir)
    shutil.copytree(base_settings.index_dir, settings.index_dir)
    return settings


async def test_a_dropped_document_is_answered_after_a_rebuild_that_never_stopped_the_answers(copied):
    old = build_engine(copied)
    service = build_service(copied, old)
    try:
        taught = "Hvor ofte bør departementet møte etatene?"
        await asyncio.to_thread(service.store.save_lesson, lesson(old, taught, "A2"))
        (copied.corpus_dir / "testnotat.md").write_text(NOTE, encoding="utf-8")

        async def get_service():
            return service

        watcher = asyncio.create_task(keep_current(copied, get_service, interval=0.1))
        answered_meanwhile = 0
        try:
            for _ in range(1200):
                answer = await service.respond(Question("Hva er rapportens hovedanbefaling?", platform="web"))
                assert answer.citations and not answer.abstained
                if service.engine is not old:
                    break
                answered_meanwhile += 1
                await asyncio.sleep(0.05)
            else:
                pytest.fail("the rebuilt engine never took over")
        finally:
            watcher.cancel()
            await asyncio.gather(watcher, return_exceptions=True)
        assert answered_meanwhile >= 3  # the old engine answered while the new one was built
        new = await service.respond(Question(NEW_QUESTION, platform="web"))
        assert new.citations and new.citations[0].id.startswith("testnotat#"), new.text
        assert "mars og oktober" in new.citations[0].text
        # The owners' lesson applies to the new engine too, before its first answer.
        again = await service.respond(Question(taught, platform="web"))
        assert [c.id.split("#")[1] for c in again.citations] == ["A2"]
    finally:
        service.close()


async def test_a_failed_build_keeps_the_old_engine_and_is_not_retried_until_the_corpus_changes(copied):
    old = build_engine(copied)
    service = build_service(copied, old)
    calls = []

    def broken(settings):
        calls.append(settings)
        raise ValueError("a file the loader cannot read")

    try:
        assert await rebuild(copied, service, "hash-now", build=broken) == "hash-now"
        assert service.engine is old
        answer = await service.respond(Question("Hva er rapportens hovedanbefaling?", platform="web"))
        assert answer.citations

        async def get_service():
            return service

        (copied.corpus_dir / "testnotat.md").write_text(NOTE, encoding="utf-8")
        watcher = asyncio.create_task(keep_current(copied, get_service, interval=0.05, build=broken))
        await asyncio.sleep(1.0)
        watcher.cancel()
        await asyncio.gather(watcher, return_exceptions=True)
        assert len(calls) == 2  # once for the direct call, once for the changed corpus: then it waits
        assert service.engine is old
    finally:
        service.close()


def test_a_server_start_uses_an_index_of_an_earlier_corpus_as_it_is(copied):
    (copied.corpus_dir / "testnotat.md").write_text(NOTE, encoding="utf-8")
    stale = build_engine(copied, stale_ok=True)
    assert not any(c.doc == "testnotat" for c in stale.retriever.chunks)  # not rebuilt: answers at once
    current = build_engine(copied)
    assert current.corpus_hash != stale.corpus_hash and any(c.doc == "testnotat" for c in current.retriever.chunks)



def test_a_command_run_without_documents_says_so_and_leaves_the_index_alone(copied, tmp_path):
    """Run from a folder without corpus/: a clear message and exit 2, the data folder's index untouched
    (an empty index written over it left the server unable to start)."""
    before = {p.name: p.read_bytes() for p in copied.index_dir.iterdir() if p.is_file()}
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "OMSTILLINGSBOT_CORPUS"}
    env.update(OMSTILLINGSBOT_DATA=str(copied.data_dir), OMSTILLINGSBOT_FEEDBACK_SECRET="t")
    for command in (["ask", "anbefaling 2"], ["index"]):
        out = subprocess.run([sys.executable, "-m", "bot.cli", *command], cwd=elsewhere, env=env,
                             capture_output=True, text=True, timeout=300, check=False)
        assert out.returncode == 2, out.stdout + out.stderr
        assert "Fant ingen dokumenter i" in out.stderr and "Traceback" not in out.stderr
    assert {p.name: p.read_bytes() for p in copied.index_dir.iterdir() if p.is_file()} == before

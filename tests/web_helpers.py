"""Shared pieces for the web tests: the real server on a loopback port in a background thread, and a
headless Debian Chromium driven by Playwright (never `playwright install`: the system browser)."""

from __future__ import annotations

import asyncio
import shutil
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.server import build_app, start_on_loopback
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "tests" / "artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ADMIN_TOKEN = "owner-token-for-tests-7f3a"


@dataclass
class RunningServer:
    url: str
    settings: Settings


def web_settings(base: Settings, folder: Path, **changes) -> Settings:
    """Settings for a test server: its own data folder and its own copy of the corpus (teach writes to it)."""
    corpus = folder / "corpus"
    if not corpus.exists():
        shutil.copytree(base.corpus_dir, corpus)
    defaults = {"data_dir": folder / "data", "corpus_dir": corpus, "admin_token": ADMIN_TOKEN, "rate_limit": 1000}
    return base.with_(**{**defaults, **changes})


@contextmanager
def running_server(settings: Settings, engine) -> Iterator[RunningServer]:
    """The whole aiohttp app (web, API, Slack, Teams) on 127.0.0.1, with the session's real engine."""
    from bot.runtime import build_service

    loop = asyncio.new_event_loop()
    started = threading.Event()
    box: dict = {}

    async def start() -> None:
        app = build_app(settings, lambda: build_service(settings, engine))
        box["runner"], box["url"] = await start_on_loopback(app)
        started.set()

    thread = threading.Thread(target=lambda: (loop.run_until_complete(start()), loop.run_forever()), daemon=True)
    thread.start()
    assert started.wait(30), "server did not start"
    url = box["url"]
    for _ in range(600):
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=5) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        threading.Event().wait(0.05)
    try:
        yield RunningServer(url, settings)
    finally:
        asyncio.run_coroutine_threadsafe(box["runner"].cleanup(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)
        loop.close()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (.ci/run installs it: apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


def watched_page(browser, width: int = 1100, height: int = 900):
    """A page in a fresh Norwegian-locale context; console and page errors are collected in `page.errors`
    (a test asserts there are none: a CSP violation shows up there). Close it with `page.context.close()`."""
    context = browser.new_context(locale="nb-NO", viewport={"width": width, "height": height},
                                  device_scale_factor=1 if width > 600 else 2)
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    return page


def screenshot_path(name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"


def screenshot(page, name: str, full_page: bool = True) -> Path:
    path = screenshot_path(name)
    page.screenshot(path=str(path), full_page=full_page)
    return path

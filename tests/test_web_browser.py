"""The web chat in a real browser (the owners' pages: tests/test_admin_browser.py) (Debian's headless Chromium via Playwright),
against the real server, engine and SQLite store. Screenshots go to tests/artifacts/screenshots/."""

from __future__ import annotations

import json

import pytest

from bot.feedback import open_store
from tests.web_helpers import browser, screenshot, watched_page  # noqa: F401

QUESTION = "Hva bør departementene gjøre overfor underliggende virksomheter?"
FOLLOW_UP = "Hva mener rapporten om tillit?"


@pytest.fixture
def page(browser, server):  # noqa: F811 - the browser fixture is imported above
    page = watched_page(browser, 1100)
    yield page
    page.context.close()


def ask(page, question: str) -> dict:
    """Type the question and press Enter, like a user; returns the JSON the page received."""
    before = page.locator("#log li.msg.bot:not(.waiting)").count()
    page.fill("#question", question)
    with page.expect_response(lambda r: r.url.endswith("/api/ask")) as response:
        page.press("#question", "Enter")
    page.wait_for_function(
        "n => document.querySelectorAll('#log li.msg.bot:not(.waiting)').length > n", arg=before)
    return response.value.json()


def test_ask_see_cited_answer_with_its_source_and_vote(page, server):
    page.goto(server.url + "/")
    assert page.get_attribute("#log", "aria-live") == "polite"
    answer = ask(page, QUESTION)
    bot = page.locator("#log li.msg.bot").last
    assert "Overfor underliggende virksomheter" in bot.locator(".answer").inner_text()
    first_source = bot.locator(".sources li.source").first
    assert "Anbefaling 2 – overfor underliggende virksomheter" in first_source.locator(".label").inner_text()
    assert first_source.get_by_role("link").inner_text().startswith("Les i Difi-rapport 2019:3")
    # The answer quotes the unit in full, so the source does not offer the same text again.
    assert "bygge tillit" in bot.locator(".answer").inner_text() and first_source.locator("details").count() == 0

    up = bot.get_by_role("button", name="Svaret var nyttig")
    up.click()
    thanks = bot.locator(".thanks")
    thanks.wait_for()
    page.wait_for_function("el => el.textContent.length > 0", arg=thanks.element_handle())
    assert thanks.inner_text() == "Takk! Tilbakemeldingen er anonym."
    assert up.get_attribute("aria-pressed") == "true"
    screenshot(page, "chat")

    store = open_store(server.settings)
    try:
        row = next(r for r in store.export_rows() if r.answer_id == answer["answer_id"])
    finally:
        store.close()
    assert (row.platform, row.up, row.down) == ("web", 1, 0)
    assert page.errors == []  # no CSP violations, no script errors


def test_follow_up_in_the_same_tab_keeps_the_conversation(page, server, browser):  # noqa: F811
    sent: list[dict] = []
    page.on("request", lambda r: sent.append(json.loads(r.post_data)) if r.url.endswith("/api/ask") else None)
    page.goto(server.url + "/")
    ask(page, "anbefaling 2")
    ask(page, FOLLOW_UP)
    assert len(sent) == 2 and sent[0]["conversation_id"] == sent[1]["conversation_id"]
    assert len(sent[0]["conversation_id"]) == 32
    assert page.locator("#log li.msg.user").count() == 2

    other_tab = page.context.new_page()  # a new tab has its own sessionStorage: a new conversation
    other: list[dict] = []
    other_tab.on("request", lambda r: other.append(json.loads(r.post_data)) if r.url.endswith("/api/ask") else None)
    other_tab.goto(server.url + "/")
    ask(other_tab, FOLLOW_UP)
    assert other[0]["conversation_id"] != sent[0]["conversation_id"]


def test_starter_questions_are_keyboard_usable(page, server):
    page.goto(server.url + "/")
    starter = page.locator("button.starter").first
    starter.focus()
    with page.expect_response(lambda r: r.url.endswith("/api/ask")):
        page.keyboard.press("Enter")
    page.locator("#log li.msg.bot .sources").first.wait_for()
    assert page.locator("#log li.msg.user").first.inner_text().endswith(starter.inner_text())


def test_readable_at_360_px_without_horizontal_overflow(browser, server):  # noqa: F811
    context = browser.new_context(locale="nb-NO", viewport={"width": 360, "height": 780}, device_scale_factor=2)
    page = context.new_page()
    try:
        page.goto(server.url + "/")
        ask(page, QUESTION)
        overflow = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
        assert overflow[0] <= overflow[1], overflow
        page.evaluate("window.scrollTo(0, 0)")
        screenshot(page, "chat-360px", full_page=False)
    finally:
        context.close()


# Questions and the votes of up to four browsers on each answer: something for the dashboard to show.
def test_a_question_with_markup_shows_as_text(page, server):
    hostile = "<script>window.pwned = 1</script><img src=x onerror=\"window.pwned = 2\"> hva er dette?"
    page.goto(server.url + "/")
    ask(page, hostile)
    assert page.locator("#log li.msg.user .said").last.inner_text() == hostile
    assert page.evaluate("window.pwned") is None
    assert page.locator("#log img, #log script").count() == 0


def test_english_browser_gets_the_english_page(browser, server):  # noqa: F811
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    try:
        page.goto(server.url + "/")
        assert page.get_attribute("html", "lang") == "en"
        assert page.get_by_role("button", name="Ask", exact=True).is_visible()
        assert page.get_by_label("Your question").is_visible()
    finally:
        context.close()

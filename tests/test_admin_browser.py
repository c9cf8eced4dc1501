"""The owners' pages in a real browser (Debian's headless Chromium via Playwright), against two real
servers sharing one SQLite store, each with its own engine, as two instances of the bot would.
Screenshots go to tests/artifacts/screenshots/."""

from __future__ import annotations

import time

import pytest

from tests.test_web_browser import ask
from tests.web_helpers import (ADMIN_TOKEN, browser, running_server, screenshot, screenshot_path,  # noqa: F401
                               watched_page, web_settings)

SEED = (
    ("Hva er rapportens hovedanbefaling?", ("up", "up", "down")),
    ("Hvilke hovedutfordringer ser rapporten?", ("up", "up")),
    ("Hva bør departementene gjøre overfor underliggende virksomheter?", ("up", "up", "up", "down")),
    ("Hvordan bør embetsverket opptre overfor politisk ledelse?", ("up", "down")),
    ("Hvem vant fotball-VM i 1994?", ("down",)),
    ("Hva er lønnen til en seniorrådgiver?", ("up",)),
)
REFUSED = "Hvor ofte bør departementet møte etatene?"  # refused today; the owner links it to A2
A2_LABEL = "Anbefaling 2 – overfor underliggende virksomheter"


@pytest.fixture(scope="module")
def servers(base_settings, engine, second_engine, tmp_path_factory):
    """Two instances: one data folder (one SQLite store), two engines. Their lessons are put back after."""
    settings = web_settings(base_settings, tmp_path_factory.mktemp("owners"))
    before = engine.model.lessons, second_engine.model.lessons
    with running_server(settings, engine) as first, running_server(settings, second_engine) as second:
        yield first, second
    engine.model.lessons, second_engine.model.lessons = before


@pytest.fixture
def page(browser):  # noqa: F811 - the browser fixture is imported above
    page = watched_page(browser, 1280)
    yield page
    page.context.close()


def seed_feedback(browser, url: str) -> None:  # noqa: F811
    """Ask over /api/ask and vote over /api/feedback from separate browser contexts (separate voters)."""
    voters = [browser.new_context() for _ in range(4)]
    try:
        for question, votes in SEED:
            answer = voters[0].request.post(url + "/api/ask", data={"question": question}).json()
            for voter, vote in zip(voters, votes):
                response = voter.request.post(url + "/api/feedback", data={"answer_id": answer["answer_id"], "vote": vote})
                assert response.ok, response.text()
    finally:
        for voter in voters:
            voter.close()


def sign_in(page, url: str) -> None:
    page.goto(url + "/admin")
    page.get_by_label("Tilgangsnøkkel").fill(ADMIN_TOKEN)
    page.get_by_role("button", name="Logg inn").click()
    page.get_by_role("button", name="Logg ut").wait_for()


def test_admin_refuses_a_wrong_token_accepts_the_right_one_and_shows_the_chart(page, servers, browser):  # noqa: F811
    url = servers[0].url
    seed_feedback(browser, url)
    page.goto(url + "/admin")
    assert "OMSTILLINGSBOT_" not in page.content()  # the sign-in page speaks to owners, not operators
    page.get_by_label("Tilgangsnøkkel").fill("not-the-token")
    page.get_by_role("button", name="Logg inn").click()
    assert page.get_by_role("alert").inner_text() == "Feil tilgangsnøkkel."
    assert page.locator("img").count() == 0
    screenshot(page, "admin-login")

    page.get_by_label("Tilgangsnøkkel").fill(ADMIN_TOKEN)
    page.get_by_role("button", name="Logg inn").click()
    page.get_by_role("button", name="Logg ut").wait_for()
    chart = page.locator("figure.chart img")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=chart.element_handle())
    assert page.evaluate("img => img.naturalWidth", chart.element_handle()) >= 800
    row = page.locator("table.suggestions tr", has_text="fotball-VM")
    assert row.locator(".tag").inner_text() == "ubesvart"
    assert row.locator("select").input_value() == ""  # nothing chosen for the owner
    weeks = page.locator("table", has_text="Per uke").inner_text()
    assert "uke " in weeks and "-W" not in weeks
    assert "Nettchatten" in page.locator("table", has_text="Per plattform").inner_text()
    screenshot(page, "admin")
    assert [e for e in page.errors if "401" not in e] == []  # no CSP violations (the 401 is the wrong token)

    page.get_by_role("button", name="Logg ut").click()
    page.get_by_label("Tilgangsnøkkel").wait_for()
    assert page.request.get(url + "/admin/chart.png").status == 401


def test_owner_marks_one_question_not_covered_and_teaches_another_answered_at_once_on_both_instances(
        page, servers, browser):  # noqa: F811
    first, second = servers
    page.goto(first.url + "/")
    assert ask(page, REFUSED)["abstained"]
    assert ask(page, "Hvem vant fotball-VM i 1994?")["abstained"]
    assert not ask(page, "Hva sier rapporten om lønn i departementene?")["abstained"]  # wrongly answered today

    sign_in(page, first.url)
    row = page.locator("table.suggestions tr", has_text="lønn i departementene")
    if row.count() == 0:  # answered, so listed only once someone votes it down
        page.goto(first.url + "/")
        ask(page, "Hva sier rapporten om lønn i departementene?")
        page.locator("#log li.msg.bot").last.get_by_role("button", name="Svaret var ikke nyttig").click()
        page.locator("#log li.msg.bot .thanks").last.wait_for()
        page.goto(first.url + "/admin")
        row = page.locator("table.suggestions tr", has_text="lønn i departementene")
    row.get_by_role("button", name="Dekkes ikke av rapporten").click()
    assert "er merket som ikke dekket av rapporten" in page.get_by_role("status").inner_text()
    # A rightly refused question is confirmed the same way, and marked as taught.
    refused = page.locator("table.suggestions tr", has_text="fotball-VM")
    refused.get_by_role("button", name="Dekkes ikke av rapporten").click()
    refused = page.locator("table.suggestions tr", has_text="fotball-VM")
    assert "dekkes ikke" in refused.locator(".lesson").inner_text()

    row = page.locator("table.suggestions tr", has_text=REFUSED)
    assert row.locator("td.now").inner_text() == "Ubesvart"
    row.get_by_role("button", name="Knytt til delen").click()  # no part chosen yet: nothing is taught
    assert "Velg en del av rapporten først" in page.locator(".alert").inner_text()
    row = page.locator("table.suggestions tr", has_text=REFUSED)
    row.get_by_label("Del av rapporten").select_option(label=A2_LABEL)
    row.get_by_role("button", name="Knytt til delen").click()
    notice = page.get_by_role("status").inner_text()
    assert f"er knyttet til «{A2_LABEL}». Boten svarer nå med «{A2_LABEL}»." in notice
    row = page.locator("table.suggestions tr", has_text=REFUSED)
    assert "Lært " in row.locator(".lesson").inner_text() and row.locator("td.now").inner_text() == A2_LABEL
    chart = page.locator("figure.chart img")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=chart.element_handle())
    screenshot(page, "admin-teach")
    page.locator(".alert").screenshot(path=str(screenshot_path("admin-teach-notice")))
    page.locator(".teach-section").screenshot(path=str(screenshot_path("admin-teach-section")))

    for server in (first, second):  # the instance taught, and one that only shares the database
        page.goto(server.url + "/")
        deadline = time.monotonic() + 5
        while True:
            answer = ask(page, REFUSED)
            if answer["citations"] or time.monotonic() > deadline:
                break
        assert [c["id"].split("#")[1] for c in answer["citations"]] == ["A2"], server.url
        assert ask(page, "Hva sier rapporten om lønn i departementene?")["abstained"]
    screenshot(page, "web-taught-second-instance")

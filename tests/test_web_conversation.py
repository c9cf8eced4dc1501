"""A scripted conversation in the web chat, in a real browser (Debian's headless Chromium via Playwright)
against the real server and engine: what the start page says the bot holds, a refusal's way forward
(the full report and clickable next steps), a conversation that survives a reload, and how an answer's
sources, markers, emphasis and addresses are drawn. Screenshots go to tests/artifacts/screenshots/
(docs/screenshots/ holds copies for the README)."""

from __future__ import annotations

import json

import pytest

from bot import messages
from tests.web_helpers import browser, screenshot, watched_page  # noqa: F401

REFUSED = "Hvem vant fotball-VM i 1994?"
QUESTION = "Hva bør departementene gjøre overfor underliggende virksomheter?"
REPORT_URL = "https://dfo.no/rapporter/departementene-i-forersetet-omstilling"
REPLIES = "#log li.msg.bot:not(.waiting)"


def new_page(browser, width: int = 1100, height: int = 900):  # noqa: F811 - the fixture imported above
    page = watched_page(browser, width, height)
    page.sent = []
    page.on("request", lambda r: page.sent.append(json.loads(r.post_data)) if r.url.endswith("/api/ask") else None)
    return page


@pytest.fixture
def page(browser, server):  # noqa: F811
    page = new_page(browser)
    yield page
    page.context.close()


def wait_for_reply(page, before: int) -> None:
    page.wait_for_function("([sel, n]) => document.querySelectorAll(sel).length > n", arg=[REPLIES, before])


def ask(page, question: str) -> dict:
    """Type the question and press Enter, like a user; returns the JSON the page received."""
    before = page.locator(REPLIES).count()
    page.fill("#question", question)
    with page.expect_response(lambda r: r.url.endswith("/api/ask")) as response:
        page.press("#question", "Enter")
    wait_for_reply(page, before)
    return response.value.json()


def click_and_wait(page, button) -> dict:
    before = page.locator(REPLIES).count()
    with page.expect_response(lambda r: r.url.endswith("/api/ask")) as response:
        button.click()
    wait_for_reply(page, before)
    return response.value.json()


def test_the_start_page_names_the_documents_with_a_link_to_the_full_report(page, server):
    page.goto(server.url + "/")
    holdings = page.locator("section.holdings")
    assert "Sammendraget av «Departementene i førersetet for omstilling?» (Difi-rapport 2019:3)" in holdings.inner_text()
    link = holdings.get_by_role("link", name="Les hele Difi-rapport 2019:3 (åpnes i ny fane)")
    assert link.get_attribute("href") == REPORT_URL
    assert link.get_attribute("target") == "_blank" and "noopener" in link.get_attribute("rel")


def test_the_facts_about_the_report_are_shown_once_not_offered_again_as_a_quote(page, server):
    page.goto(server.url + "/")
    ask(page, "om")
    reply = page.locator(REPLIES).last
    assert "Difi og DFØ" in reply.locator(".answer").inner_text()
    assert reply.locator(".source details").count() == 0


def test_a_refusal_links_the_full_report_and_its_next_steps_ask_in_the_same_conversation(browser, server):  # noqa: F811
    page = new_page(browser, 360, 780)
    try:
        page.goto(server.url + "/")
        refusal = ask(page, REFUSED)
        assert refusal["abstained"] and refusal["suggestions"]
        reply = page.locator(REPLIES).first  # a locator is looked up anew on each use: not `.last`
        report = reply.locator(f'a[href="{REPORT_URL}"]')
        assert report.count() == 1 and report.get_attribute("target") == "_blank"
        assert "noopener" in report.get_attribute("rel")
        steps = reply.get_by_role("group", name="Forslag til neste spørsmål").get_by_role("button")
        assert steps.all_inner_texts() == [s["label"] for s in refusal["suggestions"]]
        overflow = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
        assert overflow[0] <= overflow[1], overflow
        page.evaluate("document.querySelector('section.holdings').scrollIntoView()")
        screenshot(page, "conversation-360px", full_page=False)

        # A keyboard user: Tab to the first next step and press Enter.
        steps.first.focus()
        before = page.locator(REPLIES).count()
        with page.expect_response(lambda r: r.url.endswith("/api/ask")) as response:
            page.keyboard.press("Enter")
        wait_for_reply(page, before)
        answer = response.value.json()
        asked = refusal["suggestions"][0]["ask"]
        assert page.locator("#log li.msg.user .said").last.inner_text() == asked
        assert page.sent[-1]["question"] == asked
        assert page.sent[-1]["conversation_id"] == page.sent[0]["conversation_id"]
        assert answer["citations"] and page.locator(REPLIES).last.locator(".sources li.source").count() >= 1
        # Only the newest reply offers next steps: the refusal's would now be asked about the new answer.
        assert reply.locator(".next").count() == 0
        assert page.locator(REPLIES).last.locator(".next button").count() == len(answer["suggestions"])
        assert page.evaluate("document.activeElement.closest('#log') !== null")  # focus stays in the conversation
        assert page.errors == []
    finally:
        page.context.close()


def test_the_conversation_survives_a_reload_with_its_votes_and_context(page, server):
    page.goto(server.url + "/")
    ask(page, REFUSED)
    ask(page, QUESTION)
    page.locator(REPLIES).last.get_by_role("button", name="Svaret var nyttig").click()
    page.wait_for_function("() => document.querySelector('#log li.msg.bot:last-child .vote.up')"
                           ".getAttribute('aria-pressed') === 'true'")
    shown = page.locator("#log li.msg").all_inner_texts()

    page.reload()
    page.locator(REPLIES).nth(1).wait_for()
    # The same messages (the thanks for the vote was said once, and is not repeated).
    thanks = "Takk! Tilbakemeldingen er anonym."
    assert [s.strip() for s in page.locator("#log li.msg").all_inner_texts()] == [
        s.replace(thanks, "").strip() for s in shown]
    assert page.locator(REPLIES).last.locator(".vote.up").get_attribute("aria-pressed") == "true"
    assert page.locator("#log .next").count() == 1  # the newest reply's next steps are back too
    follow_up = ask(page, "hvorfor det?")
    assert page.sent[-1]["conversation_id"] == page.sent[0]["conversation_id"]
    assert follow_up["answer"] != messages.text("followup_unclear")  # answered in context, not "what do you mean?"
    assert page.locator("#log li.msg.user").count() == 3
    bottom = page.evaluate("Math.ceil(document.querySelector('#ask').getBoundingClientRect().bottom + scrollY) + 16")
    page.set_viewport_size({"width": 1100, "height": bottom})
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "conversation", full_page=False)  # the page down to the question box

    page.get_by_role("button", name="Ny samtale").click()
    assert page.locator("#log li.msg").count() == 0
    page.reload()
    assert page.locator("#log li.msg").count() == 0
    ask(page, "hei")
    assert page.sent[-1]["conversation_id"] != page.sent[0]["conversation_id"]
    assert page.errors == []


def test_only_the_last_thirty_questions_are_kept_for_a_reload(page, server):
    page.goto(server.url + "/")
    page.evaluate("""() => {
        const turns = [];
        for (let i = 0; i < 40; i++) {
            turns.push({role: "user", text: "spørsmål " + i});
            turns.push({role: "bot", answer: {answer: "svar " + i, citations: [], suggestions: []}});
        }
        sessionStorage.setItem("omstillingsbot.turns", JSON.stringify(turns));
    }""")
    page.reload()
    page.locator(REPLIES).first.wait_for()
    said = page.locator("#log li.msg.user .said").all_inner_texts()
    assert len(said) == 30 and said[0] == "spørsmål 10" and said[-1] == "spørsmål 39"
    ask(page, "hei")
    page.reload()
    page.locator(REPLIES).first.wait_for()
    said = page.locator("#log li.msg.user .said").all_inner_texts()
    assert len(said) == 30 and said[0] == "spørsmål 11" and said[-1] == "hei"
    page.evaluate("sessionStorage.setItem('omstillingsbot.turns', '{not json')")
    page.reload()
    assert page.locator("#log li.msg").count() == 0 and page.errors == []


# An answer as the coming engine writes it: letter markers, a marked clause, a quote shown in part
# only, an e-mail address and a web address in the text, and markup where only text belongs.
CRAFTED = {
    "question": "Hva med tillit?",
    "answer": ("Dette sier rapporten:\n«Det bør legges vekt på å bygge tillit.» [a]\n"
               "Som i Anbefaling 1 over: «proaktiv rolle» [2]\n"
               "Kontakt: post@dfo.no, eller se https://dfo.no/rapporter/x.\n<img src=x onerror=\"window.pwned=1\">\n"
               "Du skrev: https://evil.example/logg-inn og hacker@evil.example"),
    "links": ["post@dfo.no", "https://dfo.no/rapporter/x"],
    "abstained": False, "confidence": 0.9, "answer_id": "0123456789abcdef0123456789abcdef", "kind": "answer",
    "citations": [
        {"id": "r#A2", "label": "Anbefaling 2 <b>x</b>", "text": "Det bør legges vekt på å bygge tillit.",
         "source": "Difi-rapport 2019:3", "page": None, "url": REPORT_URL, "focus": "bygge tillit", "marker": "a"},
        {"id": "r#A1", "label": "Anbefaling 1", "source": "DFØ-rapport 2022:5", "page": 4,
         "text": "Overfor politisk ledelse bør embetsverket ta en mer proaktiv rolle.", "url": "javascript:alert(1)",
         "focus": "ta en mer proaktiv rolle", "marker": "b"},
    ],
    "suggestions": [{"label": "Hvorfor det?", "ask": "Hvorfor det?"}],
}


def test_an_answer_draws_markers_focus_sources_and_addresses_safely(page, server):
    page.route("**/api/ask", lambda route: route.fulfill(status=200, content_type="application/json",
                                                         body=json.dumps(CRAFTED)))
    page.goto(server.url + "/")
    ask(page, "Hva med tillit?")
    reply = page.locator(REPLIES).last
    # "[a]" and the older "[2]" both point to their source and show its letter.
    refs = reply.locator(".answer a.ref")
    assert refs.all_inner_texts() == ["a", "b"]
    assert [refs.nth(i).get_attribute("href").split("-src-")[1] for i in range(2)] == ["a", "b"]
    assert reply.locator(".sources .num").all_inner_texts() == ["a", "b"]
    assert reply.locator(".answer strong.focus").all_inner_texts() == ["bygge tillit"]
    # Each source link names its source and opens in a new tab; a link that is not http(s) is not made.
    link = reply.locator(".source").first.get_by_role("link")
    assert link.inner_text().startswith("Les i Difi-rapport 2019:3")
    assert (link.get_attribute("target"), link.get_attribute("rel")) == ("_blank", "noopener noreferrer")
    second = reply.locator(".source").nth(1)
    assert second.get_by_role("link").count() == 0 and "DFØ-rapport 2022:5, side 4" in second.inner_text()
    # The first quote is in the answer in full: no «Vis sitert tekst»; the second only in part: offered, in bold.
    assert reply.locator(".source").first.locator("details").count() == 0
    second.locator("summary").click()
    assert second.locator("blockquote strong.focus").inner_text() == "ta en mer proaktiv rolle"
    mail = reply.get_by_role("link", name="post@dfo.no")
    assert mail.get_attribute("href") == "mailto:post@dfo.no"
    web = reply.locator('.answer a[href="https://dfo.no/rapporter/x"]')
    assert web.count() == 1 and web.get_attribute("target") == "_blank"  # the full stop is not part of it
    # Addresses the bot did not write (the user's own words echoed) stay text.
    assert reply.locator('a[href*="evil.example"]').count() == 0 and "https://evil.example/logg-inn" in reply.inner_text()
    assert "Anbefaling 2 <b>x</b>" in reply.locator(".source .label").first.inner_text()
    assert page.evaluate("window.pwned") is None and reply.locator("img, b, script").count() == 0


def test_a_refusal_that_names_the_report_address_is_not_given_a_second_link(page, server):
    refusal = {"question": "x", "abstained": True, "kind": "abstain", "citations": [], "answer_id": "",
               "answer": f"Sammendraget sier ikke noe om dette.\nSe hele rapporten: {REPORT_URL}", "links": [REPORT_URL],
               "suggestions": [{"label": "Anbefaling 2", "ask": "anbefaling 2"}]}
    page.route("**/api/ask", lambda route: route.fulfill(status=200, content_type="application/json",
                                                         body=json.dumps(refusal)))
    page.goto(server.url + "/")
    ask(page, "Hva sier rapporten om metode?")
    links = page.locator(REPLIES).last.locator(f'a[href="{REPORT_URL}"]')
    assert links.count() == 1 and links.get_attribute("target") == "_blank"
    assert page.locator(REPLIES).last.locator(".next button").all_inner_texts() == ["Anbefaling 2"]

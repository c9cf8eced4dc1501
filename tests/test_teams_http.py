"""End to end over HTTP: activities POSTed to /api/messages exactly as the Bot Connector sends them,
with serviceUrl pointing at a local fake Bot Connector that records the bot's calls back."""

from __future__ import annotations

import base64
import json
import logging
import socket
import time

from bot.settings import Settings
from bot.teams import constants as c
from tests.fakes import teams_activities as fa
from tests.teams_fakes import TeamsServer, card_text

APP_ID = "3b1f2a3c-1111-4222-8333-444455556666"


async def _answer(server: TeamsServer, text: str = "Hva er rapportens hovedanbefaling?", **options):
    before = len(server.connector.messages())
    activity = fa.message(text, server.service_url, **options)
    posted = await server.post(activity)
    assert posted.status == 200
    return activity, (await server.connector.wait_for_messages(before + 1))[-1]


async def test_a_message_is_answered_with_a_card_citations_and_the_feedback_loop(chat_service):
    async with TeamsServer(chat_service) as server:
        activity, reply = await _answer(server)
        assert reply.method == "POST" and reply.conversation_id == fa.PERSONAL_CONVERSATION
        assert reply.reply_to_id == activity["id"]  # POST /v3/conversations/{id}/activities/{activityId}
        assert reply.authorization is None  # local mode: no token towards the (local) connector
        body = reply.body
        assert body["channelData"] == {"feedbackLoopEnabled": True}
        assert body["recipient"]["id"] == fa.USER_ID and body["from"]["id"] == fa.BOT_ID
        [entity] = body["entities"]
        assert entity["additionalType"] == ["AIGeneratedContent"] and entity["@context"] == "https://schema.org"
        names = [claim["appearance"]["name"] for claim in entity["citation"]]
        assert names[0].startswith("Hovedanbefaling") and len(names) == len({*names})
        text = card_text(reply.card)
        assert reply.card["version"] == c.CARD_VERSION and "Hovedanbefaling" in text and "[a]" in text
        answer_id = await chat_service.answer_id_for("teams", (fa.PERSONAL_CONVERSATION, reply.resource_id))
        assert answer_id is not None


async def test_feedback_invoke_reaction_and_welcome_over_the_wire(chat_service):
    async with TeamsServer(chat_service) as server:
        _, reply = await _answer(server, "Hva sier rapporten om tillit?", mention=True, conversation_type="channel",
                                 conversation_id=f"{fa.CHANNEL_CONVERSATION};messageid=1700000000123")
        answer_id = await chat_service.answer_id_for("teams", (fa.CHANNEL_CONVERSATION, reply.resource_id))
        feedback = fa.feedback(reply.resource_id, "like", server.service_url, text="Nyttig!",
                               conversation_type="channel", conversation_id=fa.CHANNEL_CONVERSATION)
        posted = await server.post(feedback)
        assert (posted.status, posted.json()) == (200, {})
        thanks = (await server.connector.wait_for_messages(2))[-1]
        assert thanks.body["text"] == "Takk! Tilbakemeldingen er anonym." and thanks.reply_to_id == feedback["id"]
        assert chat_service.store.tally(answer_id).up == 1
        retract = fa.reaction(reply.resource_id, server.service_url, added=None, removed="like",
                              conversation_type="channel", conversation_id=fa.CHANNEL_CONVERSATION)
        assert (await server.post(retract)).status == 200
        assert chat_service.store.tally(answer_id).up == 0
        assert (await server.post(fa.bot_added(server.service_url))).status == 200
        welcome = (await server.connector.wait_for_messages(3))[-1]
        assert "anbefalinger" in card_text(welcome.card)


async def test_a_slow_answer_shows_typing_first(chat_service):
    async with TeamsServer(chat_service, typing_after_s=0.0) as server:
        await _answer(server)
        await server.after_a_later_event()
        assert [call.type for call in server.connector.calls] == ["typing", "message"]


async def test_a_redelivery_is_not_answered_twice(chat_service):
    async with TeamsServer(chat_service) as server:
        activity = fa.message("anbefaling 3", server.service_url)
        assert (await server.post(activity)).status == 200
        assert (await server.post(activity)).status == 200
        await server.after_a_later_event()
        assert len(server.connector.messages()) == 1


async def test_bad_input_is_answered_cleanly(chat_service):
    settings = Settings(max_body_bytes=32 * 1024)
    async with TeamsServer(chat_service, settings) as server:
        url = server.service_url
        for body in (b"{not json", b"\xff\xfe", "[]", json.dumps({"text": "no type"}), json.dumps({"type": ""}),
                     json.dumps({"type": "message", "conversation": "oops"})):
            posted = await server.post(body)
            assert posted.status == 400 and "type" in posted.json()["error"]
        posted = await server.post(json.dumps(fa.message("x" * 40_000, url)))
        assert posted.status == 413
        assert (await server.post(fa.envelope("somethingNew", url))).status == 200
        huge = fa.message("Hva sier rapporten? " * 1000, url)  # 20 000 characters, under the body limit
        assert (await server.post(huge)).status == 200
        [reply] = await server.connector.wait_for_messages(1)
        assert "Meldingen er for lang" in card_text(reply.card)
        unknown = fa.feedback("1700000777777", "dislike", url, text="hm")
        posted = await server.post(unknown)
        assert (posted.status, posted.json()) == (200, {})
        told = (await server.connector.wait_for_messages(2))[-1]
        assert "finner ikke svaret" in told.body["text"]


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


async def test_with_an_app_id_unauthenticated_or_forged_requests_get_401_and_no_reply(chat_service):
    settings = Settings(microsoft_app_id=APP_ID, microsoft_app_password="not-a-real-secret")
    async with TeamsServer(chat_service, settings) as server:
        activity = fa.message("anbefaling 2", server.service_url)
        forged_jwt = ".".join((_b64({"alg": "RS256", "kid": "forged", "typ": "JWT"}),
                               _b64({"iss": "https://api.botframework.com", "aud": APP_ID, "exp": 4102444800,
                                     "serviceurl": server.service_url}), "c2lnbmF0dXJl"))
        for headers in ({}, {"Authorization": "Bearer x.y.z"}, {"Authorization": "Basic dXNlcjpwdw=="},
                        {"Authorization": f"Bearer {forged_jwt}"}):
            started = time.perf_counter()
            posted = await server.post(activity, headers)
            assert posted.status == 401, headers
            assert time.perf_counter() - started < c.AUTH_TIMEOUT_S + 1
        # No probe here (it would need a valid token: tests/test_teams_auth.py sends one after each wrong one).
        # A 401 is decided before the activity reaches the bot, so nothing of it can still be under way.
        assert server.connector.calls == []
        assert await chat_service.first_delivery("teams", f"message:{activity['id']}")  # never even claimed


async def test_local_mode_refuses_tokens_and_answers_only_on_this_machine(chat_service):
    async with TeamsServer(chat_service) as server:
        with_token = fa.message("hjelp", server.service_url)
        assert (await server.post(with_token, {"Authorization": "Bearer x.y.z"})).status == 401
        elsewhere = fa.message("hjelp", "https://smba.trafficmanager.net/emea/")
        assert (await server.post(elsewhere)).status == 401
        await server.after_a_later_event()  # a loopback message without a token is still answered
        assert server.connector.calls == []


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_with_the_database_down_answers_go_out_and_votes_are_told_not_saved(settings, make_service):
    service = make_service(settings.with_(database_url=f"postgresql://postgres@127.0.0.1:{_closed_port()}/test"))
    async with TeamsServer(service) as server:
        _, reply = await _answer(server)
        assert "Hovedanbefaling" in card_text(reply.card)
        # Native loop in Teams: vote through the feedback invoke, no vote buttons on the card.
        assert [a for a in reply.card.get("actions", []) if a["type"] == "Action.Submit"] == []
        posted = await server.post(fa.feedback(reply.resource_id, "like", server.service_url))
        assert (posted.status, posted.json()) == (200, {})
        told = (await server.connector.wait_for_messages(2))[-1]
        assert "ikke lagret" in told.body["text"]


async def test_a_connector_outage_is_logged_without_content_and_does_not_crash(chat_service, caplog):
    caplog.set_level(logging.DEBUG)
    async with TeamsServer(chat_service) as server:
        server.connector.fail_with = 500
        question = "Hva sier rapporten om tillit til underliggende virksomheter?"
        posted = await server.post(fa.message(question, server.service_url))
        assert posted.status == 200
        assert "Teams turn failed" in caplog.text
        server.connector.fail_with = None
        _, reply = await _answer(server, "anbefaling 1")  # and the next message is answered
        assert reply.card is not None
    for secret in (question, fa.USER_ID, fa.USER_AAD, fa.USER_NAME, fa.TENANT_ID, fa.PERSONAL_CONVERSATION):
        assert secret not in caplog.text


async def test_odd_invokes_are_answered_with_a_4xx_never_a_5xx(chat_service):
    """An adaptiveCard/action whose value is not an object was a 500 (botbuilder's refusal carries a
    model json.dumps cannot write); a feedback invoke whose reaction is a list, or whose conversation
    has no id, was a 501 (the bot does offer that invoke)."""
    async with TeamsServer(chat_service) as server:
        card_action = fa.envelope("invoke", server.service_url, name="adaptiveCard/action", value="x")
        posted = await server.post(card_action)
        assert posted.status == 400 and posted.json()["statusCode"] == 400
        listed = fa.feedback("1700000000999", "like", server.service_url)
        listed["value"]["actionValue"]["reaction"] = ["like"]
        posted = await server.post(listed)
        assert posted.status == 200  # an unreadable vote is ignored, as Teams expects the invoke answered
        no_id = fa.feedback("1700000000999", "like", server.service_url)
        no_id["conversation"]["id"] = None
        assert (await server.post(no_id)).status == 400

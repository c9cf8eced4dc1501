"""Teams with MicrosoftAppId set, the way production runs: Bot Framework tokens checked against a
signing key from OpenID metadata, and replies sent with the bot's own token from a login authority.

Both are local (tests.fakes.bot_framework_auth): the adapter is pointed at them by configuration only
(ToBotFromChannelOpenIdMetadataUrl, ToChannelFromBotLoginUrl; REQUESTS_CA_BUNDLE for the test
certificate). A correctly signed token gets an answer; every way a token can be wrong gets 401 and
nothing reaches the Bot Connector.
"""

from __future__ import annotations

import pytest

from tests.fakes import teams_activities as fa
from tests.fakes.bot_framework_auth import FakeBotFrameworkAuth
from tests.teams_fakes import TeamsServer, card_text

APP_ID = "3b1f2a3c-1111-4222-8333-444455556666"
APP_PASSWORD = "test-client-secret"


@pytest.fixture
def issuer(tmp_path, monkeypatch):
    with FakeBotFrameworkAuth(tmp_path) as fake:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(fake.ca_file))  # requests (botframework, MSAL) trusts it
        yield fake


def _settings(settings, issuer: FakeBotFrameworkAuth):
    return settings.with_(microsoft_app_id=APP_ID, microsoft_app_password=APP_PASSWORD,
                          teams_openid_metadata_url=issuer.metadata_url, teams_login_url=issuer.login_url)


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


async def test_a_correctly_signed_token_is_answered_with_the_bots_own_token(settings, make_service, issuer):
    service = make_service()
    async with TeamsServer(service, _settings(settings, issuer)) as server:
        activity = fa.message("Hva er rapportens hovedanbefaling?", server.service_url)
        token = issuer.channel_token(audience=APP_ID, service_url=server.service_url)
        posted = await server.post(activity, _bearer(token))
        assert posted.status == 200, posted.body
        [reply] = await server.connector.wait_for_messages(1)
        assert reply.reply_to_id == activity["id"] and "Hovedanbefaling" in card_text(reply.card)
        # The reply carries the token the login authority gave this app for the Bot Connector.
        [request] = issuer.token_requests
        assert (request.client_id, request.client_secret) == (APP_ID, APP_PASSWORD)
        assert request.scope.startswith("https://api.botframework.com")
        assert reply.authorization == f"Bearer {request.access_token}"


@pytest.mark.parametrize("wrong", ["audience", "expired", "unlisted key", "forged signature", "service url",
                                   "issuer", "endorsement"])
async def test_a_token_that_is_wrong_in_any_way_gets_401_and_no_reply(settings, make_service, issuer, wrong):
    service = make_service()
    async with TeamsServer(service, _settings(settings, issuer)) as server:
        url = server.service_url
        claims = {"audience": APP_ID, "service_url": url}
        if wrong == "audience":
            claims["audience"] = "00000000-0000-0000-0000-000000000000"
        elif wrong == "expired":
            claims["expires_in"] = -3600  # an hour ago: beyond botframework's five minutes of clock skew
        elif wrong == "unlisted key":
            claims.update(key=issuer.other_key(), kid="a-key-nobody-published")
        elif wrong == "forged signature":
            claims.update(key=issuer.other_key())  # the published key id, someone else's key
        elif wrong == "service url":
            claims["service_url"] = "https://smba.trafficmanager.net/emea/"
        elif wrong == "issuer":
            claims["issuer"] = "https://sts.example.org/"
        activity = fa.message("anbefaling 2", url)
        if wrong == "endorsement":
            activity["channelId"] = "slack"  # the key is endorsed for msteams and webchat only
        posted = await server.post(activity, _bearer(issuer.channel_token(**claims)))
        assert posted.status == 401, wrong
        # A correct token right after it is answered: the wrong one was refused, not just slow.
        follow_up = fa.message("anbefaling 3", url)
        assert (await server.post(follow_up, _bearer(issuer.channel_token(audience=APP_ID, service_url=url)))).status == 200
        [reply] = await server.connector.wait_for_messages(1)
        assert reply.reply_to_id == follow_up["id"]
        assert all(call.reply_to_id != activity["id"] for call in server.connector.calls)
        assert await service.first_delivery("teams", f"message:{activity['id']}")  # never even claimed

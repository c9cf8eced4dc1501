"""Mount Teams on the bot's aiohttp app: POST /api/messages, the Bot Framework messaging endpoint.

This is the only module that imports botbuilder (the archived Bot Framework SDK). It translates
activities into calls on ChatService and sends back what bot.teams.cards renders; parsing lives in
bot.teams.inbound. A move to the Microsoft 365 Agents SDK replaces this file and nothing else.

The endpoint reads and checks the body itself before botbuilder sees it: an oversized body is 413,
malformed JSON or an activity without a type is 400, and a missing, forged or expired token is 401
(with MicrosoftAppId set). Without MicrosoftAppId it runs in local mode, as the Bot Framework
Emulator expects: no authentication, so it is fenced in to this machine instead:
  * only while the server listens on loopback (HOST 127.0.0.1, ::1, localhost); on any other HOST the
    endpoint answers 503 and says why, unless OMSTILLINGSBOT_TEAMS_LOCAL_ANY_HOST=1 (the rest of the
    server, e.g. Slack on 0.0.0.0, is not affected);
  * never from a web page: a request with Sec-Fetch-Site other than same-origin/none, an Origin other
    than the server's own, a Host header that is not a loopback name (DNS rebinding), or a body that is
    not declared JSON (which a page can only send after a CORS preflight this server never grants) is 403/415;
  * replies only to a serviceUrl of the Emulator's form, `http://localhost:<port>` (or 127.0.0.1 / [::1]),
    with no path, credentials or query. The Emulator always sends its own local server there; any other
    serviceUrl is 401. The port cannot be pinned (the Emulator picks it per run), so the fence against a
    page steering the bot's POSTs to other local ports is the cross-site refusal above.
Error bodies are sentences from bot/messages.py, never exception class names.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from copy import deepcopy
from dataclasses import dataclass, replace
from ipaddress import ip_address
from urllib.parse import urlsplit

import aiohttp
import requests
from aiohttp import web
from botbuilder.core import ActivityHandler, InvokeResponse, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity, ActivityTypes, CallerIdConstants
from botframework.connector import AsyncBfPipeline, BotFrameworkConnectorConfiguration
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import AuthenticationConstants, ConnectorFactory
from msrest.serialization import Serializer
from msrest.universal_http.aiohttp import AioHttpClientResponse
from msrest.universal_http.async_abc import AsyncHTTPSender

from bot import messages
from bot.serving.service import ChatService
from bot.settings import Settings
from bot.teams import cards, inbound
from bot.teams.keyfetch import FetchBreaker, is_fetch_failure
from bot.teams import constants as c
from bot.types import Answer, Lang, Question, VoteValue

log = logging.getLogger(__name__)

GetService = Callable[[], Awaitable[ChatService]]
PLATFORM = "teams"


@dataclass(frozen=True)
class BotConfig:
    """The attribute names botbuilder's ConfigurationBotFrameworkAuthentication reads."""

    APP_ID: str
    APP_PASSWORD: str
    APP_TYPE: str
    APP_TENANTID: str
    # Bot Framework's endpoints, set only when Settings move them off Microsoft's public cloud (see _bot_config).
    TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL: str | None = None
    TO_BOT_FROM_CHANNEL_TOKEN_ISSUER: str | None = None
    TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL: str | None = None
    TO_CHANNEL_FROM_BOT_LOGIN_URL: str | None = None
    TO_CHANNEL_FROM_BOT_OAUTH_SCOPE: str | None = None
    OAUTH_URL: str | None = None
    CALLER_ID: str | None = None


def _bot_config(settings: Settings) -> BotConfig:
    """The app's credentials, and Bot Framework's endpoints when ToBotFromChannelOpenIdMetadataUrl or
    ToChannelFromBotLoginUrl is set. Setting any endpoint switches botbuilder from its built-in public-cloud
    constants to its "parameterized" authentication, which needs all of them: the ones not moved keep the
    public cloud's values, so tokens are checked exactly as in the public cloud (issuer, audience = app id,
    serviceUrl claim, key endorsed for the channel), only against the configured keys."""
    config = BotConfig(settings.microsoft_app_id, settings.microsoft_app_password, settings.microsoft_app_type,
                       settings.microsoft_app_tenant_id)
    if not (settings.teams_openid_metadata_url or settings.teams_login_url):
        return config
    public = AuthenticationConstants
    return replace(
        config,
        TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=settings.teams_openid_metadata_url
        or public.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL,
        TO_BOT_FROM_CHANNEL_TOKEN_ISSUER=public.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER,
        TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL=public.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL,
        TO_CHANNEL_FROM_BOT_LOGIN_URL=settings.teams_login_url or public.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX,
        TO_CHANNEL_FROM_BOT_OAUTH_SCOPE=public.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE,
        OAUTH_URL=public.OAUTH_URL,
        CALLER_ID=CallerIdConstants.public_azure_channel,
    )


class Rendered(Activity):
    """An activity bot.teams.cards rendered as the Bot Connector's JSON (`wire`), sent through botbuilder.

    botbuilder still addresses it (from, recipient, conversation, replyToId are set on this otherwise
    empty shell) and routes it; `_RenderedSerializer` then posts the address merged into the JSON.
    Rebuilding a card as msrest models only for botbuilder to deep-copy, re-read, validate and
    serialise them again cost ~4 ms of the event loop a reply, a third of its time in a burst of 50;
    and msrest's Entity writes only "type", so the citation entity's schema.org fields needed a model
    of their own."""

    def __init__(self, wire: dict) -> None:
        super().__init__(type=wire.get("type", ActivityTypes.message))
        self.wire = wire

    def __deepcopy__(self, memo: dict) -> "Rendered":
        # botbuilder copies every activity before addressing it; the shell is all it addresses, and the
        # JSON is never changed after rendering, so the copy shares it.
        copied = Rendered(self.wire)
        copied.__dict__.update(deepcopy({k: v for k, v in self.__dict__.items() if k != "wire"}, memo))
        return copied


class _RenderedSerializer(Serializer):
    """The connector client's serializer, which sends a `Rendered` activity's JSON with its address."""

    def body(self, data, data_type, **kwargs):  # noqa: ANN001, ANN201 - msrest's signature
        if not isinstance(data, Rendered):
            return super().body(data, data_type, **kwargs)
        # The shell holds only what botbuilder copied from the incoming activity: nothing to re-read or
        # validate (`body` would do both first), only to write out, and only the handful of its 42
        # attributes that are set (walking all of them was ~0.1 ms a reply).
        fields = Activity._attribute_map
        address = {fields[name]["key"]: self.serialize_data(value, fields[name]["type"], **kwargs)
                   for name, value in vars(data).items() if value is not None and name in fields}
        return {**data.wire, **address}


def _mentions(activity: Activity) -> list[inbound.Mention]:
    return inbound.mentions_from_entities((e.type, e.additional_properties or {}) for e in activity.entities or [])


def _voter(activity: Activity) -> str:
    """Only ever hashed into a per-answer voter key (ChatService.vote); never stored or logged."""
    sender = activity.from_property
    return (sender.aad_object_id or sender.id or "") if sender else ""


def _message_ref(activity: Activity, activity_id: str) -> tuple[str, str]:
    return inbound.conversation_key(activity.conversation.id if activity.conversation else ""), activity_id


def _in_group(activity: Activity) -> bool:
    conversation = activity.conversation
    return bool(conversation and (conversation.is_group or conversation.conversation_type in ("channel", "groupChat")))


class TeamsBot(ActivityHandler):
    def __init__(self, get_service: GetService, typing_after_s: float = c.TYPING_AFTER_S) -> None:
        self._get_service = get_service
        self._typing_after_s = typing_after_s

    async def on_turn(self, turn_context: TurnContext) -> None:
        """A redelivered message, reaction or install is not handled twice; it is marked handled only
        once it has been (a crash in between means the redelivery is handled, not lost). An invoke is
        always handled: a vote is idempotent per voter, and Teams must get the same 200 again."""
        activity = turn_context.activity
        if not (activity.id and activity.type in (ActivityTypes.message, ActivityTypes.conversation_update,
                                                  ActivityTypes.message_reaction)):
            await super().on_turn(turn_context)
            return
        service = await self._get_service()
        delivery = f"{activity.type}:{activity.id}"
        if not await service.begin_delivery(PLATFORM, delivery):
            return  # a redelivery of something already handled (or being handled now)
        handled = False
        try:
            await super().on_turn(turn_context)
            handled = True
        finally:
            await service.finish_delivery(PLATFORM, delivery, handled)

    # --- messages: questions, commands and card vote buttons ---------------------------------------

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        service = await self._get_service()
        vote = inbound.card_vote(activity.value)
        if vote is not None:
            _, text = await self._vote_outcome(service, activity, vote.answer_id, vote.value, vote.lang)
            await self._tell(turn_context, text)
            return
        # A suggestion button on one of our cards: its question, asked in the card's conversation (a
        # click is addressed to the bot, so no @mention is needed in a channel or group chat).
        text = inbound.card_ask(activity.value)
        if text is None:
            if activity.value is not None and not (activity.text or "").strip():
                return  # some other card's submit: nothing was asked
            bot_id = activity.recipient.id if activity.recipient else ""
            incoming = inbound.incoming_text(activity.text, _mentions(activity), bot_id or "")
            if _in_group(activity) and not incoming.mentions_bot:
                return  # in channels and group chats the bot speaks only when @mentioned
            text = incoming.text
        # The conversation id carries the reply chain in channels (";messageid=…"), so a follow-up in a
        # chain uses that chain's context, and a personal chat is one conversation.
        conversation = activity.conversation.id if activity.conversation else ""
        answer = await self._answer(turn_context, service, text, conversation or "")
        native = activity.channel_id in c.NATIVE_FEEDBACK_CHANNELS
        personal = bool(activity.conversation and activity.conversation.conversation_type == "personal")
        sent = await turn_context.send_activity(Rendered(cards.answer_activity(
            answer, native_feedback=native, quick_replies=personal)))
        if answer.wants_feedback and answer.answer_id and sent is not None and sent.id:
            await service.remember_message(PLATFORM, _message_ref(activity, sent.id), answer.answer_id)

    async def _answer(self, turn_context: TurnContext, service: ChatService, text: str,
                      conversation: str = "") -> Answer:
        typing = asyncio.create_task(self._typing_later(turn_context))
        try:
            return await service.respond(Question(text, platform=PLATFORM, conversation=conversation))
        finally:
            typing.cancel()

    async def _typing_later(self, turn_context: TurnContext) -> None:
        """Show "typing…" only when an answer is slow, so a quick answer costs no extra request."""
        await asyncio.sleep(self._typing_after_s)
        try:
            await turn_context.send_activity(Activity(type=ActivityTypes.typing))
        except Exception as exc:  # noqa: BLE001 - a lost typing indicator must not fail the answer
            log.debug("typing indicator not sent: %s", type(exc).__name__)

    # --- votes: Teams' feedback loop, reactions ---------------------------------------------------

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        if turn_context.activity.name != c.INVOKE_SUBMIT_ACTION:
            return await super().on_invoke_activity(turn_context)  # 501 for invokes this bot does not offer
        feedback = inbound.native_feedback(turn_context.activity.value)
        if feedback is not None:
            await self._tell(turn_context, await self._native_feedback(turn_context.activity, feedback))
        return InvokeResponse(status=200, body={})  # Teams rejects a non-empty body for this invoke

    async def _native_feedback(self, activity: Activity, feedback: inbound.NativeFeedback) -> str:
        service = await self._get_service()
        if not activity.reply_to_id:
            return messages.text("vote_unknown")
        found = await service.find_answer(PLATFORM, _message_ref(activity, activity.reply_to_id))
        if not found.store_ok:
            return messages.text("vote_not_saved")  # the store is down: "not saved", not "unknown answer"
        answer_id = found.answer_id
        if answer_id is None:
            return messages.text("vote_unknown")
        saved, text = await self._vote_outcome(service, activity, answer_id, feedback.value, "nb")
        if saved and feedback.text and not await service.feedback_text(PLATFORM, answer_id, _voter(activity), feedback.text):
            return messages.text("teams_feedback_text_not_saved")
        return text

    async def on_message_reaction_activity(self, turn_context: TurnContext) -> None:
        """👍 on an answer is an up vote; removing it retracts. Silent when saved (the reaction itself
        shows), told when not; reactions on other messages (welcome, thanks) are ignored."""
        activity = turn_context.activity
        votes = inbound.reaction_votes([r.type for r in activity.reactions_added or []],
                                       [r.type for r in activity.reactions_removed or []])
        if not votes or not activity.reply_to_id:
            return
        service = await self._get_service()
        found = await service.find_answer(PLATFORM, _message_ref(activity, activity.reply_to_id))
        if not found.store_ok:
            await self._tell(turn_context, messages.text("vote_not_saved"))
            return
        answer_id = found.answer_id
        if answer_id is None:
            return
        for value in votes:
            saved, text = await self._vote_outcome(service, activity, answer_id, value, "nb")
            if not saved:
                await self._tell(turn_context, text)

    async def _vote_outcome(self, service: ChatService, activity: Activity, answer_id: str, value: VoteValue,
                            lang: Lang) -> tuple[bool, str]:
        voter = _voter(activity)
        if not voter:
            return False, messages.text("vote_not_saved", lang)
        outcome = await service.vote(PLATFORM, answer_id, voter, value, lang)
        return outcome.saved, outcome.message

    # --- installation ----------------------------------------------------------------------------

    async def on_conversation_update_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        bot_id = activity.recipient.id if activity.recipient else None
        if bot_id and any(member.id == bot_id for member in activity.members_added or []):
            service = await self._get_service()
            scope = service.dialogue.scope("nb") if service.dialogue is not None else ""
            await turn_context.send_activity(Rendered(cards.welcome_activity(scope=scope)))

    # --- plumbing --------------------------------------------------------------------------------

    @staticmethod
    async def _tell(turn_context: TurnContext, text: str) -> None:
        await turn_context.send_activity(Rendered(cards.notice_activity(text)))

    async def on_error(self, turn_context: TurnContext, error: Exception) -> None:
        """Log the kind of failure (never message text or ids) and tell the user, if there is one."""
        log.error("Teams turn failed (%s): %s", turn_context.activity.type, type(error).__name__)
        if turn_context.activity.type == ActivityTypes.message:
            try:
                await self._tell(turn_context, messages.text("teams_error"))
            except Exception as exc:  # noqa: BLE001 - the connector itself may be what failed
                log.warning("could not report the failure: %s", type(exc).__name__)


class _Response(AioHttpClientResponse):
    def body(self) -> bytes:
        return self._body or b""  # msrest's version raises on an empty body


class _AioDriver(AsyncHTTPSender):
    """Bot Connector calls over one shared aiohttp session (kept-alive connections), on the event loop.

    botframework-connector's default driver runs `requests` in the loop's default executor, where
    every reply queued behind the engine's work and opened a new connection. Throttling (429) and
    brief outages (503, dropped connections) are retried a few times, as the SDK's driver did."""

    def __init__(self, http: aiohttp.ClientSession) -> None:
        self._http = http
        # Only a carrier for the Authorization header: botframework's credentials policy "signs" this
        # session (sets or removes the header) before each call.
        self.session = requests.Session()

    async def __aenter__(self) -> "_AioDriver":
        return self

    async def __aexit__(self, *exc_details: object) -> None:
        return None

    async def send(self, request, **config: object) -> _Response:  # noqa: ANN001 - msrest ClientRequest
        headers = dict(request.headers)
        token = self.session.headers.get("Authorization")
        if token:
            headers["Authorization"] = token
        for attempt in range(c.CONNECTOR_RETRIES + 1):
            try:
                raw = await self._http.request(request.method, request.url, headers=headers, data=request.data)
            except aiohttp.ClientConnectionError:
                if attempt == c.CONNECTOR_RETRIES:
                    raise
                await asyncio.sleep(c.CONNECTOR_BACKOFF_S * 2**attempt)
                continue
            if raw.status not in (429, 503) or attempt == c.CONNECTOR_RETRIES:
                break
            wait = raw.headers.get("Retry-After", "")
            raw.release()
            await asyncio.sleep(min(float(wait) if wait.isdigit() else c.CONNECTOR_BACKOFF_S * 2**attempt,
                                    c.CONNECTOR_RETRY_AFTER_MAX_S))
        response = _Response(request, raw)
        await response.load_body()
        return response


class _CachedConnectorFactory(ConnectorFactory):
    """One ConnectorClient per (serviceUrl, audience), reused across turns over the aiohttp driver.

    The SDK builds a new client for every activity (msrest's retry set-up alone costs milliseconds);
    its factory still picks the credentials for the cloud and app id, once per service URL."""

    def __init__(self, inner: ConnectorFactory, http: aiohttp.ClientSession, cache: OrderedDict) -> None:
        self._inner, self._http, self._cache = inner, http, cache

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        key = (service_url, audience)
        client = self._cache.get(key)
        if client is None:
            credentials = (await self._inner.create(service_url, audience)).config.credentials
            # A driver per client: its header carrier must only ever hold this client's credentials.
            config = BotFrameworkConnectorConfiguration(credentials, service_url, pipeline_type=AsyncBfPipeline,
                                                        driver=_AioDriver(self._http))
            client = ConnectorClient(credentials, base_url=service_url, custom_configuration=config)
            serializer = _RenderedSerializer(client.conversations._serialize.dependencies)
            serializer.client_side_validation = client.conversations._serialize.client_side_validation
            client.conversations._serialize = serializer  # every reply and welcome goes through `conversations`
            self._cache[key] = client
            if len(self._cache) > c.CONNECTOR_CLIENTS:
                self._cache.popitem(last=False)
        return client


class _Authentication(ConfigurationBotFrameworkAuthentication):
    async def create_user_token_client(self, claims_identity):  # noqa: ANN001, ANN201
        """The bot has no sign-in flow, so it needs no OAuth token client (the SDK would build one per activity)."""
        return None


def _is_loopback_host(host: str) -> bool:
    host = host.strip().strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def is_emulator_service_url(url: str | None) -> bool:
    """The serviceUrl the Bot Framework Emulator sends: its own local server, `http://localhost:<port>`."""
    if not isinstance(url, str):
        return False
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a port that is not a number
        return False
    return (parts.scheme == "http" and port is not None and parts.username is None and parts.password is None
            and _is_loopback_host(parts.hostname or "") and parts.path in ("", "/")
            and not parts.query and not parts.fragment)


def _from_a_web_page(request: web.Request, loopback_names_only: bool) -> bool:
    """A browser's request (Fetch Metadata, Origin) that is not the server's own page, or (with
    `loopback_names_only`) one addressed by a name that is not this machine's (a page that rebound its own
    name to 127.0.0.1)."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site.lower() not in ("same-origin", "none"):
        return True
    host = request.host or ""
    origin = request.headers.get("Origin")
    if origin is not None and origin != f"{request.scheme}://{host}":
        return True
    if not loopback_names_only:
        return False
    try:
        name = urlsplit(f"//{host}").hostname or ""
    except ValueError:
        return True
    return not _is_loopback_host(name)


def _invoke_body(body: object) -> object:
    """An invoke response's body as JSON. botbuilder refuses some invokes (an adaptiveCard/action whose
    value is not an object: 400) with a model whose value is an Exception, which neither json.dumps nor
    msrest can write (it was a 500): that one is written in Universal Actions' error shape."""
    if body is None or isinstance(body, (dict, list, str, int, float, bool)):
        return body
    try:
        return body.serialize()  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - msrest's SerializationError, or no serialize at all
        args = getattr(getattr(body, "value", None), "args", ()) or ("Error",)
        return {"statusCode": int(getattr(body, "status_code", 0) or 0), "type": getattr(body, "type", None),
                "value": {"code": str(args[0]), "message": str(args[-1])}}


def _error(key: str, status: int, **values: object) -> web.Response:
    return web.json_response({"error": messages.text(key, **values)}, status=status,
                             dumps=lambda o: json.dumps(o, ensure_ascii=False))


class TeamsEndpoint:
    def __init__(self, settings: Settings, get_service: GetService, typing_after_s: float = c.TYPING_AFTER_S) -> None:
        self.settings = settings
        try:
            self.auth = _Authentication(_bot_config(settings), logger=log)
        except Exception as exc:  # the SDK raises bare Exceptions for missing SingleTenant / MSI settings
            raise RuntimeError(messages.text("teams_config_error", detail=str(exc))) from exc
        self.adapter = CloudAdapter(self.auth)
        self.bot = TeamsBot(get_service, typing_after_s)
        self.adapter.on_turn_error = self.bot.on_error
        # Token validation may fetch OpenID metadata with a blocking HTTP call: keep it off the event loop.
        self._auth_pool = ThreadPoolExecutor(c.AUTH_THREADS, thread_name_prefix="teams-auth")
        self._key_fetch = FetchBreaker()  # rate-limits the key-metadata fetch while it fails
        self._http: aiohttp.ClientSession | None = None  # made on the first request, inside the running loop
        self._clients: OrderedDict = OrderedDict()

    @property
    def local_mode(self) -> bool:
        return not self.settings.microsoft_app_id

    @property
    def local_mode_off(self) -> bool:
        """Local mode on a HOST others can reach, not explicitly allowed: the endpoint refuses everything."""
        return (self.local_mode and not self.settings.teams_local_any_host
                and not _is_loopback_host(self.settings.host))

    def _local_refusal(self, request: web.Request) -> web.Response | None:
        if self.local_mode_off:
            return _error("teams_local_off", 503, host=self.settings.host)
        if _from_a_web_page(request, loopback_names_only=not self.settings.teams_local_any_host):
            return _error("teams_local_cross_site", 403)
        if request.content_type != "application/json":
            return _error("teams_local_json", 415)
        return None

    async def handle(self, request: web.Request) -> web.Response:
        if self.local_mode and (refused := self._local_refusal(request)) is not None:
            return refused
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return _error("request_too_large", 413, limit=self.settings.max_body_bytes)
        try:
            payload = json.loads(body)
            activity = Activity().deserialize(payload) if isinstance(payload, dict) and payload.get("type") else None
        except Exception:  # noqa: BLE001 - invalid JSON, or fields of the wrong shape
            activity = None
        if activity is None or not isinstance(activity.type, str) or not activity.conversation \
                or not isinstance(activity.conversation.id, str):
            return _error("teams_bad_request", 400)
        try:
            authenticated = await self._authenticate(activity, request.headers.get("Authorization"))
        except Exception as exc:  # noqa: BLE001 - PermissionError, JWT decode errors, metadata fetch failures
            log.info("Teams request rejected: %s", type(exc).__name__)
            return _error("teams_unauthorized", 401)
        if self._http is None:
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=c.CONNECTOR_TIMEOUT_S))
        authenticated.connector_factory = _CachedConnectorFactory(authenticated.connector_factory, self._http,
                                                                  self._clients)
        try:
            response = await self.adapter.process_activity(authenticated, activity, self.bot.on_turn)
        except Exception as exc:  # noqa: BLE001 - failures outside the turn (connector set-up); the turn has on_error
            log.error("Teams activity failed (%s): %s", activity.type, type(exc).__name__)
            return _error("teams_internal_error", 500)  # the class name stays in the log
        if response is not None:
            return web.json_response(_invoke_body(response.body), status=response.status)
        return web.Response(status=200)

    async def _authenticate(self, activity: Activity, header: str | None):
        if self.local_mode and (header or not is_emulator_service_url(activity.service_url)):
            # Local mode trusts nobody's token and answers only the Emulator's own local server.
            raise PermissionError("local mode accepts only unauthenticated requests for the Emulator's serviceUrl")
        if not header:
            return await self.auth.authenticate_request(activity, None)
        if self._key_fetch.open:  # Microsoft's key endpoint failed a moment ago: no new fetch per token
            raise PermissionError("token-signing keys unavailable; retrying after a back-off")
        work = self.auth.authenticate_request(activity, header)
        future = asyncio.get_running_loop().run_in_executor(self._auth_pool, asyncio.run, work)
        try:
            authenticated = await asyncio.wait_for(future, c.AUTH_TIMEOUT_S)
        except Exception as exc:
            if is_fetch_failure(exc):
                self._key_fetch.failed()
            raise
        self._key_fetch.succeeded()
        return authenticated

    async def close(self, _app: web.Application | None = None) -> None:
        self._auth_pool.shutdown(wait=False, cancel_futures=True)
        if self._http is not None:
            await self._http.close()


def mount(app: web.Application, settings: Settings, get_service: GetService, *,
          typing_after_s: float = c.TYPING_AFTER_S) -> TeamsEndpoint:
    endpoint = TeamsEndpoint(settings, get_service, typing_after_s)
    app.router.add_post(c.MESSAGES_PATH, endpoint.handle)
    app.on_cleanup.append(endpoint.close)
    if endpoint.local_mode_off:
        log.warning(messages.text("teams_local_off", host=settings.host))
    elif endpoint.local_mode:
        log.warning(messages.text("teams_local_mode"))
    else:
        log.info(messages.text("teams_auth_on", app_type=settings.microsoft_app_type))
    return endpoint

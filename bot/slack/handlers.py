"""Bolt listeners: Slack payload in, `ChatService` call, Block Kit out. No retrieval logic here.

Listeners run after bolt has acknowledged the request (process_before_response=False), so Slack
gets its 200 at once and the answer follows through the Web API or the response_url.
Nothing here logs message text or user ids; failures are logged by Web API method and error code.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable

import aiohttp
from slack_bolt.async_app import AsyncApp, AsyncAssistant
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot import messages
from bot.answering.language import detect
from bot.serving.service import ChatService
from bot.slack import blocks, inbound
from bot.slack import constants as c
from bot.types import Answer, Question

log = logging.getLogger(__name__)

GetService = Callable[[], Awaitable[ChatService]]
WEB_TIMEOUT_S = 10
DRAIN_TIMEOUT_S = 15


class SlackHandlers:
    def __init__(self, get_service: GetService, retry_handlers: list[AsyncRetryHandler],
                 session: aiohttp.ClientSession | None = None, progress_after_s: float = c.PROGRESS_AFTER_S,
                 feedback_style: blocks.FeedbackStyle = "buttons") -> None:
        self.get_service = get_service
        # "context_actions": Slack's feedback_buttons element (OMSTILLINGSBOT_SLACK_FEEDBACK_BUTTONS);
        # on_vote handles both kinds, so answers posted before a switch keep working.
        self.feedback_style = feedback_style
        self.retry_handlers = retry_handlers
        self.session = session
        self.progress_after_s = progress_after_s
        self._in_flight: set[asyncio.Task] = set()

    def register(self, app: AsyncApp) -> None:
        # The assistant surface (split view): its middleware takes assistant_thread_started and the
        # user's messages in assistant threads (DM messages with a thread_ts) before the listeners below.
        assistant = AsyncAssistant()
        assistant.thread_started(self._tracked(self.on_assistant_thread_started))
        assistant.user_message(self._tracked(self.on_assistant_message))
        assistant.thread_context_changed(self.on_assistant_context_changed)
        app.assistant(assistant)
        app.event("app_mention")(self._tracked(self.on_mention))
        app.event("message")(self._tracked(self.on_message))
        app.event("reaction_added")(self._tracked(self.on_reaction_added))
        app.event("reaction_removed")(self._tracked(self.on_reaction_removed))
        app.command(c.SLASH_COMMAND)(self._tracked(self.on_command))
        app.action(c.VOTE_ACTION_PATTERN)(self._tracked(self.on_vote))
        app.action(c.ACTION_SHARE)(self._tracked(self.on_share))
        app.action(c.ASK_ACTION_PATTERN)(self._tracked(self.on_ask))
        # Any other event we are subscribed to (or that a workspace admin adds) is acknowledged and
        # ignored, so Slack does not retry it or switch the subscription off. Registered last.
        app.event(c.ANY_EVENT)(self.on_other_event)

    def _tracked(self, handler: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
        """Remember the listener task while it runs: Slack already has its 200, so shutdown must wait for it."""

        @functools.wraps(handler)  # bolt reads the wrapped signature to choose which arguments to pass
        async def run(**kwargs: object) -> None:
            task = asyncio.current_task()
            if task is not None:
                self._in_flight.add(task)
            try:
                await handler(**kwargs)
            finally:
                self._in_flight.discard(task)  # type: ignore[arg-type]

        return run

    async def drain(self, timeout: float = DRAIN_TIMEOUT_S) -> None:
        """Let answers and votes already promised to Slack finish before the server closes the store."""
        pending = {task for task in self._in_flight if task is not asyncio.current_task()}
        if pending:
            await asyncio.wait(pending, timeout=timeout)

    # ---- conversation -------------------------------------------------------------------------

    async def on_mention(self, body: dict, event: dict, client: AsyncWebClient) -> None:
        channel = event.get("channel", "")
        # In a direct message the same text also arrives as message.im; answer it there, once.
        if not inbound.is_user_message(event) or channel.startswith("D"):
            return
        if not await self._first(body):
            return
        thread_ts = event.get("thread_ts") or event.get("ts")
        question = Question(inbound.question_text(event["text"]), platform="slack",
                            conversation=_conversation(body, channel, thread_ts))
        await self._answer(client, channel, thread_ts, question)

    async def on_message(self, body: dict, event: dict, client: AsyncWebClient) -> None:
        if not inbound.is_user_message(event):
            return
        channel, thread_ts = event.get("channel", ""), event.get("thread_ts")
        if event.get("channel_type") == "im":
            if not await self._first(body):
                return
            question = Question(inbound.question_text(event["text"]), platform="slack",
                                conversation=_conversation(body, channel, thread_ts))
            await self._answer(client, channel, thread_ts, question)
            return
        # A channel message: only a reply in a thread the bot takes part in, addressed to nobody else.
        # Top-level chatter is never answered; a message that mentions the bot arrives as app_mention.
        if not thread_ts or event.get("channel_type") not in ("channel", "group"):
            return
        if c.MENTION.search(event["text"]):
            return
        conversation = _conversation(body, channel, thread_ts)
        service = await self.get_service()
        if not await service.takes_part("slack", conversation) or not await self._first(body):
            return
        question = Question(inbound.question_text(event["text"]), platform="slack", conversation=conversation)
        await self._answer(client, channel, thread_ts, question)

    async def _answer(self, client: AsyncWebClient, channel: str, thread_ts: str | None, question: Question,
                      clicked: str | None = None) -> None:
        """Post the answer; if it takes longer than a moment, post a placeholder first and replace it."""
        service = await self.get_service()
        # An acknowledged message is never dropped: with the engine queue full it waits its turn, and
        # the placeholder (at once) says the bot is busy rather than just working.
        busy = service.busy
        task = asyncio.ensure_future(service.respond(question))
        placeholder_ts = None
        try:
            answer = await asyncio.wait_for(asyncio.shield(task), 0 if busy else self.progress_after_s)
        except TimeoutError:
            working = blocks.notice_message(messages.text("busy" if busy else "working", detect(question.text)))
            posted = await _call(client, "chat.postMessage", channel=channel, thread_ts=thread_ts, **working)
            placeholder_ts = posted["ts"] if posted else None
            answer = await task
        message = blocks.answer_message(answer, style=self.feedback_style, clicked=clicked)
        if placeholder_ts:
            done = await _call(client, "chat.update", channel=channel, ts=placeholder_ts, **message)
        else:
            done = await _call(client, "chat.postMessage", channel=channel, thread_ts=thread_ts, **message)
        if done and answer.wants_feedback:
            await service.remember_message("slack", (channel, done["ts"]), answer.answer_id)

    # ---- the assistant surface ----------------------------------------------------------------

    async def on_assistant_thread_started(self, body: dict, event: dict, client: AsyncWebClient,
                                          set_suggested_prompts: Callable[..., Awaitable]) -> None:
        """A user opened a new assistant thread: greet, and offer a few questions to start with."""
        thread = event.get("assistant_thread") or {}
        channel, thread_ts = thread.get("channel_id"), thread.get("thread_ts")
        if not channel or not thread_ts or not await self._first(body):
            return
        service = await self.get_service()
        scope = service.dialogue.scope("nb") if service.dialogue is not None else ""
        await _call(client, "chat.postMessage", channel=channel, thread_ts=thread_ts,
                    **blocks.greeting_message(messages.text("assistant_greeting", "nb"), scope))
        prompts = [{"title": q, "message": q} for q in messages.suggested_questions("nb")]
        try:
            await set_suggested_prompts(prompts=prompts, title=messages.text("assistant_prompts_title", "nb"))
        except (SlackApiError, SlackClientError, aiohttp.ClientError, asyncio.TimeoutError) as exc:
            log.warning("slack assistant.threads.setSuggestedPrompts failed: %s", _error_code(exc))

    async def on_assistant_message(self, body: dict, event: dict, client: AsyncWebClient,
                                   set_status: Callable[..., Awaitable], set_title: Callable[..., Awaitable],
                                   set_suggested_prompts: Callable[..., Awaitable]) -> None:
        """A message in an assistant thread (or a threaded DM): Slack shows our status while the
        engine works, instead of a placeholder message; the first question becomes the thread's title."""
        if not inbound.is_user_message(event) or not await self._first(body):
            return
        channel, thread_ts = event["channel"], event["thread_ts"]
        text = inbound.question_text(event["text"])
        lang = detect(text)
        service = await self.get_service()
        conversation = _conversation(body, channel, thread_ts)
        calls = [(set_status, {"status": messages.text("assistant_status", lang)})]
        if text and not await service.takes_part("slack", conversation):  # the thread's first question names it
            calls.append((set_title, {"title": text[: c.TITLE_MAX]}))
        for call, kwargs in calls:
            try:
                await call(**kwargs)
            except (SlackApiError, SlackClientError, aiohttp.ClientError, asyncio.TimeoutError) as exc:
                log.warning("slack assistant call failed: %s", _error_code(exc))
        answer = await service.respond(Question(text, platform="slack", conversation=conversation))
        # Posting the answer clears the status (Slack's documented behaviour for assistant threads). The
        # next steps become the thread's suggested prompts, the assistant surface's own buttons, instead
        # of a row of buttons in the message.
        steps = answer.suggestions[: c.MAX_SUGGESTED_PROMPTS]
        done = await _call(client, "chat.postMessage", channel=channel, thread_ts=thread_ts,
                           **blocks.answer_message(answer, style=self.feedback_style, suggestions=not steps))
        if done and answer.wants_feedback:
            await service.remember_message("slack", (channel, done["ts"]), answer.answer_id)
        if steps:
            try:
                await set_suggested_prompts(prompts=[{"title": s.label, "message": s.ask} for s in steps],
                                            title=messages.text("assistant_prompts_title", answer.lang))
            except (SlackApiError, SlackClientError, aiohttp.ClientError, asyncio.TimeoutError) as exc:
                log.warning("slack assistant.threads.setSuggestedPrompts failed: %s", _error_code(exc))

    async def on_assistant_context_changed(self, body: dict) -> None:
        """The user moved to another channel with the assistant open; the bot does not use that context
        (bolt's default would store it by editing the bot's first reply, which needs history scopes)."""

    # ---- slash command and sharing ------------------------------------------------------------

    async def on_command(self, ack: Callable[..., Awaitable], body: dict) -> None:
        # Acknowledge at once (Slack allows 3 s; the engine may still be loading), answer via response_url.
        await ack()
        text = inbound.question_text(body.get("text", ""))
        service = await self.get_service()
        answer = await service.respond(Question(text, platform="slack", via_command=True))
        share = text if _shareable(answer) else None
        await self._respond(body.get("response_url"), {
            **blocks.answer_message(answer, share_value=share, style=self.feedback_style), "response_type": "ephemeral"})

    async def on_share(self, ack: Callable[..., Awaitable], body: dict, action: dict, client: AsyncWebClient) -> None:
        """Post an ephemeral slash-command answer in the channel for everyone.

        The button carries the command text, not the answer: the answer is run again (the engine is
        deterministic), so nothing about the asker has to be kept between the two clicks."""
        await ack()
        text = action.get("value")
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        if not isinstance(text, str) or not channel:
            return
        service = await self.get_service()
        answer = await service.respond(Question(text, platform="slack", via_command=True))
        # Shared top-level in the channel: no conversation there for a suggestion to continue.
        message = blocks.answer_message(answer, asked=text, style=self.feedback_style, suggestions=False)
        posted = await _call(client, "chat.postMessage", channel=channel, **message)
        url = body.get("response_url")
        if posted:
            if answer.wants_feedback:
                await service.remember_message("slack", (channel, posted["ts"]), answer.answer_id)
            await self._respond(url, {"delete_original": True})
        elif await self._respond(url, {**message, "response_type": "in_channel", "replace_original": False}):
            # The bot is not in that channel; the response_url can still post there (no reactions then).
            await self._respond(url, {"delete_original": True})
        else:
            await self._respond(url, {**blocks.notice_message(messages.text("share_failed", answer.lang)),
                                      "response_type": "ephemeral", "replace_original": False})

    async def on_ask(self, ack: Callable[..., Awaitable], body: dict, action: dict, client: AsyncWebClient) -> None:
        """A suggested next question was clicked: ask it where the button is, in that conversation (the
        thread, or the direct message), as if the user had typed it. Under an ephemeral slash-command
        answer there is no conversation: the answer comes back the same way, visible to the clicker only."""
        await ack()
        text = action.get("value")
        if not isinstance(text, str) or not text.strip():
            return
        text = " ".join(text.split())  # a button's value is our own text, not Slack markup
        container = body.get("container") or {}
        channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
        service = await self.get_service()
        if container.get("is_ephemeral") or not channel:
            answer = await service.respond(Question(text, platform="slack", via_command=True))
            share = text if _shareable(answer) else None
            await self._respond(body.get("response_url"), {
                **blocks.answer_message(answer, share_value=share, style=self.feedback_style, clicked=text),
                "response_type": "ephemeral", "replace_original": False})
            return
        thread_ts = container.get("thread_ts")
        question = Question(text, platform="slack", conversation=_conversation(body, channel, thread_ts))
        await self._answer(client, channel, thread_ts, question, clicked=text)

    # ---- feedback -----------------------------------------------------------------------------

    async def on_vote(self, ack: Callable[..., Awaitable], body: dict, action: dict, client: AsyncWebClient) -> None:
        await ack()
        vote = inbound.parse_vote_value(action.get("value"))
        user = (body.get("user") or {}).get("id")
        if vote is None or not user:
            log.info("ignored a vote action with an unreadable value")
            return
        service = await self.get_service()
        outcome = await service.vote("slack", vote.answer_id, user, vote.value, vote.lang)
        container = body.get("container") or {}
        if container.get("is_ephemeral") or not container.get("channel_id"):
            await self._respond(body.get("response_url"), {
                **blocks.notice_message(outcome.message), "response_type": "ephemeral", "replace_original": False})
        else:
            await _call(client, "chat.postEphemeral", channel=container["channel_id"], user=user,
                        thread_ts=container.get("thread_ts"), **blocks.notice_message(outcome.message))

    async def on_reaction_added(self, body: dict, event: dict, client: AsyncWebClient, context: dict) -> None:
        await self._reaction(body, event, client, context, removed=False)

    async def on_reaction_removed(self, body: dict, event: dict, client: AsyncWebClient, context: dict) -> None:
        await self._reaction(body, event, client, context, removed=True)

    async def _reaction(self, body: dict, event: dict, client: AsyncWebClient, context: dict, removed: bool) -> None:
        """:+1:/:-1: on one of the bot's answers is a vote; removing it withdraws the vote."""
        value = inbound.reaction_vote(event.get("reaction"))
        item = event.get("item") or {}
        user = event.get("user")
        bot_user = context.get("bot_user_id")
        # Reactions on other people's messages are not votes: skip them before touching the store.
        if value is None or item.get("type") != "message" or not user or (bot_user and event.get("item_user") != bot_user):
            return
        if not await self._first(body):
            return
        service = await self.get_service()
        answer_id = await service.answer_id_for("slack", (item.get("channel", ""), item.get("ts", "")))
        if answer_id is None:
            return
        outcome = await service.vote("slack", answer_id, user, "none" if removed else value, "nb")
        await _call(client, "chat.postEphemeral", channel=item["channel"], user=user,
                    **blocks.notice_message(outcome.message))

    async def on_other_event(self, body: dict) -> None:
        log.debug("ignored Slack event type %s", (body.get("event") or {}).get("type"))

    # ---- plumbing -----------------------------------------------------------------------------

    async def _first(self, body: dict) -> bool:
        """Slack retries an event it thinks was not acknowledged, and two instances may both get it."""
        service = await self.get_service()
        return await service.first_delivery("slack", str(body.get("event_id") or ""))

    async def _respond(self, url: object, message: dict) -> bool:
        """POST to an interaction's response_url (valid 30 min, 5 uses), retried like Web API calls."""
        if not isinstance(url, str) or not url:
            return False
        hook = AsyncWebhookClient(url, timeout=WEB_TIMEOUT_S, session=self.session,
                                  retry_handlers=list(self.retry_handlers))
        try:
            response = await hook.send_dict(message)
        except (aiohttp.ClientError, asyncio.TimeoutError, SlackClientError) as exc:
            log.warning("slack response_url post failed: %s", type(exc).__name__)
            return False
        if response.status_code != 200:
            log.warning("slack response_url post failed: HTTP %d", response.status_code)
            return False
        return True


def _conversation(body: dict, channel: str, thread_ts: str | None) -> str:
    """The opaque conversation key: team + channel + thread (a DM without a thread is one conversation).
    ChatService keeps only an HMAC of it. Events carry the team as `team_id`, button clicks as `team.id`."""
    team = body.get("team_id") or (body.get("team") or {}).get("id") or ""
    return ":".join((str(team), channel, thread_ts or ""))


def _error_code(exc: BaseException) -> str:
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error", "unknown_error"))
    return type(exc).__name__


def _shareable(answer: Answer) -> bool:
    return answer.kind in ("answer", "listing")


async def _call(client: AsyncWebClient, method: str, **kwargs: object) -> dict | None:
    """One Web API call (the client retries 429/5xx/connection errors); None and a log line on failure."""
    payload = {k: v for k, v in kwargs.items() if v is not None}
    try:
        response = await client.api_call(method, json=payload)
    except SlackApiError as exc:
        log.warning("slack %s failed: %s", method, exc.response.get("error", "unknown_error"))
        return None
    except (aiohttp.ClientError, asyncio.TimeoutError, SlackClientError) as exc:
        log.warning("slack %s failed: %s", method, type(exc).__name__)
        return None
    return response.data if isinstance(response.data, dict) else None

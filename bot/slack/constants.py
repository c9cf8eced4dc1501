"""Every identifier Slack sees from this app, in one place: the manifest, the renderers and the handlers agree on these.

Changing a value here changes what old messages in Slack carry, so action ids and value
prefixes are treated as a wire format: old buttons must keep working after a deploy.
"""

from __future__ import annotations

import re

from bot.types import VoteValue

EVENTS_PATH = "/slack/events"
SLASH_COMMAND = "/omstilling"
DEFAULT_API_URL = "https://slack.com/api/"

# Block ids (one block of each kind per message, so fixed ids are enough).
BLOCK_ANSWER = "omstilling_answer"
BLOCK_SOURCES = "omstilling_sources"
BLOCK_FEEDBACK = "omstilling_feedback"
BLOCK_HINT = "omstilling_hint"
BLOCK_NEXT = "omstilling_next"  # the suggested next questions

# Action ids. Every vote control starts with VOTE_PREFIX so one handler serves the regular
# buttons and Slack's feedback_buttons element alike.
VOTE_PREFIX = "omstilling_vote"
ACTION_VOTE_UP = f"{VOTE_PREFIX}_up"
ACTION_VOTE_DOWN = f"{VOTE_PREFIX}_down"
ACTION_FEEDBACK_BUTTONS = f"{VOTE_PREFIX}_buttons"
VOTE_ACTION_PATTERN = re.compile(rf"^{VOTE_PREFIX}(_\w+)?$")
ACTION_SHARE = "omstilling_share"
# A suggested next question: "omstilling_ask_<n>" (action ids must differ within a block); the
# button's value is the question it asks, answered in the conversation the button was posted in.
ASK_PREFIX = "omstilling_ask"
ASK_ACTION_PATTERN = re.compile(rf"^{ASK_PREFIX}(_\d+)?$")
ANY_EVENT = re.compile(r".*")  # the catch-all listener that acknowledges events we do not use

# A vote button's value is "<up|down>:<answer_id>:<lang>"; the answer id is random (uuid4),
# so the value says nothing about who asked or voted.
VALUE_SEPARATOR = ":"
BUTTON_VALUE_MAX = 2000  # Slack's limit for a button value
BUTTON_TEXT_MAX = 75  # Slack's limit for a button's text

# Reactions on the bot's answer messages that count as votes. Slack appends skin tones
# ("+1::skin-tone-3"); those are stripped before lookup.
REACTION_VOTES: dict[str, VoteValue] = {
    "+1": "up",
    "thumbsup": "up",
    "-1": "down",
    "thumbsdown": "down",
}

# Slack's own limits that the renderer respects.
SECTION_TEXT_MAX = 3000
CONTEXT_TEXT_MAX = 3000
FALLBACK_TEXT_MAX = 3000
MAX_BLOCKS = 50

# After this long without an answer, a "working on it" message is posted and later replaced.
PROGRESS_AFTER_S = 1.5

# Thread replies and the assistant surface
TITLE_MAX = 80  # an assistant thread's title: the first words of the question
MAX_SUGGESTED_PROMPTS = 4  # Slack shows at most four suggested prompts in an assistant thread
MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")  # a user mention in message text

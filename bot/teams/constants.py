"""Every identifier Teams sees from this app, in one place: the manifest, the cards and the handlers agree on these.

Card data keys and invoke names are a wire format: a card posted before a deploy must still work
after it, so change them only together with a migration note.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.answering.commands import CommandName
from bot.types import VoteValue

MESSAGES_PATH = "/api/messages"

# Adaptive Card 1.4: rendered by Teams on desktop, web *and* mobile. Nothing here needs 1.5
# (tables, input labels), and 1.5 cards fall back to an error text on older mobile clients.
CARD_VERSION = "1.4"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"

# Invokes (activity.name) this bot answers.
INVOKE_SUBMIT_ACTION = "message/submitAction"  # Teams' native feedback form (👍/👎 on the message)
FEEDBACK_ACTION_NAME = "feedback"  # value.actionName of that invoke
FEEDBACK_REACTIONS: dict[str, VoteValue] = {"like": "up", "dislike": "down"}  # value.actionValue.reaction

# Channels whose client shows the native feedback loop (channelData.feedbackLoopEnabled).
# Everywhere else (Bot Framework Emulator, Web Chat) the card carries its own vote buttons.
NATIVE_FEEDBACK_CHANNELS = frozenset({"msteams"})
FEEDBACK_LOOP_FLAG = "feedbackLoopEnabled"

# Card vote buttons (Action.Submit) send a message activity whose value is this object.
VOTE_KEY = "omstillingsbot"  # value[VOTE_KEY] == VOTE_VERB marks our vote data
VOTE_VERB = "vote"
ASK_VERB = "ask"  # value[VOTE_KEY] == ASK_VERB: a suggested next question clicked on a card; value["ask"] is it

# Message reactions that count as votes: a 👍 ("like") is an up vote and removing it retracts it.
REACTION_UP = "like"

# The schema.org Message entity that gives the AI label and native citations.
SCHEMA_MESSAGE_TYPE = "https://schema.org/Message"
AI_GENERATED = "AIGeneratedContent"
MAX_CITATIONS = 20  # Teams rejects more
CITATION_NAME_MAX = 80
CITATION_ABSTRACT_MAX = 160
CITATION_ICON_PDF = "PDF"
SUMMARY_MAX = 200  # notification / chat-list preview text of a card message

# A typing indicator is sent only when an answer takes longer than this. Within about a second a
# reply still reads as an immediate one (the usual response-time limit for a flow of thought), so an
# indicator then only flickers before the answer; and each costs a Connector call of its own, as dear
# as the reply, which in a burst of 50 delayed every answer (p95/floor 1.32 -> 1.26 at 0.5 -> 1.0 s).
TYPING_AFTER_S = 1.0
# Bot Framework token validation may fetch OpenID metadata synchronously; it runs off the event loop.
AUTH_TIMEOUT_S = 10.0
AUTH_THREADS = 2
CONNECTOR_TIMEOUT_S = 15.0  # one call to the Bot Connector (Teams itself gives a bot 15 s)
CONNECTOR_RETRIES = 2  # on 429 / 503 / a dropped connection
CONNECTOR_BACKOFF_S = 0.2
CONNECTOR_RETRY_AFTER_MAX_S = 5.0
CONNECTOR_CLIENTS = 64  # cached Bot Connector clients (one per service URL; Teams uses a handful)


@dataclass(frozen=True)
class MenuCommand:
    word: str  # what the user types (bokmål)
    word_en: str  # the English alias
    name: CommandName  # what bot.answering.commands.parse makes of it

    @property
    def message_key(self) -> str:
        return f"teams_cmd_{self.name}"


# The command menu (manifest commandLists) and the command list on abstentions and the welcome card.
MENU: tuple[MenuCommand, ...] = (
    MenuCommand("anbefalinger", "recommendations", "recommendations"),
    MenuCommand("anbefaling", "recommendation", "recommendation"),
    MenuCommand("utfordringer", "challenges", "challenges"),
    MenuCommand("utfordring", "challenge", "challenge"),
    MenuCommand("om", "about", "about"),
    MenuCommand("hjelp", "help", "help"),
)

# The app package (manifest.json). 1.30 was the current manifest schema when this was written (Aug 2026);
# everything used here has been unchanged since 1.17.
MANIFEST_VERSION = "1.30"
MANIFEST_SCHEMA = f"https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
# The app version is a setting (OMSTILLINGSBOT_TEAMS_APP_VERSION, default 1.0.0): raise it for every update.
ACCENT_COLOR = "#1F4E79"
PACKAGE_FILE = "omstillingsbot-teams.zip"  # `teams-package --out` default, and its name inside an --out folder
COLOR_ICON = "color.png"
OUTLINE_ICON = "outline.png"
COLOR_ICON_SIZE = 192
OUTLINE_ICON_SIZE = 32
BOT_SCOPES = ("personal", "team", "groupChat")
COMMAND_TITLE_MAX = 32
COMMAND_DESCRIPTION_MAX = 128
DEVELOPER_NAME_MAX = 32

# Conversations: quick replies under answers in personal chats, prompt starters in the manifest.
MAX_QUICK_REPLIES = 4
PROMPT_STARTERS = 3  # example questions first in the personal scope's command list (messages prompt_starter_n)

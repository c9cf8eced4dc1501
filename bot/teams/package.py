"""The Teams app package an admin uploads: manifest.json, color.png (192×192) and outline.png (32×32).

The icons are drawn here with Pillow (a speech bubble quoting lines of a report), so the package
is built from source with no binary assets in the repository, and byte-for-byte the same every time.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from PIL import Image, ImageDraw

from bot import messages
from bot.settings import Settings
from bot.teams import constants as c

_GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_ZIP_TIME = (2019, 3, 1, 0, 0, 0)  # fixed, so the same input gives the same zip
_WHITE = (255, 255, 255, 255)


_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")  # Teams: MAJOR.MINOR.PATCH only
URL_MAX = 2048
SHORT_DESCRIPTION_MAX = 80
DEFAULT_PRIVACY_URL = "https://www.dfo.no/"  # when OMSTILLINGSBOT_PRIVACY_URL is not set
LONG_DESCRIPTION_MAX = 4000


@dataclass(frozen=True)
class PackageDetails:
    """What the app's details page in Teams shows about its publisher, and the version an update
    must raise. From Settings (OMSTILLINGSBOT_TEAMS_*) or `teams-package` flags; replace the
    defaults with your organisation's pages before publishing."""

    developer_name: str
    website_url: str
    privacy_url: str
    terms_url: str
    version: str
    short_description: str
    long_description: str

    @classmethod
    def from_settings(cls, settings: Settings) -> "PackageDetails":
        """Validated details; ValueError naming every setting that is wrong and why."""
        details = cls(
            developer_name=settings.teams_developer_name.strip(),
            website_url=settings.teams_website_url.strip(),
            privacy_url=settings.privacy_url.strip() or DEFAULT_PRIVACY_URL,
            terms_url=settings.teams_terms_url.strip(),
            version=settings.teams_app_version.strip(),
            short_description=settings.teams_short_description.strip() or messages.text("teams_app_short"),
            long_description=settings.teams_long_description.strip() or messages.text("teams_app_full"),
        )
        problems = details.problems()
        if problems:
            raise ValueError("; ".join(problems))
        return details

    def problems(self) -> list[str]:
        found = []
        for setting, url in (("OMSTILLINGSBOT_TEAMS_WEBSITE_URL (--website-url)", self.website_url),
                             ("OMSTILLINGSBOT_PRIVACY_URL (--privacy-url)", self.privacy_url),
                             ("OMSTILLINGSBOT_TEAMS_TERMS_URL (--terms-url)", self.terms_url)):
            parts = urlsplit(url)
            if parts.scheme != "https" or not parts.hostname or " " in url or len(url) > URL_MAX:
                found.append(messages.text("teams_package_bad_url", setting=setting, value=url))
        if not _SEMVER.match(self.version):
            found.append(messages.text("teams_package_bad_version", value=self.version))
        for setting, value, limit in (
            ("OMSTILLINGSBOT_TEAMS_DEVELOPER_NAME (--developer-name)", self.developer_name, c.DEVELOPER_NAME_MAX),
            ("OMSTILLINGSBOT_TEAMS_SHORT_DESCRIPTION (--short-description)", self.short_description, SHORT_DESCRIPTION_MAX),
            ("OMSTILLINGSBOT_TEAMS_LONG_DESCRIPTION (--long-description)", self.long_description, LONG_DESCRIPTION_MAX),
        ):
            if not value or len(value) > limit:
                found.append(messages.text("teams_package_bad_length", setting=setting, limit=limit, length=len(value)))
        if self.short_description and self.short_description in self.long_description:
            found.append(messages.text("teams_package_repeated_description"))
        return found


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def command_lists() -> list[dict]:
    """One list per scope (the schema allows three), all with the same commands as the Slack slash command.
    The personal scope starts with a few example questions: Teams shows that list as prompt starters
    when a user opens a chat with the bot."""
    commands = [{"title": m.word[: c.COMMAND_TITLE_MAX],
                 "description": _shorten(messages.text(m.message_key), c.COMMAND_DESCRIPTION_MAX)} for m in c.MENU]
    starters = [{"title": messages.text(f"prompt_starter_{n}")[: c.COMMAND_TITLE_MAX],
                 "description": _shorten(messages.text(f"prompt_starter_{n}_description"), c.COMMAND_DESCRIPTION_MAX)}
                for n in range(1, c.PROMPT_STARTERS + 1)]
    return [{"scopes": [scope], "commands": (starters if scope == "personal" else []) + commands}
            for scope in c.BOT_SCOPES]


def public_host(public_url: str) -> str:
    """The host of the bot's public address for validDomains; ValueError for anything but an https:// URL
    with a host (Teams reaches a bot only over https, and an empty validDomains from junk passed silently)."""
    url = public_url.strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        parts = None
    if (parts is None or parts.scheme != "https" or not parts.hostname or parts.username or parts.password
            or any(ch.isspace() for ch in url) or len(url) > URL_MAX or "." not in parts.hostname):
        raise ValueError(messages.text("teams_package_bad_public_url", value=public_url))
    return parts.hostname


def manifest(settings: Settings, *, public_url: str = "") -> dict:
    """manifest.json for the bot registered as `settings.microsoft_app_id` (a GUID, required),
    with the publisher details and version from Settings (validated: ValueError says what is wrong)."""
    app_id = settings.microsoft_app_id.strip()
    if not _GUID.match(app_id):
        raise ValueError(messages.text("teams_package_no_app_id"))
    details = PackageDetails.from_settings(settings)
    host = public_host(public_url) if public_url.strip() else None
    return {
        "$schema": c.MANIFEST_SCHEMA,
        "manifestVersion": c.MANIFEST_VERSION,
        "version": details.version,
        "id": app_id,
        "developer": {"name": details.developer_name, "websiteUrl": details.website_url,
                      "privacyUrl": details.privacy_url, "termsOfUseUrl": details.terms_url},
        "name": {"short": messages.text("teams_app_name"), "full": messages.text("teams_app_name_full")},
        "description": {"short": details.short_description, "full": details.long_description},
        "icons": {"color": c.COLOR_ICON, "outline": c.OUTLINE_ICON},
        "accentColor": c.ACCENT_COLOR,
        "bots": [{
            "botId": app_id,
            "scopes": list(c.BOT_SCOPES),
            "isNotificationOnly": False,
            "supportsFiles": False,
            "commandLists": command_lists(),
        }],
        "validDomains": [host] if host else [],
    }


def _bubble(draw: ImageDraw.ImageDraw, size: int, *, fill: tuple | None, outline: tuple | None, width: int) -> None:
    """A speech bubble (rounded box with a tail at the lower left), scaled to `size`."""
    s = size / 32
    box = (3 * s, 4 * s, 29 * s, 22 * s)
    draw.rounded_rectangle(box, radius=4 * s, fill=fill, outline=outline, width=width)
    tail = [(8 * s, 21 * s), (8 * s, 28 * s), (15 * s, 21 * s)]
    # Filled: join the tail to the box. Outlined: clear the box's edge where the tail opens into it.
    draw.polygon(tail, fill=fill or (255, 255, 255, 0))
    if outline is not None:
        draw.line([tail[0], tail[1], tail[2]], fill=outline, width=width, joint="curve")


def color_icon() -> Image.Image:
    """192×192, full colour: a white speech bubble holding three lines of "report text" on the accent colour."""
    size = c.COLOR_ICON_SIZE
    accent = tuple(int(c.ACCENT_COLOR[i : i + 2], 16) for i in (1, 3, 5)) + (255,)
    image = Image.new("RGBA", (size, size), accent)
    draw = ImageDraw.Draw(image)
    _bubble(draw, size, fill=_WHITE, outline=None, width=0)
    s = size / 32
    for row, length in enumerate((19, 16, 12)):
        y = (8 + 4 * row) * s
        draw.rounded_rectangle((7 * s, y, (7 + length) * s, y + 1.6 * s), radius=0.8 * s, fill=accent)
    return image


def outline_icon() -> Image.Image:
    """32×32, white on transparent (Teams' rule for outline icons): the same bubble, as an outline."""
    size = c.OUTLINE_ICON_SIZE
    image = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    _bubble(draw, size, fill=None, outline=_WHITE, width=2)
    for row, length in enumerate((14, 10)):
        y = 10 + 5 * row
        draw.line((9, y, 9 + length, y), fill=_WHITE, width=2)
    return image


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def build_package(settings: Settings, out_path: Path, *, public_url: str = "") -> Path:
    """Write the zip (manifest.json and the two icons at its root, as Teams requires) and return its path.
    An existing folder as `out_path` gets the zip inside it, under its default name."""
    if out_path.is_dir():
        out_path = out_path / c.PACKAGE_FILE
    files = {
        "manifest.json": json.dumps(manifest(settings, public_url=public_url),
                                    ensure_ascii=False, indent=2).encode("utf-8"),
        c.COLOR_ICON: _png(color_icon()),
        c.OUTLINE_ICON: _png(outline_icon()),
    }
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name, _ZIP_TIME), data, compress_type=zipfile.ZIP_DEFLATED)
    return out_path

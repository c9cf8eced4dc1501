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


@dataclass(frozen=True)
class Developer:
    """Shown on the app's details page in Teams; replace with your organisation's pages."""

    name: str = "Omstillingsbot"
    website_url: str = "https://www.dfo.no/"
    privacy_url: str = "https://www.dfo.no/"
    terms_url: str = "https://www.dfo.no/"


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


def manifest(settings: Settings, *, public_url: str = "", developer: Developer = Developer()) -> dict:
    """manifest.json for the bot registered as `settings.microsoft_app_id` (a GUID, required)."""
    app_id = settings.microsoft_app_id.strip()
    if not _GUID.match(app_id):
        raise ValueError(messages.text("teams_package_no_app_id"))
    host = urlsplit(public_url).hostname if public_url else None
    return {
        "$schema": c.MANIFEST_SCHEMA,
        "manifestVersion": c.MANIFEST_VERSION,
        "version": c.APP_VERSION,
        "id": app_id,
        "developer": {"name": developer.name[: c.DEVELOPER_NAME_MAX], "websiteUrl": developer.website_url,
                      "privacyUrl": developer.privacy_url, "termsOfUseUrl": developer.terms_url},
        "name": {"short": messages.text("teams_app_name"), "full": messages.text("teams_app_name_full")},
        "description": {"short": messages.text("teams_app_short"), "full": messages.text("teams_app_full")},
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


def build_package(settings: Settings, out_path: Path, *, public_url: str = "",
                  developer: Developer = Developer()) -> Path:
    """Write the zip (manifest.json and the two icons at its root, as Teams requires) and return its path."""
    files = {
        "manifest.json": json.dumps(manifest(settings, public_url=public_url, developer=developer),
                                    ensure_ascii=False, indent=2).encode("utf-8"),
        c.COLOR_ICON: _png(color_icon()),
        c.OUTLINE_ICON: _png(outline_icon()),
    }
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name, _ZIP_TIME), data, compress_type=zipfile.ZIP_DEFLATED)
    return out_path

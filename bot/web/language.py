"""The web page's language from the browser's Accept-Language: bokmål unless English is preferred."""

from __future__ import annotations

from bot.types import Lang

_NORWEGIAN = ("no", "nb", "nn")


def preferred_lang(header: str) -> Lang:
    """Among the languages the page has (Norwegian, English), the one the browser weights highest;
    ties go to the one listed first, and a browser naming neither gets bokmål."""
    best: tuple[float, Lang] | None = None
    for part in header.split(","):
        tag, *params = (p.strip() for p in part.split(";"))
        primary = tag.lower().split("-")[0]
        if primary in _NORWEGIAN:
            lang: Lang = "nb"
        elif primary == "en":
            lang = "en"
        else:
            continue
        weight = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if weight > 0 and (best is None or weight > best[0]):
            best = (weight, lang)
    return best[1] if best else "nb"

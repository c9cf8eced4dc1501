"""Every sentence the bot says to a user, in one place so wording is reviewed and changed once.

Bokmål is the default; English is used when the user writes English. Nynorsk
questions get bokmål answers (the report itself is in bokmål).
"""

from __future__ import annotations

from bot.types import Lang

REPORT_TITLE = "Departementene i førersetet for omstilling?"
REPORT_ID = "Difi-rapport 2019:3"

_NB: dict[str, str] = {
    "answer_intro": "Dette sier rapporten:",
    "answer_intro_all_recommendations": "Rapportens hovedanbefaling og de tre anbefalingene:",
    "answer_intro_all_challenges": "Rapporten ser fire hovedutfordringer:",
    "abstain": (
        "Det dekker ikke rapporten «{title}» ({report}), så det kan jeg ikke svare på. "
        "Jeg svarer bare med rapportens egne ord. Prøv å spørre om departementenes rolle i omstilling, "
        "eller skriv «hjelp» for å se hva jeg kan."
    ),
    "empty": "Du sendte en tom melding. Still et spørsmål om rapporten, eller skriv «hjelp».",
    "too_long": (
        "Meldingen er for lang ({length} tegn; grensen er {limit}). "
        "Still et kortere spørsmål, så finner jeg svaret i rapporten."
    ),
    "help": (
        "Jeg svarer på spørsmål om rapporten «{title}» ({report}) med rapportens egne ord og kildehenvisning.\n"
        "Still et spørsmål, eller bruk en kommando:\n"
        "• anbefalinger – hovedanbefalingen og anbefaling 1–3\n"
        "• anbefaling <nummer eller ord> – én anbefaling, f.eks. «anbefaling 2» eller «anbefaling tillit»\n"
        "• utfordringer – de fire hovedutfordringene\n"
        "• utfordring <nummer eller ord> – én utfordring\n"
        "• om – om rapporten\n"
        "• hjelp – denne teksten"
    ),
    "about": "«{title}» – {report}, utgitt av {publishers}. Oppdatert {updated}. Fagområder: {topics}.",
    "recommendations": "Rapportens hovedanbefaling og de tre anbefalingene:",
    "challenges": "Rapporten ser fire hovedutfordringer:",
    "unit": "Fra rapporten:",
    "keyword_match": "Det som passer best til «{keyword}»:",
    "keyword_none": "Ingen {kind} handler om «{keyword}». Skriv «{command}» for å se alle.",
    "out_of_range": "Rapporten har {kind} 1–{count}. Skriv for eksempel «{command} 1», eller «{plural}» for å se alle.",
    "kind_recommendation": "anbefaling",
    "kind_recommendations": "anbefalinger",
    "kind_challenge": "utfordring",
    "kind_challenges": "utfordringer",
    "vote_saved_up": "Takk! Tilbakemeldingen er anonym.",
    "vote_saved_down": "Takk! Tilbakemeldingen er anonym.",
    "vote_saved_none": "Stemmen din er trukket tilbake.",
    "vote_not_saved": "Beklager, tilbakemeldingen din ble ikke lagret. Prøv igjen om litt.",
    "vote_unknown": "Jeg finner ikke svaret du ga tilbakemelding på, så stemmen ble ikke lagret.",
    "welcome": (
        "Hei! Jeg svarer på spørsmål om rapporten «{title}» ({report}) med rapportens egne ord og "
        "kildehenvisning. Skriv «hjelp» for å se kommandoene."
    ),
    "helpful_prompt": "Var svaret nyttig?",
    "share": "Del i kanalen",
    "source": "Kilde",
    "page": "side",
}

_EN: dict[str, str] = {
    "answer_intro": "This is what the report says (quoted in Norwegian):",
    "answer_intro_all_recommendations": "The report's main recommendation and its three recommendations (quoted in Norwegian):",
    "answer_intro_all_challenges": "The report sees four main challenges (quoted in Norwegian):",
    "abstain": (
        "The report «{title}» ({report}) does not cover that, so I cannot answer it. "
        "I only answer in the report's own words. Ask about the ministries' role in reform, or type «help»."
    ),
    "empty": "Your message was empty. Ask a question about the report, or type «help».",
    "too_long": "Your message is too long ({length} characters; the limit is {limit}). Please ask a shorter question.",
    "help": (
        "I answer questions about the report «{title}» ({report}) in the report's own words, with citations.\n"
        "Ask a question, or use a command:\n"
        "• recommendations – the main recommendation and recommendations 1–3\n"
        "• recommendation <number or word> – one recommendation, e.g. «recommendation 2» or «recommendation tillit»\n"
        "• challenges – the four main challenges\n"
        "• challenge <number or word> – one challenge\n"
        "• about – about the report\n"
        "• help – this text"
    ),
    "about": "«{title}» – {report}, published by {publishers}. Updated {updated}. Topics: {topics}.",
    "recommendations": "The report's main recommendation and its three recommendations:",
    "challenges": "The report sees four main challenges:",
    "unit": "From the report:",
    "keyword_match": "The best match for «{keyword}»:",
    "keyword_none": "No {kind} is about «{keyword}». Type «{command}» to see them all.",
    "out_of_range": "The report has {kind} 1–{count}. Type e.g. «{command} 1», or «{plural}» to see them all.",
    "kind_recommendation": "recommendation",
    "kind_recommendations": "recommendations",
    "kind_challenge": "challenge",
    "kind_challenges": "challenges",
    "vote_saved_up": "Thanks! Your feedback is anonymous.",
    "vote_saved_down": "Thanks! Your feedback is anonymous.",
    "vote_saved_none": "Your vote has been withdrawn.",
    "vote_not_saved": "Sorry, your feedback was not saved. Please try again shortly.",
    "vote_unknown": "I cannot find the answer you gave feedback on, so the vote was not saved.",
    "welcome": (
        "Hi! I answer questions about the report «{title}» ({report}) in the report's own words, "
        "with citations. Type «help» to see the commands."
    ),
    "helpful_prompt": "Was this helpful?",
    "share": "Share in channel",
    "source": "Source",
    "page": "page",
}


def text(key: str, lang: Lang = "nb", **values: object) -> str:
    """The sentence `key` in the user's language (English for "en", bokmål otherwise)."""
    table = _EN if lang == "en" else _NB
    values.setdefault("title", REPORT_TITLE)
    values.setdefault("report", REPORT_ID)
    return table[key].format(**values)

"""Answering: a `Question` and the conversation's state in, a cited `Answer` out.

Holds the engine (retrieval, gate, ranking), answer composition, the command parser every surface
shares, numbered lookups, follow-up resolution, small talk, language detection and teaching. It may
import `retrieval`, `bot.feedback` (for the stored conversation's shape) and the shared kernel
(`bot.types`, `bot.messages`, `bot.settings`); never `bot.serving`, an adapter or the web.
"""

"""Serving: the one door every surface goes through.

`ChatService` takes a `Question`, loads the conversation's state, asks the engine and records the
answer; the admission queue bounds how much waits, and group commit batches the store's writes on one
writer thread. `safejson` parses untrusted request bodies. It may import `bot.answering`,
`bot.feedback`, the shared kernel and `retrieval`; never an adapter (`bot.slack`, `bot.teams`,
`bot.web`) or the composition root (`bot.server`, `bot.runtime`, `bot.cli`).
"""

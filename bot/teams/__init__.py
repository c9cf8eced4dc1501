"""Microsoft Teams: the Bot Framework adapter (adapter.py, the only module that imports botbuilder),
pure card renderers (cards.py), inbound parsing (inbound.py) and the app package (package.py). The local
stand-in for the Bot Connector and the benchmark live under tests/."""

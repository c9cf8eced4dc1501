"""Microsoft Teams: the Bot Framework adapter (adapter.py, the only module that imports botbuilder),
pure card renderers (cards.py), inbound parsing (inbound.py), the app package (package.py), the
benchmark (bench.py) and a local stand-in for the Bot Connector used by tests and the benchmark."""

"""The Slack adapter: Slack payloads in, `ChatService` calls, Block Kit answers out (see adapter.mount)."""

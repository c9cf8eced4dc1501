"""The Slack benchmark runs end to end (smaller burst here; `make bench` fires 50)."""

from __future__ import annotations

from tests.bench.slack import SEQUENTIAL, bench_slack


async def test_bench_answers_every_mention_exactly_once_and_reports_latencies(make_service):
    result = await bench_slack(make_service, mentions=12)
    assert result["acks_200"] == 12 and result["answered"] == 12
    assert result["answered_exactly_once"] and result["retries_acked_200"] == 12
    alone = result["one_at_a_time"]
    for figure in (result["http_ack"], result["event_to_post_message"], alone["http_ack"], alone["event_to_post_message"]):
        assert 0 < figure["p50_ms"] <= figure["p95_ms"]
    assert alone["http_ack"]["n"] == alone["event_to_post_message"]["n"] == SEQUENTIAL
    assert set(result["targets"]) == {"http_ack_p95_ms", "event_to_post_message_p95_ms"}

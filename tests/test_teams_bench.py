"""The Teams benchmark runs against the real adapter and reports every message answered exactly once."""

from __future__ import annotations

from tests.bench.teams import bench_teams


async def test_bench_teams_answers_every_message_once_and_reports_latencies(make_service):
    result = await bench_teams(make_service, messages=12)
    assert result["messages"] == result["http_200"] == result["answered"] == 12
    assert result["answered_exactly_once"] and result["redeliveries_http_200"] == 12
    for figure in ("burst_post_to_reply", "one_at_a_time_post_to_reply", "one_at_a_time_engine_only"):
        assert 0 < result[figure]["p50_ms"] <= result[figure]["p95_ms"]
    assert result["one_at_a_time_post_to_reply"]["n"] == 20
    assert isinstance(result["targets_met"], bool)

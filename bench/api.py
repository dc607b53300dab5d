"""API write speed, printed as figures and a ratio (never asserted): ``python bench/api.py [--quick]``.

Events/s recorded through ``POST /api/v1/events`` (harvest events, each validated, signed, appended to the
ledger and projected; events posted at the same time share a transaction and its signed checkpoint,
``tracer.events.group``, and the bench prints how many per commit) under gunicorn with 2
workers, on SQLite and on PostgreSQL (``TRACER_BENCH_DATABASE_URL`` or ``TRACER_TEST_DATABASE_URL``, an
admin URL: a scratch database is made and dropped). Beside it, in the same run and with the same gunicorn
settings, the requests/s of a bare Flask route returning a fixed string: the ratio says how much of the
web stack's capacity one signed, ledgered write costs (target >= 25 %). Load comes from ``wrk`` with a Lua
script (keep-alive connections); events are counted from the ledger's size, not from the client.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import common

TOKENS = 200  # API tokens are rate-limited (TRACER_TOKEN_LIMIT), so the load spreads over many
TARGET = 0.25


def bench_events(
    url: str, folder: Path, seconds: int, connections: int
) -> tuple[float, float, common.WrkResult]:
    """(events/s counted from the ledger, events per commit, what wrk saw) for ``seconds`` of harvests."""
    config = common.settings(url, folder / "instance")
    common.prepare(config)
    with common.app_writer(config) as session:
        tokens = common.api_tokens(session, common.PRODUCER, TOKENS)
        zone = common.producer_zone(session, common.PRODUCER)
    with common.serve_app(config, folder) as server:
        common.wrk(server.url + "/healthz", 1, 2)  # warm both workers
        lua = common.harvest_lua(tokens, zone)

        def one_round() -> tuple[float, float, common.WrkResult]:
            size, checkpoints = common.ledger_counts(url)
            result = common.wrk(server.url + "/api/v1/events", seconds, connections, lua)
            new_size, new_checkpoints = common.ledger_counts(url)
            events = new_size - size
            return events / seconds, events / max(1, new_checkpoints - checkpoints), result

        return common.best_of(one_round, rate=lambda measured: measured[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 s per measurement instead of 10 s")
    parser.add_argument("--connections", type=int, default=16)
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk)")
    seconds = 3 if options.quick else 10
    print(f"api: {common.load_average()}")
    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp:
        folder = Path(tmp)
        with common.serve_bare(folder / "bare") as server:
            bare = common.best_of(
                lambda: common.wrk(server.url + "/bench/bare", seconds, options.connections)
            ).rate
        print(f"bare Flask route, gunicorn 2 workers (gthread):  {bare:10.0f} requests/s")
        common.report("api", "bare Flask route", bare, "requests/s")
        for backend, url in common.databases(folder):
            rate, per_commit, result = bench_events(url, folder / backend, seconds, options.connections)
            print(
                f"POST /api/v1/events, {backend:<10}:  {rate:10.0f} events/s   ratio to bare Flask "
                f"{rate / bare:6.1%}  (target >= 25 %)   {per_commit:4.1f} events per commit   "
                f"errors: {result.describe_errors()}"
            )
            common.report(
                "api",
                f"events/s {backend}",
                rate,
                "events/s",
                baseline="bare Flask route",
                baseline_value=bare,
                target=">= 25%",
                met=rate / bare >= TARGET,
            )
            common.report_errors("api", f"errors {backend}", result.errors)


if __name__ == "__main__":
    main()

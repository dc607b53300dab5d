"""API write speed, printed as figures and a ratio (never asserted): ``python bench/api.py [--quick]``.

Events/s recorded through ``POST /api/v1/events`` (harvest events, each validated, signed, appended to the
ledger and projected; events posted at the same time share a transaction and its signed checkpoint,
``tracer.events.group``, and the bench prints how many per commit) under gunicorn with 2
workers, on SQLite and on PostgreSQL (``TRACER_BENCH_DATABASE_URL`` or ``TRACER_TEST_DATABASE_URL``, an
admin URL: a scratch database is made and dropped). Beside it, in the same run and with the same gunicorn
settings, the requests/s of a bare Flask route returning a fixed string: the ratio says how much of the
web stack's capacity one signed, ledgered write costs (target >= 25 %). Two figures per database: one event
per request, and ``--batch`` events (default 50) per request as an array (all or nothing), the way a phone
sends what it recorded offline. Load comes from ``wrk`` with a Lua script (keep-alive connections); events
are counted from the ledger's size, not from the client.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from functools import partial
from pathlib import Path

import common

TOKENS = 200  # API tokens are rate-limited (TRACER_TOKEN_LIMIT), so the load spreads over many
TARGET = 0.25
BATCH = 50  # events per request in the batch figure: what a phone syncing its offline queue sends


Measured = tuple[float, float, common.WrkResult]


def bench_events(
    url: str, folder: Path, seconds: int, connections: int, batches: list[int]
) -> list[Measured]:
    """For each of ``batches`` (events per request; 0: one event, not in an array): (events/s counted from
    the ledger, events per commit, what wrk saw) for ``seconds`` of harvests."""
    config = common.settings(url, folder / "instance")
    common.prepare(config)
    with common.app_writer(config) as session:
        tokens = common.api_tokens(session, common.PRODUCER, TOKENS)
        zone = common.producer_zone(session, common.PRODUCER)
    with common.serve_app(config, folder) as server:
        common.wrk(server.url + "/healthz", 1, 2)  # warm both workers

        def one_round(lua: str) -> Measured:
            size, checkpoints = common.ledger_counts(url)
            result = common.wrk(server.url + "/api/v1/events", seconds, connections, lua)
            new_size, new_checkpoints = common.ledger_counts(url)
            events = new_size - size
            return events / seconds, events / max(1, new_checkpoints - checkpoints), result

        measured = []
        for batch in batches:
            lua = common.harvest_lua(tokens, zone, batch)
            measured.append(common.best_of(partial(one_round, lua), rate=lambda found: found[0]))
        return measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 s per measurement instead of 10 s")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--batch", type=int, default=BATCH, help=f"events per request in the batch figure (default {BATCH})"
    )
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
        batches = [0, options.batch]
        for backend, url in common.databases(folder):
            measured = bench_events(url, folder / backend, seconds, options.connections, batches)
            for batch, (rate, per_commit, result) in zip(batches, measured, strict=True):
                how = "1 event per request" if batch == 0 else f"{batch} events per request"
                print(
                    f"POST /api/v1/events, {backend:<10} {how:>22}:  {rate:8.0f} events/s   ratio to bare "
                    f"Flask {rate / bare:6.1%}  (target >= 25 %)   {per_commit:5.1f} events per commit   "
                    f"errors: {result.describe_errors()}"
                )
                figure = f"events/s {backend}" + ("" if batch == 0 else f" batch {batch}")
                common.report(
                    "api",
                    figure,
                    rate,
                    "events/s",
                    baseline="bare Flask route",
                    baseline_value=bare,
                    target=">= 25%",
                    met=rate / bare >= TARGET,
                )
                common.report_errors("api", f"errors {figure}", result.errors)


if __name__ == "__main__":
    main()

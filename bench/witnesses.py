"""Witnesses and tiles, printed as figures and ratios (never asserted): ``python bench/witnesses.py``.

1. Appends per second with two witnesses configured, against none, in the same run (issue #17, target at least
   90 %): harvest events through ``POST /api/v1/events`` under gunicorn (2 workers) with wrk, as
   ``bench/api.py`` does, on a fresh demo database each; the log asks two real witness apps
   (``tracer.witness``, served by werkzeug in this process on 127.0.0.1; with ``--verify-map`` the second
   recomputes the map, reading tiles from the app being measured) in the background. Events are counted from
   the ledger; the cosignatures the log collected are printed too. Options: ``--quick`` (3 s a figure).
2. Tile reads per second from gunicorn (``/log/tile/0/<N>``, full tiles of 256 hashes) against the JSON proof
   endpoint (``/api/v1/ledger/proof/inclusion``), over the log the first figure wrote.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import common
from werkzeug.serving import make_server

CONNECTIONS = 16
TOKENS = 200

TILES_LUA = """
local n = 0
request = function()
  n = n + 1
  local tile = string.format("%%03d", n %% %(tiles)d)
  return wrk.format("GET", "/log/tile/0/" .. tile)
end
"""
PROOFS_LUA = """
local n = 0
request = function()
  n = n + 1
  local index = n * 7919 %% %(size)d
  return wrk.format("GET", "/api/v1/ledger/proof/inclusion?index=" .. index .. "&size=%(size)d")
end
"""


@contextmanager
def witnesses(
    folder: Path, log_vkey: str, origin: str, tiles_url: str, verify_map: bool
) -> Iterator[list[str]]:
    """Two witnesses served on free ports (the second in --verify-map mode if asked); their specs."""
    from tracer.witness.app import create_witness_app, make_witness
    from tracer.witness.config import WitnessConfig

    specs, servers = [], []
    for n in range(2):
        home = folder / f"witness{n + 1}"
        home.mkdir(parents=True, exist_ok=True)
        text = f'name = "witness.bench.local/w{n + 1}"\nlogs = ["{log_vkey}"]\n'
        if n == 1 and verify_map:
            text += f'verify_map = true\n[tiles]\n"{origin}" = "{tiles_url}"\n'
        (home / "witness.toml").write_text(text, encoding="utf-8")
        config = WitnessConfig.load(home / "witness.toml")
        config.create_key()
        port = common.free_port()
        server = make_server("127.0.0.1", port, create_witness_app(config), threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        specs.append(f"{make_witness(config).verifier_key} http://127.0.0.1:{port}")
    try:
        yield specs
    finally:
        for server in servers:
            server.shutdown()


def log_identity(url: str, folder: Path) -> tuple[str, str]:
    """(the log's verifier key, its origin) of the database at ``url``."""
    from tracer import create_app
    from tracer.platform.services import services

    app = create_app(common.settings(url, folder))
    try:
        with services(app).engine.connect() as conn:
            vkey = services(app).ledger.verifier_key(conn)
        return vkey, vkey.split("+", 1)[0]
    finally:
        services(app).engine.dispose()


def cosigned(url: str) -> int:
    from sqlalchemy import text

    from tracer.platform.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM ledger_cosignatures")).scalar_one())
    finally:
        engine.dispose()


def appends(
    url: str, folder: Path, seconds: int, with_witnesses: bool, verify_map: bool = False
) -> tuple[float, int, str]:
    """(events/s, cosignatures collected, the app's URL) for ``seconds`` of single-event harvests."""
    config = common.settings(url, folder / "instance")
    common.prepare(config)
    with common.app_writer(config) as session:
        tokens = common.api_tokens(session, common.PRODUCER, TOKENS)
        zone = common.producer_zone(session, common.PRODUCER)
    env = common.server_env(config.database_url, config.instance_path)
    port = common.free_port()
    with ExitStack() as stack:
        if with_witnesses:
            vkey, origin = log_identity(url, folder / "instance")
            tiles_url = f"http://127.0.0.1:{port}/log/"
            specs = stack.enter_context(witnesses(folder, vkey, origin, tiles_url, verify_map))
            env |= {"TRACER_WITNESSES": "; ".join(specs), "TRACER_WITNESS_INTERVAL": "1"}
        server = stack.enter_context(common.serve_env(env, folder, port))
        common.wrk(server.url + "/healthz", 1, 2)
        lua = common.harvest_lua(tokens, zone)

        def one_round() -> float:
            before = common.ledger_size(url)
            common.wrk(server.url + "/api/v1/events", seconds, CONNECTIONS, lua)
            return (common.ledger_size(url) - before) / seconds

        rate = common.best_of(one_round, rate=lambda found: found)
        return rate, cosigned(url), server.url


def reads(url: str, folder: Path, seconds: int) -> tuple[float, float, int]:
    """(tile reads/s, JSON inclusion proofs/s, log size) from gunicorn over the log at ``url``."""
    size = common.ledger_size(url)
    config = common.settings(url, folder / "instance")
    with common.serve_app(config, folder) as server:
        common.wrk(server.url + "/healthz", 1, 2)
        tiles = common.best_of(
            lambda: common.wrk(
                server.url + "/", seconds, CONNECTIONS, TILES_LUA % {"tiles": max(1, size // 256)}
            )
        )
        proofs = common.best_of(
            lambda: common.wrk(server.url + "/", seconds, CONNECTIONS, PROOFS_LUA % {"size": size})
        )
    for name, result in (("tiles", tiles), ("proofs", proofs)):
        if result.errors:
            raise RuntimeError(f"{name}: {result.describe_errors()}")
    return tiles.rate, proofs.rate, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="3 s per measurement instead of 10 s")
    parser.add_argument("--verify-map", action="store_true", help="the second witness recomputes the map")
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk)")
    seconds = 3 if options.quick else 10
    print(f"witnesses: {common.load_average()}")
    with tempfile.TemporaryDirectory(prefix="bench-witnesses-") as tmp:
        folder = Path(tmp)
        for _backend, url in common.databases(folder / "none", ("sqlite",)):
            alone, _, _ = appends(url, folder / "none", seconds, with_witnesses=False)
        for backend, url in common.databases(folder / "two", ("sqlite",)):
            witnessed, cosignatures, _ = appends(url, folder / "two", seconds, True, options.verify_map)
            mode = " (one --verify-map)" if options.verify_map else ""
            print(f"appends, {backend}, no witness             {alone:9,.0f} events/s")
            print(
                f"appends, {backend}, two witnesses{mode}   {witnessed:9,.0f} events/s"
                f"   = {witnessed / alone:.0%} of none (target >= 90%); {cosignatures} cosignatures collected"
            )
            common.report("witnesses", f"appends {backend} no witness", alone, "events/s")
            common.report(
                "witnesses", f"appends {backend} two witnesses", witnessed, "events/s", baseline="no witness",
                baseline_value=alone, target=">= 90%", met=witnessed / alone >= 0.9,
            )  # fmt: skip
            tiles, proofs, size = reads(url, folder / "two", seconds)
            print(f"tile reads /log/tile/0/N ({size:,} entries)  {tiles:9,.0f} requests/s (256 hashes each)")
            print(
                f"JSON inclusion proofs                    {proofs:9,.0f} requests/s"
                f"   tiles = {tiles / proofs:.0%} of JSON"
            )
            common.report("witnesses", "tile reads", tiles, "requests/s", baseline="JSON inclusion proofs",
                          baseline_value=proofs)  # fmt: skip


if __name__ == "__main__":
    main()

"""The log asks its witnesses in the background (issue #17 item 1): the real witness app served over HTTP on
127.0.0.1 by werkzeug, the service on SQLite and PostgreSQL. A witness that is down, slow, or answers 409
never stops an append; cosignatures arrive once it answers, and the checkpoint is served with them."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from tests.conftest import close_app, make_settings
from tests.support.live import free_port
from tests.witness import independent
from tests.witness.conftest import WITNESS_NAME, write_config
from tracer import create_app
from tracer.ledger.canonical import canonical_json
from tracer.ledger.dsse import sign_envelope
from tracer.ledger.witnessing import add_checkpoint_body
from tracer.platform import cosigning
from tracer.platform.services import services
from tracer.witness.app import create_witness_app, make_witness
from tracer.witness.config import WitnessConfig
from tracer.witness.state import WitnessState


@contextmanager
def serving(app: Any, port: int) -> Iterator[BaseWSGIServer]:
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        thread.join()


def log_vkey(database_url: str, instance: Path) -> str:
    app = create_app(make_settings(database_url, instance))
    try:
        with services(app).engine.connect() as conn:
            return services(app).ledger.verifier_key(conn)
    finally:
        close_app(app)


class Setup:
    def __init__(self, database_url: str, tmp_path: Path, witnesses: int = 1, **settings: Any) -> None:
        vkey = log_vkey(database_url, tmp_path / "instance")
        self.configs = [  # each witness its own name, key and database
            WitnessConfig.load(write_config(tmp_path / f"w{n}", [vkey], name=f"{WITNESS_NAME[:-3]}/w{n + 1}"))
            for n in range(witnesses)
        ]
        self.ports = [free_port() for _ in self.configs]
        self.vkeys = [make_witness(c).verifier_key for c in self.configs]
        specs = tuple(f"{k} http://127.0.0.1:{p}" for k, p in zip(self.vkeys, self.ports, strict=True))
        self.app: Flask = create_app(
            make_settings(database_url, tmp_path / "instance", witnesses=specs, **settings)
        )
        engine, store = services(self.app).engine, services(self.app).ledger
        with engine.begin() as conn:
            self.keyid = store.create_key(conn, "org:9")
            store.append(conn, [store.key_register_envelope(conn, self.keyid)])

    def append(self, count: int = 1) -> float:
        """Append ``count`` entries in one transaction; the seconds it took."""
        engine, store = services(self.app).engine, services(self.app).ledger
        began = time.monotonic()
        with engine.begin() as conn:
            key, size = store.private_key(conn, self.keyid), store.size(conn)
            bodies = [
                canonical_json({"type": "harvest", "lot": f"L{n:05d}"}) for n in range(size, size + count)
            ]
            store.append(conn, [sign_envelope(b, key, self.keyid) for b in bodies])
        return time.monotonic() - began

    def checkpoint(self) -> str:
        return self.app.test_client().get("/log/checkpoint").get_data(as_text=True)

    def witness_app(self, n: int = 0) -> Flask:
        return create_witness_app(self.configs[n])


def _made(database_url: str, tmp_path: Path, interval: int) -> Iterator[Setup]:
    made = Setup(database_url, tmp_path, witnesses=2, witness_interval=interval, witness_timeout=1)
    yield made
    found = services(made.app).existing(cosigning.Cosigner)
    if found is not None:
        found.close()
    close_app(made.app)


@pytest.fixture
def setup(database_url: str, tmp_path: Path) -> Iterator[Setup]:
    """Two witnesses; no background thread: the tests ask with ``run_once``."""
    yield from _made(database_url, tmp_path, interval=0)


@pytest.fixture
def live_setup(database_url: str, tmp_path: Path) -> Iterator[Setup]:
    """Two witnesses, asked by the background thread every second."""
    yield from _made(database_url, tmp_path, interval=1)


def test_a_witness_that_is_down_stops_nothing_and_cosigns_once_back(setup: Setup) -> None:
    cosigner = cosigning.cosigner(setup.app)
    assert setup.append(3) < 5
    assert cosigner.run_once(now=0) == {
        setup.configs[0].name: "unreachable",
        setup.configs[1].name: "unreachable",
    }
    assert setup.append(2) < 5  # appends go on
    note = setup.checkpoint()
    assert "witness" not in note.split("\n\n")[1]
    with serving(setup.witness_app(0), setup.ports[0]):
        outcome = cosigner.run_once(now=1000)
    assert outcome == {setup.configs[0].name: "cosigned", setup.configs[1].name: "unreachable"}
    served = setup.checkpoint()
    assert served.startswith(note)  # the log's own note, the cosignature line appended
    assert independent.verify(served, setup.vkeys[0]) > 1_700_000_000
    api = setup.app.test_client().get("/api/v1/ledger/checkpoint").get_data(as_text=True)
    assert api == served
    with pytest.raises(AssertionError, match="no cosignature"):
        independent.verify(served, setup.vkeys[1])
    assert cosigner.run_once(now=2000)[setup.configs[0].name] == "cosigned"  # nothing asked again


def test_a_409_is_followed_by_the_size_the_witness_names(setup: Setup) -> None:
    cosigner = cosigning.cosigner(setup.app)
    setup.append(4)
    witness = setup.witness_app(0)
    note = setup.checkpoint()
    # another worker (or an earlier run) already had size 6 cosigned: this cosigner does not know
    assert (
        witness.test_client().post("/add-checkpoint", data=add_checkpoint_body(0, [], note)).status_code
        == 200
    )
    setup.append(3)
    with serving(witness, setup.ports[0]):
        assert cosigner.run_once(now=0)[setup.configs[0].name] == "cosigned"
    refusals = WitnessState(setup.configs[0].database).refusals("trace.example.vn/ocop-log")
    assert [status for status, _ in refusals] == [409]  # old 0 refused, then old 6 with a proof cosigned
    independent.verify(setup.checkpoint(), setup.vkeys[0])


def test_a_slow_witness_holds_up_no_append(setup: Setup) -> None:
    release = threading.Event()
    inner = setup.witness_app(0)

    def slow(environ: Any, start_response: Any) -> Any:
        release.wait(3)
        return inner(environ, start_response)

    cosigner = cosigning.cosigner(setup.app)
    setup.append(1)
    with serving(slow, setup.ports[0]):
        asking = threading.Thread(target=cosigner.run_once, kwargs={"now": 0})
        asking.start()
        time.sleep(0.2)
        assert max(setup.append(1) for _ in range(5)) < 1  # while the witness keeps the cosigner waiting
        asking.join()
        release.set()
        assert cosigner.run_once(now=1000)[setup.configs[0].name] == "cosigned"
    independent.verify(setup.checkpoint(), setup.vkeys[0])


def test_the_background_thread_collects_both_witnesses(live_setup: Setup) -> None:
    setup = live_setup
    setup.app.test_client().get("/log/checkpoint")  # the first request starts this process's cosigner
    setup.append(2)
    with serving(setup.witness_app(0), setup.ports[0]), serving(setup.witness_app(1), setup.ports[1]):
        setup.append(1)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            note = setup.checkpoint()
            if note.count("\u2014 ") == 3:  # the log's signature and two cosignatures
                break
            time.sleep(0.2)
    for vkey in setup.vkeys:
        independent.verify(note, vkey)


def test_an_auditor_with_a_witness_policy_and_the_offline_bundle(setup: Setup, tmp_path: Path) -> None:
    from tests.ledger.test_mirror import served, tiles_served
    from tracer.ledger.errors import VerificationError
    from tracer.ledger.mirror import Mirror
    from tracer.ledger.policy import PolicyError, WitnessPolicy

    setup.append(3)
    with serving(setup.witness_app(0), setup.ports[0]):
        cosigning.cosigner(setup.app).run_once(now=0)
    log_key = setup.app.test_client().get("/api/v1/ledger/keys").get_json()["verifier_key"]
    witnesses = "".join(f"witness {k}\n" for k in setup.vkeys)
    now = int(time.time())
    strict = Mirror(tmp_path / "strict", log_key)
    with pytest.raises(PolicyError, match="1 of the 2"):
        strict.update(
            served(setup.app), tiles_served(setup.app), WitnessPolicy.parse(witnesses + "quorum 2\n"), now
        )
    assert strict.checkpoint() is None and strict.entries() == []  # nothing saved
    lenient = Mirror(tmp_path / "lenient", log_key)
    report = lenient.update(
        served(setup.app), tiles_served(setup.app), WitnessPolicy.parse(witnesses + "quorum 1\n"), now
    )
    assert report.witnesses == 1 and report.size == 5
    bundle = setup.app.test_client().get("/api/v1/ledger/bundle/4").get_data(as_text=True)
    assert bundle.startswith("c2sp.org/tlog-proof@v1\n")
    independent.verify(bundle.split("\n\n", 1)[1], setup.vkeys[0])  # the proof carries the cosignature
    one = WitnessPolicy.parse(witnesses + "quorum 1\n")
    with pytest.raises(VerificationError):  # three days later, without a newer cosignature: stale
        Mirror(tmp_path / "x", log_key).update(served(setup.app), None, one, now + 3 * 24 * 3600)

"""The witness's ``--verify-map`` mode (issue #17 item 2): before cosigning it mirrors the log's entries
through the log's own tlog-tiles (the service's ``/log/``) and recomputes the verifiable map. A checkpoint
whose map leaves a recall out of its lot's list, or commits to no map, or whose tiles do not make its root,
gets 422; an honest log is cosigned, and the mirror carries on after a restart. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import Flask

from tests.conftest import close_app, make_settings
from tests.witness import independent
from tests.witness.conftest import MemoryLog, write_config
from tracer import create_app
from tracer.events.subjects import subjects_of
from tracer.ledger.canonical import canonical_json
from tracer.ledger.checkpoint import Checkpoint, parse_checkpoint, sign_checkpoint
from tracer.ledger.cosignature import note_body
from tracer.ledger.dsse import sign_envelope
from tracer.ledger.merkle import leaf_hash
from tracer.ledger.vmap import map_extension
from tracer.ledger.vmap_feed import Replay
from tracer.ledger.witnessing import add_checkpoint_body
from tracer.platform.services import services
from tracer.witness.cli import witness as witness_cli
from tracer.witness.config import WitnessConfig
from tracer.witness.mapcheck import MapChecker
from tracer.witness.state import WitnessState
from tracer.witness.witness import Refusal, Witness


class Log:
    """The service (its real app and ledger) with a producer key, appending domain-shaped events."""

    def __init__(self, database_url: str, instance: Path) -> None:
        self.app: Flask = create_app(make_settings(database_url, instance))
        engine, store = services(self.app).engine, services(self.app).ledger
        with engine.begin() as conn:
            self.keyid = store.create_key(conn, "org:9")
            store.append(conn, [store.key_register_envelope(conn, self.keyid)])
            self.vkey = store.verifier_key(conn)
            self.log_key: Ed25519PrivateKey = store.private_key(
                conn, next(k.keyid for k in store.keys(conn) if k.role == "log")
            )
        self.tile_reads: list[str] = []

    def append(self, *bodies: dict[str, Any]) -> None:
        engine, store = services(self.app).engine, services(self.app).ledger
        with engine.begin() as conn:
            key = store.private_key(conn, self.keyid)
            store.append(
                conn, [sign_envelope(canonical_json({"org": 9, **b}), key, self.keyid) for b in bodies]
            )

    def note(self) -> str:
        with services(self.app).engine.connect() as conn:
            return services(self.app).ledger.checkpoint(conn)

    def proof(self, old: int, new: int) -> list[bytes]:
        if old in (0, new):
            return []
        with services(self.app).engine.connect() as conn:
            return services(self.app).ledger.consistency_proof(conn, old, new)

    def entries(self) -> list[bytes]:
        with services(self.app).engine.connect() as conn:
            store = services(self.app).ledger
            return [store.entry(conn, i) for i in range(store.size(conn))]

    def tiles(self, path: str) -> bytes:
        self.tile_reads.append(path)
        response = self.app.test_client().get(f"/log/{path}")
        assert response.status_code == 200, path
        return response.get_data()


@pytest.fixture
def log(database_url: str, tmp_path: Path) -> Iterator[Log]:
    made = Log(database_url, tmp_path / "instance")
    yield made
    close_app(made.app)


def witness_for(log: Log, tmp_path: Path, tiles: Any = None) -> Witness:
    config = WitnessConfig.load(write_config(tmp_path / "witness", [log.vkey]))
    checker = MapChecker(config.mirror, {parse_checkpoint(note_body(log.note())).origin: tiles or log.tiles},
                         subjects_of)  # fmt: skip
    return Witness(config.name, config.private_key(), config.logs, WitnessState(config.database),
                   map_checker=checker)  # fmt: skip


def submit(witness: Witness, log: Log, note: str, old: int) -> str:
    size = parse_checkpoint(note_body(note)).size
    return witness.add_checkpoint(add_checkpoint_body(old, log.proof(old, size), note))


HARVEST = {"type": "harvest", "lot": {"id": "LGAC0001"}, "zone_id": "Z1"}
RECALL = {"type": "recall", "lot_ids": ["LGAC0001"], "reason": "Kiểm nghiệm không đạt"}


def test_an_honest_log_is_cosigned_and_the_mirror_carries_on(log: Log, tmp_path: Path) -> None:
    log.append(HARVEST)
    witness = witness_for(log, tmp_path)
    first = log.note()
    line = submit(witness, log, first, 0)
    independent.verify(first + line, witness.verifier_key)
    log.append(RECALL, {"type": "ship", "lot_id": "LGAC0001"})
    reads = len(log.tile_reads)
    restarted = witness_for(log, tmp_path)  # a new process: the mirror is read back from its folder
    second = log.note()
    submit(restarted, log, second, parse_checkpoint(note_body(first)).size)
    assert log.tile_reads[reads:] == ["tile/entries/000.p/5"]  # only the bundle with the new entries


def _signed(log: Log, cp: Checkpoint, extensions: tuple[str, ...]) -> str:
    """What a log operator holding the log key could sign: the same tree, another map line."""
    return sign_checkpoint(Checkpoint(cp.origin, cp.size, cp.root_hash, extensions), log.log_key)


def test_a_map_that_leaves_the_recall_out_is_refused(log: Log, tmp_path: Path) -> None:
    log.append(HARVEST, RECALL)
    cp = parse_checkpoint(note_body(log.note()))
    without_recall = Replay(lambda payload: [k for k in subjects_of(payload) if b'"recall"' not in payload])
    for index, entry in enumerate(log.entries()):
        without_recall.add(index, entry, leaf_hash(entry))
    forged = _signed(log, cp, (map_extension(without_recall.root),))
    witness = witness_for(log, tmp_path)
    with pytest.raises(Refusal) as refused:
        submit(witness, log, forged, 0)
    assert refused.value.status == 422
    assert "verify-map: the map root of the checkpoint of size" in refused.value.reason
    line = submit(witness, log, log.note(), 0)  # the honest checkpoint of the same tree is cosigned
    assert line.startswith("\u2014 ")


def test_a_checkpoint_without_a_map_is_refused(log: Log, tmp_path: Path) -> None:
    log.append(HARVEST)
    cp = parse_checkpoint(note_body(log.note()))
    with pytest.raises(Refusal, match="commits to no verifiable map"):
        submit(witness_for(log, tmp_path), log, _signed(log, cp, ()), 0)


def test_tiles_that_do_not_make_the_root_are_refused(log: Log, tmp_path: Path) -> None:
    log.append(HARVEST, RECALL)

    def lying(path: str) -> bytes:
        data = bytearray(log.tiles(path))
        data[-3] ^= 1  # a byte of the last entry
        return bytes(data)

    with pytest.raises(Refusal, match="do not make the root") as refused:
        submit(witness_for(log, tmp_path, lying), log, log.note(), 0)
    assert refused.value.status == 422


def test_verify_map_without_a_tiles_address_is_one_line(tmp_path: Path, honest: MemoryLog) -> None:
    path = write_config(tmp_path / "w", [honest.vkey])
    result = CliRunner().invoke(witness_cli, ["serve", "--config", str(path), "--verify-map"])
    assert result.exit_code == 1
    assert "--verify-map needs the tiles address of 'trace.example.vn/ocop-log'" in result.output
    path.write_text(path.read_text() + '[tiles]\n"other.example/log" = "http://x/log/"\n', encoding="utf-8")
    result = CliRunner().invoke(witness_cli, ["serve", "--config", str(path), "--verify-map"])
    assert result.exit_code == 1 and "is not one of the logs" in result.output

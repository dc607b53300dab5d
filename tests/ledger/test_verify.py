"""The standalone verifier: a JSON bundle file checked offline with the log's verifier key only."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from sqlalchemy import Connection, update

from tests.ledger.helpers import registered_signer, signed, tx
from tracer.ledger.errors import VerificationError
from tracer.ledger.keys import generate_key, public_key_raw
from tracer.ledger.note import format_verifier_key
from tracer.ledger.schema import ledger_state
from tracer.ledger.store import LedgerStore
from tracer.ledger.verify import format_bundle_file, verify_bundle_cli, verify_bundle_file


def _published(store: LedgerStore, conn: Connection, tmp_path: Path) -> tuple[Path, str, int, bytes]:
    keyid = registered_signer(store, conn)
    with tx(conn):
        receipts = store.append(conn, [signed(store, conn, keyid, n) for n in range(7)])
    index = receipts[3].index
    signer = next(k.public_key for k in store.keys(conn) if k.keyid == keyid)
    path = tmp_path / "package.tlog-proof.json"
    path.write_text(format_bundle_file(store.entry(conn, index), store.bundle(conn, index), signer))
    return path, store.verifier_key(conn), index, signer


def test_cli_success_message(store: LedgerStore, conn: Connection, tmp_path: Path) -> None:
    path, vkey, index, _ = _published(store, conn, tmp_path)
    message = verify_bundle_cli(str(path), vkey)
    assert message.startswith(f"OK: entry {index} is in {store.origin} (checkpoint size 9), signed by key ")
    document = json.loads(path.read_text())
    del document["signer_public_key"]
    path.write_text(json.dumps(document))
    assert verify_bundle_cli(str(path), vkey) == f"OK: entry {index} is in {store.origin} (checkpoint size 9)"


def test_verify_bundle_file_returns_what_it_checked(
    store: LedgerStore, conn: Connection, tmp_path: Path
) -> None:
    path, vkey, index, signer = _published(store, conn, tmp_path)
    document = json.loads(path.read_text())
    result = verify_bundle_file(document["bundle"], base64.b64decode(document["entry"]), vkey, signer)
    assert (result.index, result.checkpoint.size) == (index, 9)
    assert json.loads(result.envelope.payload)["lot"] == "GAC-00003"


def _rewrite(path: Path, **changes: object) -> None:
    document = json.loads(path.read_text())
    document.update(changes)
    path.write_text(json.dumps(document))


def test_cli_failures(store: LedgerStore, conn: Connection, tmp_path: Path) -> None:
    path, vkey, index, _ = _published(store, conn, tmp_path)
    document = json.loads(path.read_text())
    other_key = format_verifier_key(store.origin, public_key_raw(generate_key()))
    with pytest.raises(VerificationError, match="no signature by"):
        verify_bundle_cli(str(path), other_key)
    with pytest.raises(VerificationError, match="cannot read bundle file"):
        verify_bundle_cli(str(tmp_path / "missing.json"), vkey)
    other_entry = base64.b64encode(store.entry(conn, index + 1)).decode()
    cases = [
        ({"entry": other_entry}, f"not at index {index}"),
        (
            {"signer_public_key": base64.b64encode(public_key_raw(generate_key())).decode()},
            "no signature by a known",
        ),
        ({"entry": "%%%"}, "entry: not"),
        ({"bundle": 7}, "'entry' and 'bundle'"),
        ({"bundle": document["bundle"].replace("index", "idx")}, "index line"),
    ]
    for changes, message in cases:
        path.write_text(json.dumps(document))
        _rewrite(path, **changes)
        with pytest.raises(VerificationError, match=message):
            verify_bundle_cli(str(path), vkey)
    path.write_text("{not json")
    with pytest.raises(VerificationError, match="cannot read bundle file"):
        verify_bundle_cli(str(path), vkey)


def test_check_head(store: LedgerStore, conn: Connection) -> None:
    store.check_head(conn)
    with tx(conn):
        conn.execute(update(ledger_state).values(root_hash=bytes(32)))
    with pytest.raises(
        VerificationError, match=r"ledger state \(size 1\) does not match the latest checkpoint"
    ):
        store.check_head(conn)

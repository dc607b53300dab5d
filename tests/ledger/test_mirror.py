"""``tracer.ledger.mirror``: an auditor's mirror of a remote log, checked from the public endpoints alone
(issue #16, item 3). The service is reached through Flask's test client here, over real HTTP in
``tests/e2e/test_audit_cli.py``; the attacks are a server that serves what it likes."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.scanner import synthetic
from tests.scanner.conftest import log_key
from tests.support.accounts import GAC_PRODUCER, bearer
from tracer.ledger.errors import VerificationError
from tracer.ledger.mirror import Fetch, Mirror


def served(app: Flask) -> Fetch:
    client = app.test_client()

    def fetch(path: str) -> bytes:
        response = client.get("/api/v1/ledger/" + path)
        if response.status_code != 200:
            raise VerificationError(f"/api/v1/ledger/{path}: HTTP {response.status_code}")
        return response.get_data()

    return fetch


def altered(fetch: Fetch, change: Callable[[str, bytes], bytes]) -> Fetch:
    return lambda path: change(path, fetch(path))


def test_a_mirror_follows_the_log_incrementally(demo_app: Flask, tmp_path: Path) -> None:
    mirror = Mirror(tmp_path / "mirror", log_key(demo_app))
    first = mirror.update(served(demo_app))
    assert first.size == first.new_entries > 30
    assert mirror.update(served(demo_app)).new_entries == 0
    client = demo_app.test_client()
    place = {"commune": "Xã Mỹ Cẩm", "district": "Huyện Càng Long", "province": "Trà Vinh"}
    zone = {"type": "zone.register", "name": "Vườn mới", "crop": "Gấc", **place}
    answer = client.post("/api/v1/events", json=zone, headers=bearer(demo_app, GAC_PRODUCER))
    assert answer.status_code == 201, answer.get_data(as_text=True)
    later = mirror.update(served(demo_app))  # the consistency proof from the last checkpoint is checked
    assert (later.size, later.new_entries) == (first.size + 1, 1)
    assert len(mirror.entries()) == later.size


def test_the_pinned_key_decides(demo_app: Flask, tmp_path: Path) -> None:
    _, other_key = synthetic.build()
    with pytest.raises(VerificationError):
        Mirror(tmp_path / "m", other_key).update(served(demo_app))
    assert not (tmp_path / "m").exists()  # nothing written


def test_a_changed_or_missing_entry_cannot_make_the_signed_root(demo_app: Flask, tmp_path: Path) -> None:
    def flip(path: str, body: bytes) -> bytes:
        return body.replace(b'"payload":"', b'"payload":"A', 1) if path == "entries/5" else body

    def repeat(path: str, body: bytes) -> bytes:  # entry 6 served in place of entry 5 (5 "left out")
        return served(demo_app)("entries/6") if path == "entries/5" else body

    for change in (flip, repeat):
        mirror = Mirror(tmp_path / change.__name__, log_key(demo_app))
        with pytest.raises(VerificationError, match="do not make the root"):
            mirror.update(altered(served(demo_app), change))
        assert mirror.entries() == [] and mirror.checkpoint() is None


def test_a_shrunk_log_or_a_tampered_mirror_is_refused(demo_app: Flask, tmp_path: Path) -> None:
    mirror = Mirror(tmp_path / "mirror", log_key(demo_app))
    size = mirror.update(served(demo_app)).size
    older = served(demo_app)(f"checkpoint?size={size - 3}")
    with pytest.raises(VerificationError, match=f"shrank from {size} to {size - 3}"):
        mirror.update(altered(served(demo_app), lambda path, body: older if path == "checkpoint" else body))
    lines = (tmp_path / "mirror" / "entries.b64").read_text(encoding="ascii").splitlines()
    lines[2] = base64.b64encode(b'{"payload":"e30=","payloadType":"x","signatures":[]}').decode()
    (tmp_path / "mirror" / "entries.b64").write_text("\n".join(lines) + "\n", encoding="ascii")
    with pytest.raises(VerificationError, match="does not match its checkpoint"):
        mirror.update(served(demo_app))


def _index_of(bundle: dict[str, Any], kind: str) -> int:
    for entry in bundle["entries"]:
        envelope = json.loads(base64.b64decode(entry["envelope"]))
        if json.loads(base64.b64decode(envelope["payload"]))["type"] == kind:
            return int(entry["index"])
    raise LookupError(kind)


def _synthetic_server(bundle: dict[str, Any]) -> Fetch:
    entries = {e["index"]: base64.b64decode(e["envelope"]) for e in bundle["entries"]}

    def fetch(path: str) -> bytes:
        if path == "checkpoint":
            return str(bundle["checkpoint"]).encode()
        return entries[int(path.split("/")[1])]

    return fetch


def test_a_bad_signature_inside_a_signed_tree_is_named(tmp_path: Path) -> None:
    """A log whose operator put an entry with a broken signature under a signed checkpoint."""
    bundle, key = synthetic.build(bad_signature_on="harvest")
    with pytest.raises(VerificationError, match=f"entry {_index_of(bundle, 'harvest')}: no valid signature"):
        Mirror(tmp_path / "m", key).update(_synthetic_server(bundle))
    bundle, key = synthetic.build(revoke_before_packaging=True)
    with pytest.raises(VerificationError, match=f"entry {_index_of(bundle, 'package')}: .*revoked"):
        Mirror(tmp_path / "r", key).update(_synthetic_server(bundle))
    bundle, key = synthetic.build()
    assert Mirror(tmp_path / "ok", key).update(_synthetic_server(bundle)).new_entries == len(
        bundle["entries"]
    )


def tiles_served(app: Flask) -> Fetch:
    client = app.test_client()

    def fetch(path: str) -> bytes:
        response = client.get("/log/" + path)
        if response.status_code != 200:
            raise VerificationError(f"/log/{path}: HTTP {response.status_code}")
        return response.get_data()

    return fetch


def test_a_mirror_reads_entries_through_entry_bundles(demo_app: Flask, tmp_path: Path) -> None:
    asked: list[str] = []

    def counted(path: str) -> bytes:
        asked.append(path)
        return tiles_served(demo_app)(path)

    by_tiles = Mirror(tmp_path / "tiles", log_key(demo_app))
    report = by_tiles.update(served(demo_app), counted)
    assert asked == [f"tile/entries/000.p/{report.size}"]  # one request, not one per entry
    by_json = Mirror(tmp_path / "json", log_key(demo_app))
    by_json.update(served(demo_app))
    assert by_tiles.entries() == by_json.entries()
    client = demo_app.test_client()
    place = {"commune": "Xã Mỹ Cẩm", "district": "Huyện Càng Long", "province": "Trà Vinh"}
    zone = {"type": "zone.register", "name": "Vườn mới", "crop": "Gấc", **place}
    assert client.post("/api/v1/events", json=zone, headers=bearer(demo_app, GAC_PRODUCER)).status_code == 201
    later = by_tiles.update(served(demo_app), counted)
    assert later.new_entries == 1 and asked[-1] == f"tile/entries/000.p/{report.size + 1}"
    assert len(by_tiles.entries()) == later.size


def test_a_bundle_that_leaves_out_or_changes_an_entry_is_refused(demo_app: Flask, tmp_path: Path) -> None:
    def short(path: str, body: bytes) -> bytes:
        return body[: body.rfind(b'{"payload"') - 2]  # the last entry and its length prefix dropped

    def flip(path: str, body: bytes) -> bytes:
        return body.replace(b'"payload":"', b'"payload":"A', 1).replace(b"\x00", b"\x00", 1)

    with pytest.raises(VerificationError, match="entries, not"):
        Mirror(tmp_path / "short", log_key(demo_app)).update(
            served(demo_app), altered(tiles_served(demo_app), short)
        )
    mirror = Mirror(tmp_path / "flip", log_key(demo_app))
    with pytest.raises(VerificationError):
        mirror.update(served(demo_app), altered(tiles_served(demo_app), flip))
    assert mirror.entries() == [] and mirror.checkpoint() is None

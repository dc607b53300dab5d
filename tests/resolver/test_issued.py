"""A ``packages`` row is believed only if its serial is in a signed serial commitment (tracer.codes.issued).

The attacker here can write to every table but holds no key: they insert a row for a serial never issued,
move a row to another lot or product, change its serial, or rewrite the serial list and the packaging entry
beside it. Each must give the unknown-code page (the same 404 as a serial never issued) on the fast path and
through Flask alike, and a problem+json 404 on every endpoint that serves a package's proof or code, never a
5xx; the genuine demo packages stay green.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Connection, text

from tests.resolver.conftest import Pkg, packages, scan_rows
from tracer.codes import serials as serial_codes
from tracer.codes.issued import Claim, IssuedSerials, NotIssued, issued_serials
from tracer.ledger.dsse import PAYLOAD_TYPE, sign_envelope
from tracer.ledger.keys import generate_key, key_id, public_key_raw
from tracer.platform import db

GENUINE = "Mã chính hãng"
NOT_OURS = "Mã này không do hệ thống phát hành và có thể là hàng giả"
VI = {"Accept-Language": "vi-VN,vi;q=0.9"}
UNISSUED = "ZZZZ0000ZZZZ"  # well formed, never issued


def _sql(app: Flask, statement: str, **params: Any) -> None:
    with app.app_context(), db.engine().begin() as conn:
        conn.execute(text(statement), params)


def _row(app: Flask, serial: str) -> dict[str, Any]:
    with app.app_context(), db.engine().connect() as conn:
        return dict(
            conn.execute(text("SELECT * FROM packages WHERE serial = :s"), {"s": serial}).mappings().one()
        )


def _insert_row(app: Flask, template: str, serial: str, **changes: Any) -> None:
    """A ``packages`` row for ``serial``: a copy of ``template``'s, with ``changes``."""
    row = _row(app, template) | {"serial": serial} | changes
    names = ", ".join(row)
    _sql(app, f"INSERT INTO packages ({names}) VALUES ({', '.join(':' + n for n in row)})", **row)


def _path(pkg: Pkg, serial: str) -> str:
    return Pkg(serial, pkg.lot, pkg.gtin).path


def _assert_unknown_everywhere(client: Any, app: Flask, path: str, serial: str) -> None:
    """The code's page is the unknown-code page on both paths, and every package endpoint a 404 problem."""
    fast = client.get(path, headers=VI, environ_base={"REMOTE_ADDR": "10.77.0.1"})
    slow = client.get(path + "?lang=vi", environ_base={"REMOTE_ADDR": "10.77.0.2"})
    for page in (fast, slow):
        assert page.status_code == 404, page.get_data(as_text=True)[:300]
        html = page.get_data(as_text=True)
        assert NOT_OURS in html and GENUINE not in html
    problem = client.get(path, headers={"Accept": "application/json"})
    assert problem.status_code == 404 and problem.mimetype == "application/problem+json"
    for endpoint in ("proof", "qr.svg", "qr.png"):
        response = client.get(f"/api/v1/packages/{serial}/{endpoint}")
        assert response.status_code == 404, (endpoint, response.get_data(as_text=True)[:300])
        assert response.mimetype == "application/problem+json"
        assert response.get_json()["detail"] == f"no package with serial {serial} was ever issued"
    assert {s.outcome for s in scan_rows(app, code=path)} == {"unknown"}


def _assert_genuine(client: Any, path: str, address: str = "10.77.9.1") -> None:
    fast = client.get(path, headers=VI, environ_base={"REMOTE_ADDR": address})
    slow = client.get(path + "?lang=vi", environ_base={"REMOTE_ADDR": address})
    for page in (fast, slow):
        assert page.status_code == 200
        assert GENUINE in page.get_data(as_text=True)


def test_the_genuine_demo_package_is_still_green_on_both_paths(demo_client, demo_app, gac: Pkg):
    _assert_genuine(demo_client, gac.path)
    assert demo_client.get(f"/api/v1/packages/{gac.serial}/proof").status_code == 200
    assert demo_client.get(f"/api/v1/packages/{gac.serial}/qr.svg").status_code == 200


@pytest.mark.parametrize(
    "changes",
    [
        {},  # the template's place: another serial is there
        {"position": 23},  # the last place of the demo's 24 gấc packages: taken too
        {"position": 24},  # one past the end of the signed list
        {"position": -1},  # Python would read the last serial
        {"position": 2**31 - 1},
        {"packaging_index": 0},  # the authority's key registration, not a packaging
        {"packaging_index": 2**31 - 1},  # past the end of the log (the column is a 32-bit integer)
        {"packaging_index": -1},
    ],
    ids=[
        "same-place",
        "last-place",
        "past-end",
        "negative",
        "huge-position",
        "not-packaging",
        "past-log",
        "negative-index",
    ],  # fmt: skip
)
def test_an_inserted_row_for_a_serial_never_issued_is_an_unknown_code(demo_client, demo_app, gac, changes):
    _insert_row(demo_app, gac.serial, UNISSUED, **changes)
    _assert_unknown_everywhere(demo_client, demo_app, _path(gac, UNISSUED), UNISSUED)
    _assert_genuine(demo_client, gac.path)  # the package it was copied from is untouched


def test_an_inserted_row_in_the_short_form_is_an_unknown_code(demo_client, demo_app, demo):
    turmeric = packages(demo_app, demo.lots["turmeric"])[0]
    _insert_row(demo_app, turmeric.serial, UNISSUED)
    _assert_unknown_everywhere(demo_client, demo_app, _path(turmeric, UNISSUED), UNISSUED)


def test_a_row_moved_to_another_lot_is_not_genuine_even_after_a_green_scan(demo_client, demo_app, demo, gac):
    _assert_genuine(demo_client, gac.path)  # verified and kept by the worker first
    other_lot = demo.lots["gac_fruit"]
    _sql(demo_app, "UPDATE packages SET lot_id = :lot WHERE serial = :s", lot=other_lot, s=gac.serial)
    _assert_unknown_everywhere(demo_client, demo_app, Pkg(gac.serial, other_lot, gac.gtin).path, gac.serial)
    _sql(demo_app, "UPDATE packages SET lot_id = :lot WHERE serial = :s", lot=gac.lot, s=gac.serial)
    _assert_genuine(demo_client, gac.path)  # the repaired row is believed again


def test_a_row_moved_to_another_product_is_not_genuine(demo_client, demo_app, demo, gac):
    _assert_genuine(demo_client, gac.path)
    with demo_app.app_context(), db.engine().connect() as conn:
        [product, gtin] = conn.execute(
            text("SELECT id, gtin FROM products WHERE id <> :p AND gtin IS NOT NULL ORDER BY id"),
            {"p": _row(demo_app, gac.serial)["product_id"]},
        ).first()
    _sql(demo_app, "UPDATE packages SET product_id = :p WHERE serial = :s", p=product, s=gac.serial)
    _assert_unknown_everywhere(demo_client, demo_app, Pkg(gac.serial, gac.lot, gtin).path, gac.serial)


def test_a_changed_serial_is_not_genuine(demo_client, demo_app, demo):
    pkg = packages(demo_app, demo.lots["gac_oil"])[5]
    _sql(demo_app, "UPDATE packages SET serial = :new WHERE serial = :old", new=UNISSUED, old=pkg.serial)
    _assert_unknown_everywhere(demo_client, demo_app, _path(pkg, UNISSUED), UNISSUED)


def test_two_rows_with_swapped_places_are_both_not_genuine(demo_client, demo_app, demo):
    first, second = packages(demo_app, demo.lots["gac_oil"])[1:3]
    _sql(demo_app, "UPDATE packages SET position = 1000 WHERE serial = :s", s=first.serial)
    _sql(demo_app, "UPDATE packages SET position = 1 WHERE serial = :s", s=second.serial)
    _sql(demo_app, "UPDATE packages SET position = 2 WHERE serial = :s", s=first.serial)
    for pkg in (first, second):
        _assert_unknown_everywhere(demo_client, demo_app, pkg.path, pkg.serial)


def test_a_rewritten_serial_list_does_not_issue_a_serial(demo_client, demo_app, gac):
    """The attacker also puts their serial into the list kept beside the ledger: it no longer has the
    signed root, so nothing of that packaging is believed, unless it was verified before the edit."""
    index = _row(demo_app, gac.serial)["packaging_index"]
    verified = packages(demo_app, gac.lot)[7]
    _assert_genuine(demo_client, verified.path)  # verified before the edit: the worker keeps it
    with demo_app.app_context(), db.engine().connect() as conn:
        listed = conn.execute(
            text("SELECT serials FROM serial_batches WHERE ledger_index = :i"), {"i": index}
        )
        serials = listed.scalar_one().split("\n")
    serials[0] = UNISSUED
    _sql(
        demo_app,
        "UPDATE serial_batches SET serials = :t WHERE ledger_index = :i",
        t="\n".join(serials),
        i=index,
    )
    _sql(demo_app, "UPDATE packages SET serial = :new WHERE serial = :old", new=UNISSUED, old=gac.serial)
    _assert_unknown_everywhere(demo_client, demo_app, _path(gac, UNISSUED), UNISSUED)
    _assert_genuine(demo_client, verified.path, "10.77.9.2")  # derived from signed data: still true


def _forge_packaging(conn: Connection, index: int, serials: list[str]) -> None:
    """Replace the packaging entry at ``index`` by one for ``serials``, signed by a key the attacker made
    and put into ``ledger_keys`` as the producer's, registered at the producer's real registration."""
    entry = conn.execute(text("SELECT envelope FROM ledger_entries WHERE idx = :i"), {"i": index})
    envelope = json.loads(entry.scalar_one())
    body = json.loads(base64.b64decode(envelope["payload"]))
    real = conn.execute(text("SELECT owner, registered_index FROM ledger_keys WHERE keyid = :k"),
                        {"k": envelope["signatures"][0]["keyid"]}).one()  # fmt: skip
    key = generate_key()
    keyid = key_id(public_key_raw(key))
    conn.execute(
        text("INSERT INTO ledger_keys (keyid, owner, role, public_key, private_key_enc, registered_index, "
             "revoked_index, created_at) VALUES (:k, :o, 'signer', :p, NULL, :r, NULL, CURRENT_TIMESTAMP)"),
        {"k": keyid, "o": real.owner, "p": public_key_raw(key), "r": real.registered_index},
    )  # fmt: skip
    body |= {
        "count": len(serials),
        "serials_root": base64.b64encode(serial_codes.serials_root(serials)).decode(),
    }
    payload = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    forged = sign_envelope(payload, key, keyid, PAYLOAD_TYPE).to_json()
    conn.execute(text("UPDATE ledger_entries SET envelope = :e WHERE idx = :i"), {"e": forged, "i": index})
    conn.execute(text("UPDATE serial_batches SET serials = :t WHERE ledger_index = :i"),
                 {"t": "\n".join(serials), "i": index})  # fmt: skip


def test_a_forged_packaging_entry_with_a_key_of_the_attackers_is_not_believed(demo_client, demo_app, gac):
    row = _row(demo_app, gac.serial)
    with demo_app.app_context(), db.engine().begin() as conn:
        _forge_packaging(conn, row["packaging_index"], [UNISSUED])
    _insert_row(demo_app, gac.serial, UNISSUED, position=0)
    _assert_unknown_everywhere(demo_client, demo_app, _path(gac, UNISSUED), UNISSUED)


@contextmanager
def _no_database() -> Iterator[Connection]:
    raise AssertionError("the database was read for a serial already verified")
    yield  # pragma: no cover


def test_a_verified_serial_is_kept_by_ledger_index_place_and_leaf(demo_app, gac):
    row = _row(demo_app, gac.serial)
    claim = Claim(gac.serial, row["packaging_index"], row["position"], row["lot_id"], row["product_id"])
    checker = issued_serials(demo_app)
    with demo_app.app_context():
        issued = checker.verify(claim, db.engine().connect)
    assert (issued.serial, issued.count, issued.lot_id) == (gac.serial, 24, gac.lot)
    assert checker.verify(claim, _no_database) == issued  # kept: no read
    # a claim that differs in its lot or product is refused from what was kept, without a read
    with pytest.raises(NotIssued, match=r"its packaging event signed lot .*, product"):
        checker.verify(Claim(gac.serial, claim.packaging_index, claim.position, "LOT-X", claim.product_id),
                       _no_database)  # fmt: skip
    # another place or serial is another key: checked against the (kept) verified list, refused
    with pytest.raises(NotIssued, match=r"it is not serial 1 of packaging event"):
        checker.verify(
            Claim(gac.serial, claim.packaging_index, 1, claim.lot_id, claim.product_id), _no_database
        )
    with pytest.raises(NotIssued, match=r"not 12 Crockford characters"):
        checker.verify(Claim("short", claim.packaging_index, 0, claim.lot_id, claim.product_id), _no_database)


def test_a_log_key_the_master_key_does_not_vouch_for_is_not_trusted(demo_app, gac):
    """Steps 1 and 2: a fresh checker reads the log; with another master key its log key is refused."""
    row = _row(demo_app, gac.serial)
    claim = Claim(gac.serial, row["packaging_index"], row["position"], row["lot_id"], row["product_id"])
    store = issued_serials(demo_app).store
    from tracer.ledger.store import LedgerStore

    stranger = IssuedSerials(LedgerStore(store.origin, bytes(32)))
    with demo_app.app_context(), pytest.raises(NotIssued, match="cannot decrypt private key"):
        stranger.verify(claim, db.engine().connect)
    fresh = IssuedSerials(store)
    with demo_app.app_context():
        assert fresh.verify(claim, db.engine().connect).position == row["position"]


def _claim(app: Flask, serial: str) -> Claim:
    row = _row(app, serial)
    return Claim(serial, row["packaging_index"], row["position"], row["lot_id"], row["product_id"])


def _signer_of(app: Flask, index: int) -> str:
    with app.app_context(), db.engine().connect() as conn:
        entry = conn.execute(text("SELECT envelope FROM ledger_entries WHERE idx = :i"), {"i": index})
        return str(json.loads(entry.scalar_one())["signatures"][0]["keyid"])


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (
            "UPDATE ledger_keys SET public_key = :other WHERE keyid = :k",
            "not signed by a key registered before",
        ),
        (
            "UPDATE ledger_keys SET registered_index = 0 WHERE keyid = :k",
            "not signed by a key registered before",
        ),
        ("UPDATE ledger_keys SET owner = 'org:999' WHERE keyid = :k", None),  # the log's entry says the owner
        ("UPDATE serial_batches SET serials = lower(serials)", "is not canonical serials"),
        ("DELETE FROM serial_batches", "has no serial list"),
        (
            "UPDATE ledger_checkpoints SET note = replace(note, 'ocop-log', 'ocop-lag')",
            "no signature by trace.example.vn/ocop-log",
        ),
    ],
    ids=["key-swapped", "key-registered-elsewhere", "key-owner", "list-lowercase", "list-gone", "checkpoint"],
)
def test_each_step_from_the_log_refuses_a_table_edit(demo_app, gac, edit, reason):
    """A fresh checker (nothing kept) after one table edit: refused at the step the edit breaks, or, for a
    column the check never reads, still issued."""
    claim = _claim(demo_app, gac.serial)
    other = public_key_raw(generate_key())
    _sql(demo_app, edit, other=other, k=_signer_of(demo_app, claim.packaging_index))
    checker = IssuedSerials(issued_serials(demo_app).store)
    with demo_app.app_context():
        if reason is None:
            assert checker.verify(claim, db.engine().connect).serial == gac.serial
        else:
            with pytest.raises(NotIssued, match=reason):
                checker.verify(claim, db.engine().connect)


def test_a_forged_packaging_entry_fails_at_the_signed_log(demo_app, gac):
    claim = _claim(demo_app, gac.serial)
    with demo_app.app_context(), db.engine().begin() as conn:
        _forge_packaging(conn, claim.packaging_index, [gac.serial])
    checker = IssuedSerials(issued_serials(demo_app).store)
    with (
        demo_app.app_context(),
        pytest.raises(NotIssued, match=r"entry \d+ is not the one in the signed log"),
    ):
        checker.verify(claim, db.engine().connect)


def test_the_fast_path_leaves_an_unissued_row_to_flask_which_records_it_once(demo_client, demo_app, gac):
    from tests.resolver.test_fastpath import _flask_requests

    _insert_row(demo_app, gac.serial, UNISSUED)
    path = _path(gac, UNISSUED)
    seen = _flask_requests(demo_app)
    response = demo_client.get(path, headers=VI, environ_base={"REMOTE_ADDR": "10.77.1.1"})
    assert response.status_code == 404 and seen == [path]
    [scan] = scan_rows(demo_app, code=path)
    assert (scan.serial, scan.outcome) == (None, "unknown")  # as for a code with no row at all
    genuine = demo_client.get(gac.path, headers=VI, environ_base={"REMOTE_ADDR": "10.77.1.2"})
    assert genuine.status_code == 200 and seen == [path]  # the real package: still before Flask

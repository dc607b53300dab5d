"""``ledger verify`` audits the projections: each tampering of a table derived from the ledger, by someone
with database write access but no key, is named by table and row; the audit itself writes nothing."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import Connection, Engine, select, text, type_coerce
from sqlalchemy.types import NullType

from tracer.events import audit
from tracer.events.audit import NOT_PROJECTIONS, audit_projections, audited_tables, model_tables
from tracer.events.projection import PROJECTION_TABLES
from tracer.ledger import schema as ledger_schema
from tracer.ledger.errors import LedgerError, VerificationError
from tracer.platform.services import services


def verify(app: Flask, *extra: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["tracer", "ledger", "verify", *extra])
    return result.exit_code, result.output


def engine_of(app: Flask) -> Engine:
    return services(app).engine


def one(conn: Connection, sql: str) -> tuple:
    row = conn.execute(text(sql)).first()
    assert row is not None, sql
    return tuple(row)


def dump(engine: Engine) -> dict[str, list[tuple]]:
    """Every table, the models' and the ledger's, in primary-key order, as stored (no type conversion)."""
    tables = [*model_tables(), *ledger_schema.metadata.sorted_tables]
    dumped = {}
    with engine.connect() as conn:
        for t in tables:
            raw = select(*[type_coerce(c, NullType()) for c in t.columns]).order_by(*t.primary_key.columns)
            dumped[t.name] = [tuple(r) for r in conn.execute(raw)]
    return dumped


def test_untouched_demo_passes_and_writes_nothing(demo_app: Flask) -> None:
    engine = engine_of(demo_app)
    before = dump(engine)
    started = time.perf_counter()
    code, output = verify(demo_app)
    elapsed = time.perf_counter() - started
    assert code == 0, output
    rows = sum(len(before[t.name]) for t in audited_tables())
    assert output.strip().endswith(
        f"; {len(audited_tables())} projection tables ({rows} rows) match the ledger"
    )
    assert output.startswith("ok: ") and len(output.strip().splitlines()) == 1
    assert dump(engine) == before
    print(
        f"\n[{engine.dialect.name}] ledger verify with projection audit: {elapsed * 1000:.0f} ms, {rows} rows"
    )
    with demo_app.app_context():
        started = time.perf_counter()
        report = audit_projections(engine)
        print(
            f"[{engine.dialect.name}] projection audit alone: {(time.perf_counter() - started) * 1000:.0f} ms"
        )
    assert report.rows == rows and report.entries > 0
    assert dump(engine) == before


Tamper = Callable[[Connection], str]  # changes the database, returns the line `ledger verify` must print


def unrecall_package(conn: Connection) -> str:
    (serial,) = one(conn, "SELECT serial FROM packages WHERE status = 'recalled' ORDER BY serial")
    conn.execute(text("UPDATE packages SET status = 'active' WHERE serial = :s"), {"s": serial})
    return f"projection packages row serial={serial}: status is 'active', the ledger says 'recalled'"


def delete_recall_rows(conn: Connection) -> str:
    lot, index = one(
        conn,
        "SELECT lot_id, ledger_index FROM lot_events WHERE role = 'recalled' ORDER BY lot_id, ledger_index",
    )
    conn.execute(text("DELETE FROM lot_events WHERE role = 'recalled'"))
    return f"projection lot_events row lot_id={lot}, ledger_index={index} is missing: the ledger has it"


def unrecall_lot(conn: Connection) -> str:
    (lot,) = one(conn, "SELECT id FROM lots WHERE status = 'recalled' ORDER BY id")
    conn.execute(text("UPDATE lots SET status = 'active', recall_index = NULL WHERE id = :l"), {"l": lot})
    return f"projection lots row id={lot}: status is 'active', the ledger says 'recalled'"


def forge_package(conn: Connection) -> str:
    serial = "FORGED0000000000"
    conn.execute(
        text(
            "INSERT INTO packages (serial, lot_id, product_id, packaging_index, position, packed_on,"
            " expires_on, net_content, status) SELECT :s, lot_id, product_id, packaging_index, 0, packed_on,"
            " expires_on, net_content, 'active' FROM packages WHERE status = 'active' ORDER BY serial LIMIT 1"
        ),
        {"s": serial},
    )
    return f"projection packages row serial={serial} is not in the ledger"


def hide_recall_completely(conn: Connection) -> str:
    """The attack of issue #16: packages, lots and lot_events changed; the first table in order is named."""
    conn.execute(text("UPDATE packages SET status = 'active' WHERE status = 'recalled'"))
    conn.execute(text("UPDATE lots SET status = 'active', recall_index = NULL, recall_reason = NULL"
                      " WHERE status = 'recalled'"))  # fmt: skip
    return delete_recall_rows(conn)


def move_lot_to_other_org(conn: Connection) -> str:
    lot, org = one(conn, "SELECT id, organisation_id FROM lots ORDER BY id")
    (other,) = one(conn, f"SELECT id FROM organisations WHERE id <> {int(org)} ORDER BY id")
    conn.execute(text("UPDATE lots SET organisation_id = :o WHERE id = :l"), {"o": other, "l": lot})
    return f"projection lots row id={lot}: organisation_id is {other}, the ledger says {org}"


def revive_certificate(conn: Connection) -> str:
    (cert,) = one(conn, "SELECT id FROM certificates ORDER BY id")
    conn.execute(
        text("UPDATE certificates SET stars = 5, valid_until = '2099-01-01' WHERE id = :c"), {"c": cert}
    )
    return f"projection certificates row id={cert}: stars is 5, the ledger says"


def rewrite_quantity(conn: Connection) -> str:
    """Equal as a decimal, different on the page: '0.000' is shown, and read as a thousandth of nothing."""
    (lot,) = one(conn, "SELECT id FROM lots WHERE remaining = '0' ORDER BY id")
    conn.execute(text("UPDATE lots SET remaining = '0.000' WHERE id = :l"), {"l": lot})
    return f"projection lots row id={lot}: remaining is '0.000', the ledger says '0'"


def unreadable_quantity(conn: Connection) -> str:
    """A value the models cannot read (Vietnamese thousands separators) is named, not a crash."""
    lot, quantity = one(conn, "SELECT id, quantity FROM lots ORDER BY id")
    conn.execute(text("UPDATE lots SET quantity = '1.000.000' WHERE id = :l"), {"l": lot})
    return f"projection lots row id={lot}: quantity is '1.000.000', the ledger says '{quantity}'"


def edit_event_body(conn: Connection) -> str:
    (index,) = one(conn, "SELECT ledger_index FROM events WHERE type = 'recall' ORDER BY ledger_index")
    conn.execute(text("UPDATE events SET type = 'inspect' WHERE ledger_index = :i"), {"i": index})
    return f"projection events row ledger_index={index}: type is 'inspect', the ledger says 'recall'"


def swap_serial_list(conn: Connection) -> str:
    (index,) = one(conn, "SELECT ledger_index FROM serial_batches ORDER BY ledger_index")
    conn.execute(
        text(
            "UPDATE serial_batches SET serials = 'FORGED0000000000' || substr(serials, 17)"
            " WHERE ledger_index = :i"
        ),
        {"i": index},
    )
    return f"serial list of packaging event {index} does not match its signed root"


@pytest.mark.parametrize(
    "tamper",
    [
        unrecall_package,
        delete_recall_rows,
        unrecall_lot,
        forge_package,
        hide_recall_completely,
        move_lot_to_other_org,
        revive_certificate,
        rewrite_quantity,
        unreadable_quantity,
        edit_event_body,
        swap_serial_list,
    ],
)
def test_tampered_projection_is_named(demo_app: Flask, tamper: Tamper) -> None:
    engine = engine_of(demo_app)
    with engine.begin() as conn:
        expected = tamper(conn)
    log_only, output = verify(demo_app, "--no-projections")
    assert log_only == 0, output  # the log itself is sound: only the audit of projections sees this
    before = dump(engine)
    code, output = verify(demo_app)
    assert code == 1, output
    assert output.startswith(f"error: {expected}"), output
    assert len(output.strip().splitlines()) == 1
    assert dump(engine) == before  # the failed audit wrote nothing either


def test_audit_error_names_table_and_row(demo_app: Flask) -> None:
    engine = engine_of(demo_app)
    with engine.begin() as conn:
        expected = unrecall_package(conn)
    with demo_app.app_context(), pytest.raises(VerificationError) as raised:
        audit_projections(engine)
    assert str(raised.value) == expected


@pytest.mark.parametrize(
    ("sql", "named"),
    [
        ("UPDATE organisations SET name = 'HTX Giả Mạo' WHERE id = (SELECT MIN(organisation_id) FROM lots)",
         "name is 'HTX Giả Mạo', the ledger says"),
        ("UPDATE products SET organisation_id = (SELECT MAX(id) FROM organisations)"
         " WHERE id = (SELECT MIN(product_id) FROM packages)", "organisation_id is"),
        ("UPDATE products SET ledger_index = NULL WHERE id = (SELECT MIN(product_id) FROM packages)",
         "no signed registration"),
        ("UPDATE organisations SET ledger_index = 0 WHERE id = (SELECT MIN(organisation_id) FROM lots)",
         "is not its registration"),
    ],
)  # fmt: skip
def test_onboarding_rows_are_audited_against_their_signed_registrations(
    demo_app: Flask, sql: str, named: str
) -> None:
    with engine_of(demo_app).begin() as conn:
        conn.execute(text(sql))
    code, output = verify(demo_app)
    assert code == 1, output
    assert named in output


def test_every_table_is_classified() -> None:
    names = {t.name for t in model_tables()}
    audited = {t.name for t in audited_tables()}
    assert audited | set(NOT_PROJECTIONS) == names
    assert not audited & set(NOT_PROJECTIONS)
    rebuilt = {model.__table__.name for model in PROJECTION_TABLES}  # what rebuild empties and replays
    assert audited == rebuilt
    assert {"packages", "lots", "lot_events", "events", "certificates"} <= audited
    assert not names & set(ledger_schema.metadata.tables)  # the log's own tables: checked by the log audit


def test_unclassified_table_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit, "NOT_PROJECTIONS", {k: v for k, v in NOT_PROJECTIONS.items() if k != "scans"})
    with pytest.raises(LedgerError, match="table scans is neither rebuilt from the ledger"):
        audited_tables()

"""Projection audit: rebuild every projection from the ledger in a transaction that is rolled back, and
compare it with the live tables row by row (issue #16, item 3).

The log's own checks (``tracer.ledger.audit``) prove the entries are what was signed; this proves the tables
that pages, the API and the verdicts read are what those entries give. Someone with write access to the
database but no key who sets a recalled package back to ``active``, deletes a ``recalled`` row of
``lot_events`` or inserts a package for a serial never issued is named here: table, primary key and column.

How. The replay is ``tracer.events.projection.rebuild``, the very projectors that ran when each event was
first recorded (auditing other code would prove nothing about these tables). Those projectors are bound to
the live tables' names, so the replay runs *in* the live tables, inside a SAVEPOINT of a transaction that
is always rolled back, after a snapshot of the live rows was read in the same transaction:

1. take the ledger's write lock (``lock_state``, as ``rebuild`` and every append do): no event is appended
   and no projection changes while the audit runs, so a difference is tampering, never a race. On SQLite
   any write needs the database's write lock anyway; on PostgreSQL the replay's DELETEs hold row locks on
   the projection rows, so any other writer of them waits for the rollback and then finds them as they were;
2. read every projection table, ordered by primary key (the snapshot);
3. SAVEPOINT; empty the projections and replay the ledger from index 0; read the tables again; compare;
4. ROLLBACK TO SAVEPOINT, and the caller rolls the whole transaction back (``audit_projections`` does).

TEMP tables on PostgreSQL were not chosen: the projectors would have to be pointed at other tables
(``schema_translate_map``), which also redirects the ledger and source tables they read, for no gain in
safety: the rollback already guarantees nothing is written. The cost is memory for both copies of the
tables (fine for a programme's projections; a streamed comparison through TEMP snapshots is the next step
if they outgrow it) and the write lock for the audit's duration.

Which tables: every table of the models (``tracer.models``, all its modules imported) is audited unless
``NOT_PROJECTIONS`` names it with the reason; an audited table that ``rebuild`` does not rebuild is an error,
so a new table cannot silently escape the audit.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Table, select, type_coerce
from sqlalchemy.types import NullType
from sqlmodel import Session, SQLModel

import tracer.models
from tracer.events import profile_audit, registrations
from tracer.events.projection import PROJECTION_TABLES, rebuild
from tracer.ledger.connection import lock_state, write_turn
from tracer.ledger.errors import LedgerError, VerificationError
from tracer.platform import journal
from tracer.platform.db import WRITE_OPTIONS

NOT_PROJECTIONS: dict[str, str] = {
    "users": "accounts: people and their roles, not ledger facts (their signing keys are in ledger_keys)",
    "login_sessions": "signed-in browsers: hashes of session keys, not ledger facts",
    "api_tokens": "hashes of bearer tokens, not ledger facts",
    "idempotency_keys": "the API's stored answers to retried requests, not ledger facts",
    "csv_imports": "content hashes of CSV files a producer imported, to refuse one imported twice; unsigned",
    "scans": "consumers' scans of codes: what happened at the resolver, never signed",
    "scan_tallies": "counted scans per client and hour, derived from scans, not from the ledger",
    "scan_counts": "running totals of scan_tallies, not from the ledger",
    "scan_flags": "signs of copied codes found in scans, not from the ledger",
    "fake_reports": "shoppers' reports of suspected fakes: unsigned, for the inspectors' queue",
    "scan_sources": "networks that visited a package's page per day, derived from scans, not from the ledger",
    "serial_batches": "source data: each packaging event signs its list's Merkle root, and the replay checks "
    "every list against that root (tracer.events.packaging.batch_serials), so a changed list fails the audit",
    "organisations": "checked against their signed org.register entries (tracer.events.registrations.check)",
    "products": "checked against their signed product.register entries (tracer.events.registrations.check)",
    "zone_profiles": "pointers to each zone's newest signed zone.profile entry, checked against the ledger "
    "(tracer.events.profile_audit.check)",
}


@dataclass(frozen=True)
class ProjectionReport:
    """What the audit compared: tables and rows (the rebuilt ones, equal to the live ones)."""

    tables: int
    rows: int
    entries: int


def model_tables() -> list[Table]:
    """Every table of ``tracer.models`` (each of its modules imported), parents before children."""
    for module in pkgutil.iter_modules(tracer.models.__path__):
        importlib.import_module(f"{tracer.models.__name__}.{module.name}")
    return list(SQLModel.metadata.sorted_tables)


def audited_tables() -> list[Table]:
    """The projection tables the audit compares, parents first; refuses a table nobody classified."""
    rebuilt = {model.__table__.name for model in PROJECTION_TABLES}  # type: ignore[attr-defined]
    tables = [t for t in model_tables() if t.name not in NOT_PROJECTIONS]
    unclassified = sorted(t.name for t in tables if t.name not in rebuilt)
    if unclassified:
        raise LedgerError(
            f"table {', '.join(unclassified)} is neither rebuilt from the ledger "
            f"(tracer.events.projection.PROJECTION_TABLES) nor excluded with a reason "
            f"(tracer.events.audit.NOT_PROJECTIONS)"
        )
    return tables


Row = tuple[Any, ...]


def _read(session: Session, table: Table) -> list[Row]:
    """The table's rows as the database stores them: no column type's conversion, so a value the models
    would read as equal but show differently (``'1.000'`` for ``'1'``: a thousand, to a Vietnamese reader)
    is a difference, and a value they could not read at all (``'1.000.000'`` as a decimal) is reported as
    one rather than stopping the audit."""
    raw = [type_coerce(column, NullType()).label(column.name) for column in table.columns]
    return [tuple(row) for row in session.connection().execute(select(*raw))]


def _key(table: Table, row: Row) -> Row:
    return tuple(row[i] for i, column in enumerate(table.columns) if column.primary_key)


def _named(table: Table, row: Row) -> str:
    names = [c.name for c in table.columns if c.primary_key]
    return ", ".join(f"{name}={value}" for name, value in zip(names, _key(table, row), strict=True))


def _sortable(key: Row) -> tuple[tuple[bool, str, Any], ...]:
    """A key that sorts even when a forged row's key has another type (SQLite stores what it is given)."""
    return tuple((value is None, type(value).__name__, value) for value in key)


def _shown(value: Any) -> str:
    return repr(value) if isinstance(value, str | bytes) else "NULL" if value is None else str(value)


def first_difference(table: Table, live: Sequence[Row], ledger: Sequence[Row]) -> str | None:
    """The first difference, in primary-key order, between the live rows and the rebuilt ones, as one
    sentence naming the table, the row's key and the column; None when they are equal."""
    ledger_by_key = {_key(table, row): row for row in ledger}
    live_by_key = {_key(table, row): row for row in live}
    for key in sorted(ledger_by_key.keys() | live_by_key.keys(), key=_sortable):
        have, want = live_by_key.get(key), ledger_by_key.get(key)
        if have is None:
            assert want is not None
            return f"projection {table.name} row {_named(table, want)} is missing: the ledger has it"
        if want is None:
            return f"projection {table.name} row {_named(table, have)} is not in the ledger"
        for column, got, expected in zip(table.columns, have, want, strict=True):
            if type(got) is not type(expected) or got != expected:
                return (
                    f"projection {table.name} row {_named(table, have)}: "
                    f"{column.name} is {_shown(got)}, the ledger says {_shown(expected)}"
                )
    return None


def verify_projections(session: Session) -> ProjectionReport:
    """Rebuild every projection from the ledger inside a SAVEPOINT of ``session``'s transaction, compare it
    with the live tables and roll the SAVEPOINT back. Raises ``VerificationError`` naming table and row at
    the first difference. The caller holds the ledger's write lock and rolls its transaction back."""
    # organisations, products and profile pointers against their signed entries
    problem = registrations.check(session) or profile_audit.check(session)
    if problem is not None:
        raise VerificationError(problem)
    tables = audited_tables()
    live = {table.name: _read(session, table) for table in tables}
    entries = list(journal.iter_entries(session.connection()))
    savepoint = session.begin_nested()
    try:
        try:
            applied = rebuild(session, entries)
        except VerificationError:
            raise
        except Exception as error:  # a source row the replay needs was changed or removed
            cause = str(getattr(error, "orig", None) or error).strip().splitlines() or [type(error).__name__]
            raise VerificationError(f"projections cannot be rebuilt from the ledger: {cause[0]}") from None
        rows = 0
        for table in tables:
            rebuilt = _read(session, table)
            problem = first_difference(table, live[table.name], rebuilt)
            if problem is not None:
                raise VerificationError(problem)
            rows += len(rebuilt)
    finally:
        if savepoint.is_active:
            savepoint.rollback()
        session.expunge_all()
    return ProjectionReport(tables=len(tables), rows=rows, entries=applied)


def audit_projections(engine: Engine) -> ProjectionReport:
    """``verify_projections`` in a transaction of its own that holds the ledger's write lock and is always
    rolled back: nothing is ever written."""
    with write_turn(engine), Session(engine, expire_on_commit=False) as session:
        try:
            lock_state(session.connection(execution_options=WRITE_OPTIONS))
            return verify_projections(session)
        finally:
            session.rollback()

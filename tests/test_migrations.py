"""Alembic: empty -> head -> base -> head on both databases, and the models agree with the migrations."""

from __future__ import annotations

from sqlalchemy import inspect

from tracer.platform import migrate as schema
from tracer.platform.db import make_engine

DOMAIN_TABLES = {
    "organisations",
    "users",
    "api_tokens",
    "products",
    "certificates",
    "zones",
    "lots",
    "packages",
    "scans",
}


def test_upgrade_downgrade_upgrade(empty_database_url):
    engine = make_engine(empty_database_url)
    try:
        assert schema.current_revision(engine) is None
        schema.upgrade(engine)
        assert schema.current_revision(engine) == schema.head_revision(engine)
        tables = set(inspect(engine).get_table_names())
        assert DOMAIN_TABLES <= tables
        assert "ledger_entries" in tables

        schema.downgrade(engine, "base")
        assert schema.current_revision(engine) is None
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}

        schema.upgrade(engine)
        assert DOMAIN_TABLES <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_models_match_migrations(database_url):
    """Autogenerate finds nothing to do: the tables the models describe are the tables migrations make."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": False})
            diff = [d for m in schema.model_metadata() for d in compare_metadata(context, m) if _owned(d, m)]
        assert diff == []
    finally:
        engine.dispose()


def _owned(diff: object, metadata) -> bool:
    """A difference about a table of ``metadata`` (each metadata sees the other's tables as extra)."""
    text = repr(diff)
    return any(f"'{name}'" in text for name in metadata.tables)


def test_scan_counts_are_filled_from_the_tallies_already_there(empty_database_url):
    """0005 adds scan_counts to a database that already has scans: each serial's count and first scan."""
    from sqlalchemy import text

    engine = make_engine(empty_database_url)
    try:
        schema.upgrade(engine, "0004_scans")
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO scan_tallies (serial, client_hash, bucket, first_at) "
                    "VALUES (:s, :c, :b, :at)"
                ),
                [
                    {"s": "AAAA", "c": "x", "b": 1, "at": "2026-11-01 08:00:00"},
                    {"s": "AAAA", "c": "y", "b": 1, "at": "2026-11-01 07:00:00"},
                    {"s": "AAAA", "c": "x", "b": 2, "at": "2026-11-01 09:00:00"},
                    {"s": "BBBB", "c": "x", "b": 1, "at": "2026-11-02 10:00:00"},
                ],
            )
        schema.upgrade(engine)
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT serial, scans, first_at FROM scan_counts ORDER BY serial")).all()
        assert [(r[0], r[1]) for r in rows] == [("AAAA", 3), ("BBBB", 1)]
        assert str(rows[0][2]).startswith("2026-11-01 07:00:00")
    finally:
        engine.dispose()

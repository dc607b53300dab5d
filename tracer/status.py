"""What the service reports about itself: database backend, schema revision and ledger size."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text


def service_status(engine: Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        size = (
            conn.execute(text("SELECT size FROM ledger_state WHERE id = 1")).scalar()
            if _has_ledger(conn)
            else 0
        )
    return {"database": engine.dialect.name, "ledger_size": int(size or 0)}


def _has_ledger(conn: Any) -> bool:
    from sqlalchemy import inspect

    return bool(inspect(conn).has_table("ledger_state"))

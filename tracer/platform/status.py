"""What the service reports about itself: database backend and ledger size."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from tracer.ledger.connection import read_state


def service_status(engine: Engine) -> dict[str, Any]:
    """Raises SQLAlchemyError when the database does not answer; a database not yet initialised has size 0."""
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        try:
            state = read_state(conn)
        except SQLAlchemyError:  # it answered SELECT 1: the ledger's tables are not there yet (run init)
            state = None
    return {"database": engine.dialect.name, "ledger_size": state[0] if state else 0}

"""What someone who can write to the database, but holds no signing key, does to hide a recall (issue #16):
the statements, and one way to run them on a database by its URL."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import text

from tracer.platform.db import make_engine

HIDE_RECALL_IN_TABLES = (
    "UPDATE packages SET status = 'active' WHERE status = 'recalled'",
    "UPDATE lots SET status = 'active', recall_index = NULL, recall_reason = NULL WHERE status = 'recalled'",
    "DELETE FROM lot_events WHERE role = 'recalled'",
)
"""Every projection of every recall undone."""

HIDE_RECALL_IN_MAP = (
    "DELETE FROM ledger_map_entries WHERE idx IN (SELECT ledger_index FROM events WHERE type = 'recall')",
)
"""The recalls' rows of the verifiable map's entry lists deleted too: the server's bundles leave them out."""


def execute(url: str, statements: Sequence[str]) -> None:
    """Run ``statements`` in one transaction on the database at ``url``."""
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.execute(text(statement))
    finally:
        engine.dispose()

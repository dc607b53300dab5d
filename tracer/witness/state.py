"""The witness's memory: the latest checkpoint it cosigned for each origin, in its own SQLite file.

Checking a request's old size against the stored size and storing the new checkpoint happen in ONE
``BEGIN IMMEDIATE`` transaction (c2sp.org/tlog-witness: otherwise two requests could roll the log back).
Refused requests whose log signature verified are kept too: they may be evidence of a misbehaving log.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS checkpoints (
    origin TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    root_hash BLOB NOT NULL,
    note TEXT NOT NULL,
    cosigned_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS refusals (
    id INTEGER PRIMARY KEY,
    origin TEXT NOT NULL,
    status INTEGER NOT NULL,
    reason TEXT NOT NULL,
    request TEXT NOT NULL,
    at INTEGER NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class Latest:
    """The latest cosigned tree of an origin (size 0 and no root before the first)."""

    size: int
    root_hash: bytes | None


class WitnessState:
    """The SQLite file at ``path``; one connection per thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        with self._connect() as conn:
            conn.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=True)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")  # a cosigned size must survive a crash
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction holding SQLite's write lock from its first statement."""
        conn = self._connect()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @staticmethod
    def latest(conn: sqlite3.Connection, origin: str) -> Latest:
        row = conn.execute("SELECT size, root_hash FROM checkpoints WHERE origin = ?", (origin,)).fetchone()
        return Latest(0, None) if row is None else Latest(int(row[0]), bytes(row[1]))

    @staticmethod
    def store(conn: sqlite3.Connection, origin: str, size: int, root_hash: bytes, note: str) -> None:
        conn.execute(
            "INSERT INTO checkpoints (origin, size, root_hash, note, cosigned_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (origin) DO UPDATE SET size = excluded.size, root_hash = excluded.root_hash, "
            "note = excluded.note, cosigned_at = excluded.cosigned_at",
            (origin, size, root_hash, note, int(time.time())),
        )

    def refused(self, origin: str, status: int, reason: str, request: str) -> None:
        """Keep a refused request whose log signature verified (at most 64 KiB of it)."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO refusals (origin, status, reason, request, at) VALUES (?, ?, ?, ?, ?)",
                (origin, status, reason, request[:65536], int(time.time())),
            )

    def size_of(self, origin: str) -> int:
        """The size of the latest checkpoint cosigned for ``origin`` (0 if none)."""
        return self.latest(self._connect(), origin).size

    def refusals(self, origin: str) -> list[tuple[int, str]]:
        """(status, reason) of the refused requests kept for ``origin``, oldest first."""
        rows = (
            self._connect()
            .execute("SELECT status, reason FROM refusals WHERE origin = ? ORDER BY id", (origin,))
            .fetchall()
        )
        return [(int(status), str(reason)) for status, reason in rows]

"""Engine set-up and the single-writer lock: sequencing appends in the database itself.

PostgreSQL: the append takes ``SELECT ... FOR UPDATE`` on the one ``ledger_state`` row, so concurrent
appenders queue on that row lock (use READ COMMITTED, PostgreSQL's default). SQLite: pysqlite's own
transaction handling is switched off (SQLAlchemy's "pysqlite serializable" recipe) and transactions begin
with ``BEGIN IMMEDIATE`` when the connection has the execution option ``ledger_write=True``, so the
database write lock is taken before anything is read; with ``busy_timeout`` other writers wait for it.
Either way indexes come from the locked state row, never from a sequence: no gaps, no duplicates.
"""

from __future__ import annotations

import fcntl
import os
import threading
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, event, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from tracer.ledger.merkle import EMPTY_ROOT
from tracer.ledger.schema import ledger_state

WRITE_OPTION = "ledger_write"
STATE_ID = 1


def configure_engine(engine: Engine) -> None:
    """Install the SQLite pragmas and BEGIN listener on ``engine``; a no-op on other databases.

    Idempotent, and a no-op if the engine already has a ``begin`` listener (one set-up per engine).
    """
    if engine.dialect.name != "sqlite" or len(engine.dispatch.begin) > 0:
        return
    database = engine.url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        turn = _TURNS[engine] = _Turn(Path(database).with_name(Path(database).name + "-writer.lock"))
        event.listen(engine, "engine_disposed", lambda _engine: turn.close())

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy's recipe: we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Large tables (10^6 packages) are read at random by serial, and proofs read ~2 log2(n) scattered
        # B-tree pages: map the file and keep a bigger page cache per connection, so reads stay in memory.
        cursor.execute("PRAGMA mmap_size=268435456")
        cursor.execute("PRAGMA cache_size=-32768")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(WRITE_OPTION)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class _Turn:
    """Writers of one SQLite file queue here: threads on a lock, processes on ``flock`` of a lock file.

    Without it they queue in SQLite's busy handler, which sleeps and polls (1, 2, 5 ... 100 ms): under load
    most of a write's time goes to sleeping while the lock is free. A blocked ``flock`` wakes as soon as the
    lock is released. Each process opens the file itself (a descriptor shared across fork shares its lock).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.threads = threading.RLock()  # a writer inside a writer (same thread) must not wait for itself
        self._depth = 0  # changed only by the thread holding ``threads``
        self._fd = -1
        self._pid = 0

    @contextmanager
    def held(self) -> Iterator[None]:
        with self.threads:
            if self._depth == 0:
                if self._pid != os.getpid():
                    self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
                    self._pid = os.getpid()
                fcntl.flock(self._fd, fcntl.LOCK_EX)
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0:
                    fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        """Close the lock file (the engine was disposed); the next write opens it again."""
        with self.threads:
            if self._fd >= 0 and self._pid == os.getpid():
                os.close(self._fd)
            self._fd, self._pid = -1, 0


_TURNS: weakref.WeakKeyDictionary[Engine, _Turn] = weakref.WeakKeyDictionary()


@contextmanager
def write_turn(engine: Engine) -> Iterator[None]:
    """Wait for this writer's turn (SQLite files; elsewhere the database's own lock queues writers)."""
    turn = _TURNS.get(engine)
    if turn is None:
        yield
        return
    with turn.held():
        yield


def ensure_state(conn: Connection) -> None:
    """Create the state row (size 0) if missing, without failing if another writer creates it first."""
    values = {"id": STATE_ID, "size": 0, "root_hash": EMPTY_ROOT}
    if conn.dialect.name == "sqlite":
        conn.execute(sqlite_insert(ledger_state).values(values).on_conflict_do_nothing())
    elif conn.dialect.name == "postgresql":
        conn.execute(postgresql_insert(ledger_state).values(values).on_conflict_do_nothing())
    elif conn.execute(select(ledger_state.c.id).where(ledger_state.c.id == STATE_ID)).first() is None:
        conn.execute(insert(ledger_state).values(values))


_READ = select(ledger_state.c.size, ledger_state.c.root_hash).where(ledger_state.c.id == STATE_ID)
_LOCK_FOR_UPDATE = _READ.with_for_update()
# A no-op UPDATE takes SQLite's write lock; RETURNING reads the row in the same statement.
_LOCK_SQLITE = (
    update(ledger_state)
    .where(ledger_state.c.id == STATE_ID)
    .values(size=ledger_state.c.size)
    .returning(ledger_state.c.size, ledger_state.c.root_hash)
)


def lock_state(conn: Connection) -> tuple[int, bytes] | None:
    """Take the single-writer lock and return (size, root), or None before ``ensure_state``.

    On SQLite the no-op UPDATE takes the write lock at once if the transaction began deferred and has not
    read yet; a transaction that has already read must have begun with ``ledger_write=True``.
    """
    row = conn.execute(_LOCK_SQLITE if conn.dialect.name == "sqlite" else _LOCK_FOR_UPDATE).first()
    return None if row is None else (int(row.size), bytes(row.root_hash))


def read_state(conn: Connection) -> tuple[int, bytes] | None:
    """(size, root) without locking, or None before the log exists."""
    row = conn.execute(_READ).first()
    return None if row is None else (int(row.size), bytes(row.root_hash))


def insert_rows(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Bulk INSERT through the driver's executemany: SQLAlchemy's per-row processing would cost as much as
    the rest of an append. Values must already be what the driver takes (bytes, ints, str, datetime)."""
    if not rows:
        return
    if conn.dialect.name not in ("sqlite", "postgresql"):
        conn.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    names = ", ".join(table.c[name].name for name in columns)  # only our own tables' column names
    sql = f"INSERT INTO {table.name} ({names}) VALUES ({', '.join([mark] * len(columns))})"  # noqa: S608
    conn.exec_driver_sql(sql, list(rows))


def bind_value(conn: Connection, table: Table, column: str, value: Any) -> Any:
    """``value`` as the driver should receive it for ``table.column`` (e.g. SQLite's DATETIME text)."""
    processor = table.c[column].type.bind_processor(conn.dialect)
    return value if processor is None else processor(value)

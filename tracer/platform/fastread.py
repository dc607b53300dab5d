"""Reads on the public hot path (the resolver's lookup): one DBAPI connection per thread, no ORM, no pool.

A scan costs one indexed statement. Going through SQLAlchemy's ``Connection`` costs about as much again as
the statement itself (pool checkout, a ping on PostgreSQL, BEGIN and ROLLBACK round trips, result
metadata), so here each thread keeps its own DBAPI connection, detached from the engine's pool after the
engine's ``connect`` hooks ran (SQLite's pragmas), in autocommit: a lone SELECT needs no transaction.
Statements are SQLAlchemy constructs compiled once per dialect; rows come back through the column types'
own result processors, so values are what the ORM would give.

A failed statement closes the thread's connection and is tried once more on a new one (after a database
restart the old connections are dead); a second failure is raised as SQLAlchemy's exception of the same
kind (an ``OperationalError`` becomes the app's 503). The engine's ``dispose()`` closes every connection.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement

__all__ = ["FastReader"]

Processor = Callable[[Any], Any] | None


class _Compiled:
    def __init__(self, statement: ClauseElement, engine: Engine) -> None:
        compiled = statement.compile(dialect=engine.dialect)
        assert isinstance(compiled, SQLCompiler)
        self.sql = str(compiled)
        self.compiled = compiled
        self.order = tuple(compiled.positiontup or ()) if compiled.positional else None
        columns = getattr(statement, "selected_columns", ())
        dialect = engine.dialect
        self.processors: tuple[Processor, ...] = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
        )
        self.names = tuple(column.key for column in columns)

    def params(self, values: Mapping[str, Any]) -> Sequence[Any] | Mapping[str, Any]:
        merged = self.compiled.construct_params(dict(values)) or {}
        return tuple(merged[name] for name in self.order) if self.order is not None else merged

    def row(self, raw: Sequence[Any]) -> dict[str, Any]:
        return {
            name: (process(value) if process is not None and value is not None else value)
            for name, process, value in zip(self.names, self.processors, raw, strict=True)
        }


class FastReader:
    """Per-thread DBAPI connections of ``engine`` for single-row reads."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._local = threading.local()
        self._open: set[Any] = set()
        self._lock = threading.Lock()
        self._compiled: dict[int, _Compiled] = {}
        self._errors = engine.dialect.loaded_dbapi.Error
        event.listen(engine, "engine_disposed", lambda _engine: self.close())

    def first(self, statement: ClauseElement, values: Mapping[str, Any]) -> dict[str, Any] | None:
        """The first row of ``statement`` with ``values`` bound, as a dict by column key; None if no row."""
        compiled = self._compiled.get(id(statement))
        if compiled is None:
            compiled = self._compiled.setdefault(id(statement), _Compiled(statement, self.engine))
        params = compiled.params(values)
        for attempt in (1, 2):
            connection = None
            try:
                connection = self._connection()  # connecting may fail too (the database is down)
                cursor = connection.cursor()
                try:
                    cursor.execute(compiled.sql, params)
                    rows = cursor.fetchall()  # to the end: SQLite's read snapshot ends with the statement
                finally:
                    cursor.close()
            except self._errors as error:
                if connection is not None:
                    self._discard(connection)
                if attempt == 2:
                    raise DBAPIError.instance(compiled.sql, params, error, self._errors) from error
                continue
            return compiled.row(rows[0]) if rows else None
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Close every thread's connection (the engine was disposed, or the app goes away)."""
        with self._lock:
            connections, self._open = self._open, set()
        for connection in connections:
            try:
                connection.close()
            except self._errors:
                pass
        self._local = threading.local()

    def _connection(self) -> Any:
        local = self._local
        held = getattr(local, "connection", None)
        if held is not None and local.pid == os.getpid():
            return held
        proxied = self.engine.raw_connection()  # runs the engine's connect hooks (SQLite pragmas)
        connection: Any = proxied.driver_connection
        proxied.detach()  # ours from now on: the pool forgets it
        if self.engine.dialect.name == "postgresql":
            connection.autocommit = True  # a lone SELECT: no BEGIN/ROLLBACK round trips
            # Point lookups by key only: never a sequential scan, even while statistics still say a table is
            # empty (a new deployment, before autovacuum's first ANALYZE, would scan scan_counts each time).
            connection.execute("SET enable_seqscan = off")
        local.connection, local.pid = connection, os.getpid()
        with self._lock:
            self._open.add(connection)
        return connection

    def _discard(self, connection: Any) -> None:
        self._local.connection = None
        with self._lock:
            self._open.discard(connection)
        try:
            connection.close()
        except self._errors:
            pass

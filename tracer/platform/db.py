"""Database engine and sessions: one engine per app (in its services), one session per request.

SQLite (the embedded default) runs in WAL mode; a writing transaction begins with ``BEGIN IMMEDIATE`` so
that the database, not the application, serialises ledger appends across processes. PostgreSQL is reached
through psycopg 3 and serialises appends with a row lock taken by the ledger store.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, g
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlmodel import Session

from tracer.ledger.connection import WRITE_OPTION, configure_engine, write_turn
from tracer.platform.fastread import FastReader
from tracer.platform.services import services

WRITE_OPTIONS = {WRITE_OPTION: True}


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite gets WAL, a busy timeout, foreign keys and explicit BEGIN modes
    (``tracer.ledger.connection.configure_engine``)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
            from pathlib import Path

            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)
        configure_engine(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10, **kwargs)


def init_app(app: Flask) -> None:
    """One session per request, closed at teardown (the engine is made by ``create_app``, in its services)."""
    app.teardown_appcontext(_close_session)


def engine() -> Engine:
    return services().engine


def reader() -> FastReader:
    """Per-thread connections for the public hot path's single-row reads (``tracer.platform.fastread``)."""
    return services().reader


def session() -> Session:
    """The request's read session, made on first use and closed at teardown."""
    if "db_session" not in g:
        g.db_session = Session(engine(), expire_on_commit=False)
    return g.db_session


@contextmanager
def writer(bind: Engine | None = None) -> Iterator[Session]:
    """A session whose transaction holds the database's write lock from its first statement.

    Commits when the block ends, rolls everything back on any exception: nothing is half-written.
    """
    target = bind or engine()
    with write_turn(target), Session(target, expire_on_commit=False) as write_session:
        write_session.connection(execution_options=WRITE_OPTIONS)
        try:
            yield write_session
            write_session.commit()
        except BaseException:
            write_session.rollback()
            raise


def _close_session(_exc: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()

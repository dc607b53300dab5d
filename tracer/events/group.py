"""Group commit: events posted at the same time share one transaction, one signed checkpoint, one fsync.

Recording an event holds the ledger's write lock from validation to commit, so writes are serialised, and
a commit (an fsync on SQLite, a WAL flush on PostgreSQL) plus a checkpoint signature used to be paid by
every event. Here each write is a job handed to the process's ``GroupCommit``: the first thread to find no
leader leads, takes every job waiting (up to ``limit``) and records them in one writer transaction, each in
its own SAVEPOINT, so that a refused event (a rule, an unknown lot, a reused idempotency key) undoes exactly
its own writes and answers its own error; a job's database error ends the transaction, so that job gets
its error and the others run again without it. A job is given the session and the transaction's ledger
``Appender`` (``tracer.ledger.appender``): its events are signed and projected as it runs, and added to the
appender (a rolled-back job's are undone back to its mark); the leader then seals the appender, appending
them all with one checkpoint, and commits once; jobs that arrived meanwhile wait for the next leader, the
first of them promoted. Each signer's key is read once per transaction, under the lock, so no other process
can have revoked it by the time of sealing. A job may record several events (a batch request): they stand
or fall together, in the job's savepoint.

What a client sees does not change: its request returns only after the transaction holding its event has
committed, with its own receipt or its own error; if the commit itself fails, every event of the batch
fails with that error and nothing of the batch is written. Jobs run on the leader's thread, inside the
leader's app context, so a job must not touch ``flask.request`` or ``flask.g``: the route reads what it
needs from the request before submitting.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from flask import Flask
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from tracer.events import pipeline
from tracer.ledger.appender import Appender
from tracer.platform import db
from tracer.platform.services import services

T = TypeVar("T")
LIMIT = 64  # jobs per transaction: bounds the leader's own wait and the lock's hold time
Work = Callable[[Session, Appender], T]  # a job: record with the session, add to the appender (never seal)


class _Job(Generic[T]):
    __slots__ = ("work", "wake", "finished", "result", "error")

    def __init__(self, work: Work[T]) -> None:
        self.work = work
        self.wake = threading.Event()
        self.finished = False
        self.result: T | None = None
        self.error: BaseException | None = None

    def outcome(self) -> T:
        if self.error is not None:
            raise self.error
        return self.result  # type: ignore[return-value]


class GroupCommit:
    """Runs jobs ``work(session, ledger)`` in shared writer transactions of ``engine`` (see the module)."""

    def __init__(self, engine: Engine, limit: int = LIMIT) -> None:
        self._engine = engine
        self._limit = limit
        self._lock = threading.Lock()
        self._waiting: list[_Job[object]] = []
        self._leading = False

    @property
    def waiting(self) -> int:
        """How many jobs wait for a leader to take them."""
        with self._lock:
            return len(self._waiting)

    def run(self, work: Work[T]) -> T:
        """``work(session, ledger)``'s result once its transaction has committed; its exception if it raised
        (its own writes undone), or the transaction's if the batch could not commit."""
        job: _Job[T] = _Job(work)
        with self._lock:
            self._waiting.append(job)  # type: ignore[arg-type]
            lead = not self._leading
            self._leading = True
        if not lead:
            job.wake.wait()  # woken when its batch is done, or when promoted to lead the next one
            if job.finished:
                return job.outcome()
        self._lead()
        return job.outcome()

    def _lead(self) -> None:
        with self._lock:
            batch, self._waiting = self._waiting[: self._limit], self._waiting[self._limit :]
        try:
            self._record(batch)
        finally:
            for job in batch:
                job.finished = True
                job.wake.set()
            with self._lock:
                if self._waiting:
                    self._waiting[0].wake.set()  # not finished: it leads the next batch
                else:
                    self._leading = False

    def _record(self, batch: list[_Job[object]]) -> None:
        try:
            self._transaction(batch)
        except _JobFailed as failed:  # the transaction is gone: that job fails, the others run again
            _fail([failed.job], failed.error)
            rest = [job for job in batch if job is not failed.job]
            if rest:
                self._record(rest)
        except BaseException as error:  # beginning, sealing or committing failed: nothing was recorded
            _fail(batch, error)
            if not isinstance(error, Exception):
                raise

    def _transaction(self, batch: list[_Job[object]]) -> None:
        with db.writer(self._engine) as session:
            ledger = pipeline.hold(session)
            if len(batch) == 1:  # alone: its refusal or error undoes the whole transaction, no savepoint
                job = batch[0]
                job.result = job.error = None
                job.result = job.work(session, ledger)
                ledger.seal()
                return
            for job in batch:
                job.result = job.error = None
                mark = ledger.mark()
                savepoint = session.begin_nested()
                try:
                    job.result = job.work(session, ledger)
                    savepoint.commit()  # flushes the job's writes: a database error is still the job's
                except SQLAlchemyError as error:  # the whole transaction goes, with the first error
                    raise _JobFailed(job, _first(error)) from None
                except Exception as error:  # this job's refusal: undo its own writes only
                    savepoint.rollback()
                    ledger.undo(mark)
                    job.error = error
            ledger.seal()


class _JobFailed(Exception):
    """A job's database error: it ends the shared transaction, so the other jobs run again without it."""

    def __init__(self, job: _Job[object], error: SQLAlchemyError) -> None:
        super().__init__(str(error))
        self.job, self.error = job, error


def _first(error: SQLAlchemyError) -> SQLAlchemyError:
    """The database error that started it: SQLite ends the transaction on some errors (a full disk), and
    the ORM's attempt to roll back to the job's savepoint then fails with "no such savepoint"."""
    while isinstance(error.__context__, SQLAlchemyError):
        error = error.__context__
    return error


def _fail(batch: list[_Job[object]], error: BaseException) -> None:
    for job in batch:
        job.result, job.error = None, error


def of(app: Flask) -> GroupCommit:
    """The app's group committer (one per process: gunicorn workers each have their own)."""
    return services(app).made(GroupCommit, lambda found: GroupCommit(found.engine))

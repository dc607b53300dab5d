"""The background cosigner: asks each configured witness (c2sp.org/tlog-witness) to cosign the newest
checkpoint, keeps what comes back, and never holds up an append.

One daemon thread per worker process looks at the newest checkpoint every ``witness_interval`` seconds
(checkpoints made in between are simply not asked for: a witness cosigns the newest tree, and any earlier
one it skipped is covered by the consistency proof). For each witness without a cosignature on it:

- old size: what that witness last said it cosigned (its 409 answer) or the largest size it cosigned for us;
- 200: the answer must hold a cosignature/v1 by the configured key over this checkpoint; it is stored;
- 409 with a size: the witness's view is taken and the request made again at once (once);
- anything else, a time-out or a refused connection: logged, and tried again later, with a back-off that
  doubles up to ``MAX_BACKOFF`` seconds. Nothing of this touches the write path: appends go on regardless.

The database is never held while a witness is asked: reads in one short connection, a cosignature saved in
its own short transaction.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from config.settings import Settings
from tracer.ledger import witnessing
from tracer.ledger.checkpoint import parse_checkpoint
from tracer.ledger.connection import write_turn
from tracer.ledger.cosignature import note_body
from tracer.ledger.errors import LedgerError
from tracer.ledger.store import LedgerStore
from tracer.ledger.witnessing import WitnessSpec
from tracer.platform.db import WRITE_OPTIONS
from tracer.platform.services import Services, services

log = logging.getLogger(__name__)
MAX_BACKOFF = 60.0
MAX_ANSWER = 64 * 1024

Post = Callable[[str, bytes, float], tuple[int, bytes]]
"""POST ``body`` to a URL within a time-out; (status, body). Raises OSError when there is no answer."""


def http_post(url: str, body: bytes, timeout: float) -> tuple[int, bytes]:
    request = urllib.request.Request(  # noqa: S310 (the URL is http(s), checked in settings)
        url, data=body, method="POST", headers={"Content-Type": "text/plain; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return int(response.status), bytes(response.read(MAX_ANSWER))
    except urllib.error.HTTPError as error:
        return int(error.code), bytes(error.read(MAX_ANSWER))
    except urllib.error.URLError as error:
        raise OSError(str(error.reason)) from None


@dataclass
class _Progress:
    known: int | None = None  # the witness's last cosigned size as far as we know
    failures: int = 0
    next_try: float = 0.0


class Cosigner:
    """The witnesses of ``settings``, asked on ``engine``'s log by a daemon thread of this process."""

    def __init__(
        self, engine: Engine, store: LedgerStore, settings: Settings, post: Post = http_post
    ) -> None:
        self.engine = engine
        self.store = store
        self.witnesses = [WitnessSpec.parse(text) for text in settings.witnesses]
        self.interval = float(settings.witness_interval)
        self.timeout = float(settings.witness_timeout)
        self.post = post
        self._progress = {w.name: _Progress() for w in self.witnesses}
        self._stop = threading.Event()
        self._pid = 0
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start this process's thread (again after a fork)."""
        if not self.witnesses or not self.interval or (self._pid == os.getpid() and self._thread is not None):
            return
        with self._lock:
            if self._pid == os.getpid() and self._thread is not None:
                return
            self._pid = os.getpid()
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="cosigner", daemon=True)
            self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None and self._pid == os.getpid():
            self._thread.join(timeout=self.timeout + 5)
        self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # the thread must outlive a database that is down
                log.exception("cosigner pass failed")
            self._stop.wait(self.interval)

    def run_once(self, now: float | None = None) -> dict[str, str]:
        """Ask every witness that has not cosigned the newest checkpoint; what happened, by witness."""
        with self.engine.connect() as conn:
            try:
                note = self.store.checkpoint(conn)
            except LedgerError:
                return {}
            size = parse_checkpoint(note_body(note)).size
            have = {name for name, _, _ in witnessing.cosignatures(conn, size)}
            for witness in self.witnesses:
                progress = self._progress[witness.name]
                if progress.known is None:
                    progress.known = witnessing.last_cosigned(conn, witness.name)
        outcome: dict[str, str] = {}
        clock = time.monotonic() if now is None else now
        for witness in self.witnesses:
            progress = self._progress[witness.name]
            if witness.name in have:
                outcome[witness.name] = "cosigned"
            elif clock < progress.next_try:
                outcome[witness.name] = "waiting"
            else:
                outcome[witness.name] = self._ask(witness, progress, size, note, clock)
        return outcome

    def _ask(self, witness: WitnessSpec, progress: _Progress, size: int, note: str, clock: float) -> str:
        for _ in range(2):  # a 409 tells the witness's size: ask again once with it
            old = progress.known or 0
            if old > size:
                log.error("witness %s has cosigned %d entries of this log, more than its %d", witness.name,
                          old, size)  # fmt: skip
                return self._failed(progress, clock, f"ahead: {old}")
            proof = self._proof(old, size)
            url = witness.url + "/add-checkpoint"
            try:
                status, answer = self.post(
                    url, witnessing.add_checkpoint_body(old, proof, note), self.timeout
                )
            except (OSError, TimeoutError) as error:
                log.warning("witness %s did not answer: %s", witness.name, error)
                return self._failed(progress, clock, "unreachable")
            if status == 200:
                try:
                    cosignature = witnessing.accept(answer, note, witness)
                except LedgerError as error:
                    log.error("witness %s: %s", witness.name, error)
                    return self._failed(progress, clock, "bad cosignature")
                try:
                    with write_turn(self.engine), self.engine.connect() as conn:
                        with conn.execution_options(**WRITE_OPTIONS).begin():
                            witnessing.save(conn, size, cosignature)
                except IntegrityError:  # another worker saved this witness's cosignature on it first
                    pass
                progress.known, progress.failures, progress.next_try = size, 0, 0.0
                return "cosigned"
            their = witnessing.conflict_size(answer) if status == 409 else None
            if their is None or their == old:
                log.warning("witness %s refused size %d (HTTP %d): %s", witness.name, size, status,
                            answer[:200].decode("utf-8", "replace").strip())  # fmt: skip
                return self._failed(progress, clock, f"HTTP {status}")
            progress.known = their
        return self._failed(progress, clock, "conflict")

    def _proof(self, old: int, size: int) -> list[bytes]:
        if old in (0, size):
            return []
        with self.engine.connect() as conn:
            return self.store.consistency_proof(conn, old, size)

    def _failed(self, progress: _Progress, clock: float, why: str) -> str:
        progress.failures += 1
        progress.next_try = clock + min(MAX_BACKOFF, self.interval * 2 ** (progress.failures - 1))
        return why


def cosigner(app: Flask | None = None) -> Cosigner:
    """This app's cosigner (made on first use)."""

    def make(found: Services) -> Cosigner:
        return Cosigner(found.engine, found.ledger, found.settings)

    return services(app).made(Cosigner, make)


def init_app(app: Flask) -> None:
    """Start the cosigner of each worker process with its first request, when witnesses are configured."""
    if not services(app).settings.witnesses:
        return
    cosigner(app)  # a malformed witness key refuses to start the app

    @app.before_request
    def _start() -> None:
        cosigner(app).start()

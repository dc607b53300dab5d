"""Group commit (``tracer.events.group``): events posted together share one transaction and one signed
checkpoint, yet each gets its own receipt or its own error, and a failure never leaves half of anything."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from tests.api.helpers import Api, assert_provable, day
from tests.conftest import close_app, make_settings
from tests.support.accounts import ADMIN, GAC_PRODUCER, actor
from tracer import create_app
from tracer.events import dispatch, group
from tracer.events.commands import Harvest
from tracer.events.onboarding import rotate_key
from tracer.ledger.appender import Appender
from tracer.ledger.schema import ledger_checkpoints
from tracer.models.lots import Lot
from tracer.platform import journal
from tracer.platform.db import writer
from tracer.platform.errors import RuleViolation
from tracer.platform.services import services

Work = Callable[[Session, Appender], Any]


def _checkpoints(app: Flask) -> int:
    with services(app).engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(ledger_checkpoints)).scalar_one())


def _lots_named(app: Flask, prefix: str) -> list[str]:
    with services(app).engine.connect() as conn:
        rows = conn.execute(select(Lot.name).where(Lot.name.startswith(prefix)).order_by(Lot.name))  # type: ignore[attr-defined]
        return [row[0] for row in rows]


class Batch:
    """Runs jobs on threads so that all but a first "gate" job end up in ONE batch: the gate (the first
    leader's only job) waits until the others are queued behind it."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.committer = group.GroupCommit(services(app).engine)
        self.outcomes: dict[int, Any] = {}

    def run(self, jobs: list[Work]) -> dict[int, Any]:
        def gate(_session: Session, _ledger: Appender) -> None:
            deadline = time.monotonic() + 10
            while self.committer.waiting < len(jobs) and time.monotonic() < deadline:
                time.sleep(0.002)

        def submit(number: int, work: Work) -> None:
            with self.app.app_context():
                try:
                    self.outcomes[number] = self.committer.run(work)
                except Exception as error:  # the job's own outcome, checked by the test
                    self.outcomes[number] = error

        first = threading.Thread(target=submit, args=(-1, gate))
        first.start()
        while self.committer.waiting:  # the gate has been taken by its leader
            time.sleep(0.001)
        threads = [threading.Thread(target=submit, args=(n, work)) for n, work in enumerate(jobs)]
        for thread in threads:
            thread.start()
        for thread in [first, *threads]:
            thread.join(30)
        return self.outcomes


def _harvest(app: Flask, zone: str, name: str) -> Work:
    producer = actor(app, GAC_PRODUCER)
    command = Harvest(type="harvest", zone_id=zone, name=name, quantity=Decimal("2.5"), unit="kg",
                      harvested_on=day())  # fmt: skip

    def work(session: Session, ledger: Appender) -> Any:
        return dispatch.record(session=session, actor=producer, command=command, ledger=ledger)

    return work


@pytest.fixture
def zone(api: Api) -> str:
    return str(api.all_items(GAC_PRODUCER, "/zones")[0]["id"])


def test_events_posted_together_share_one_checkpoint(demo_app: Flask, api: Api, zone: str) -> None:
    size, checkpoints = api.size(), _checkpoints(demo_app)
    outcomes = Batch(demo_app).run([_harvest(demo_app, zone, f"Mẻ chung {n}") for n in range(5)])
    indexes = sorted(outcomes[n].index for n in range(5))
    assert indexes == list(range(size, size + 5))  # each its own receipt
    assert api.size() == size + 5
    assert _checkpoints(demo_app) == checkpoints + 1  # one signed checkpoint for the five
    with demo_app.app_context(), services(demo_app).engine.connect() as conn:
        store = journal.store()
        store.check_head(conn)
        store.verify_store(conn)
    # every receipt is provable against the batch's checkpoint
    assert_provable(demo_app, [(outcomes[n].index, outcomes[n].leaf_hash) for n in range(5)], size + 5)


def test_a_refused_event_undoes_only_its_own_writes(demo_app: Flask, api: Api, zone: str) -> None:
    size = api.size()
    record = _harvest(demo_app, zone, "Mẻ bị từ chối")

    def refused(session: Session, ledger: Appender) -> Any:
        record(session, ledger)  # added and projected, then refused: its savepoint is rolled back
        raise RuleViolation("refused after writing", field="quantity")

    jobs = [_harvest(demo_app, zone, "Mẻ tốt 1"), refused, _harvest(demo_app, zone, "Mẻ tốt 2")]
    outcomes = Batch(demo_app).run(jobs)
    assert isinstance(outcomes[1], RuleViolation)
    assert outcomes[0].index == size and outcomes[2].index == size + 1  # no gap where the refusal was
    assert api.size() == size + 2
    assert _lots_named(demo_app, "Mẻ ") == ["Mẻ tốt 1", "Mẻ tốt 2"]
    with demo_app.app_context(), services(demo_app).engine.connect() as conn:
        journal.store().verify_store(conn)


def test_a_database_error_fails_only_its_own_event(demo_app: Flask, api: Api, zone: str) -> None:
    size = api.size()

    def broken(session: Session, _ledger: Appender) -> Any:
        session.execute(text("SELECT no_such_column FROM ledger_state"))

    jobs = [_harvest(demo_app, zone, "Mẻ A"), broken, _harvest(demo_app, zone, "Mẻ B")]
    outcomes = Batch(demo_app).run(jobs)
    assert "no_such_column" in str(outcomes[1])
    assert {outcomes[0].index, outcomes[2].index} == {size, size + 1}  # run again without it, and kept
    assert api.size() == size + 2
    assert _lots_named(demo_app, "Mẻ ") == ["Mẻ A", "Mẻ B"]


def test_a_failed_commit_records_nothing_of_the_batch(
    demo_app: Flask, api: Api, zone: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    size, checkpoints = api.size(), _checkpoints(demo_app)

    def failing_seal(_ledger: Appender) -> None:  # the disk goes away just before the commit
        raise OperationalError("COMMIT", {}, sqlite3.OperationalError("disk I/O error"))

    monkeypatch.setattr(Appender, "seal", failing_seal)
    outcomes = Batch(demo_app).run([_harvest(demo_app, zone, f"Mẻ mất {n}") for n in range(3)])
    assert all(isinstance(outcomes[n], OperationalError) for n in range(3))
    assert (api.size(), _checkpoints(demo_app)) == (size, checkpoints)
    assert _lots_named(demo_app, "Mẻ ") == []


def test_a_key_rotated_by_another_worker_is_not_used_again(
    demo_app: Flask, demo_database_url: str, api: Api, zone: str, tmp_path: Path
) -> None:
    """A rotation by another worker (another app on the same database) revokes the key this worker signed
    with: the next event is signed with the new key, and nothing is written twice."""
    body = {"type": "harvest", "zone_id": zone, "name": "Trước khi đổi khóa", "quantity": "1", "unit": "kg",
            "harvested_on": day()}  # fmt: skip
    before = api.record(GAC_PRODUCER, body)
    other = create_app(make_settings(demo_database_url, tmp_path / "other-worker"))
    try:
        owner, admin = f"org:{actor(demo_app, GAC_PRODUCER).organisation_id}", actor(other, ADMIN)
        with other.app_context(), writer() as session:
            rotated = rotate_key(session=session, actor=admin, owner=owner)
    finally:
        close_app(other)
    size = api.size()
    after = api.record(GAC_PRODUCER, {**body, "name": "Sau khi đổi khóa"})
    assert before["keyid"] != rotated and after["keyid"] == rotated
    assert after["ledger_index"] == size and api.size() == size + 1
    with demo_app.app_context(), services(demo_app).engine.connect() as conn:
        journal.store().verify_store(conn)

"""review: a market inspector's decision on an item of a review queue, signed with the inspector's key.

The queues are unsigned signs that something may be wrong: a serial's copy warning (``scan_flags``, from
scan statistics) and shoppers' reports of suspected fakes (``fake_reports``). A decision closes an item:
``confirmed_fake`` or ``cleared``, with a note. It is a ledger entry like an inspection, so someone who
controls the database but holds no key cannot write or change one; ``tracer.inspection.decisions`` checks
the entry before the queue shows it. A decision on a report carries the SHA-256 of the report as the
inspector read it (``report_digest``): an edited report no longer matches its decision.

Not an EPCIS event (the decision is about a sign in our own data, not an observation of goods) and not a
step of a lot's journey.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlmodel import Session

from tracer.accounts.actors import Actor
from tracer.events import pipeline
from tracer.events.commands import Review
from tracer.events.eventtype import EventType
from tracer.ledger.appender import Appender
from tracer.models import rows
from tracer.models.accounts import Role
from tracer.models.events import ReviewDecision
from tracer.models.lots import Package
from tracer.models.scans import FakeReport
from tracer.platform.errors import Conflict, NotFound


def report_digest(report: FakeReport) -> str:
    """The SHA-256 of a report's content (id, code, words, place, photo, time) as canonical JSON."""
    reported_at = report.reported_at
    content = {
        "id": report.id,
        "code": report.code,
        "what": report.what,
        "place": report.place,
        "province": report.province,
        "photo_sha256": report.photo_sha256,
        "reported_at": reported_at.isoformat() if reported_at else None,
    }
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_review(*, session: Session, actor: Actor, command: Review, ledger: Appender) -> pipeline.Recorded:
    actor.require(Role.INSPECTOR)
    if command.subject == "copy_flag":
        if command.serial is None or session.get(Package, command.serial) is None:
            raise NotFound(f"no package {command.serial}", field="serial")
    else:
        report = session.get(FakeReport, command.report_id)
        if report is None:
            raise NotFound(f"no report {command.report_id}", field="report_id")
        if report_digest(report) != command.report_sha256:
            raise Conflict("the report changed since it was shown: read it again", field="report_sha256")
    fields = command.model_dump(exclude={"type"}, exclude_none=True)
    body = pipeline.body_of(actor, command.type, fields)
    return pipeline.commit(session, ledger, actor, body, project_review)


def project_review(session: Session, index: int, body: dict[str, Any]) -> None:
    session.add(
        rows.new(
            ReviewDecision,
            ledger_index=index,
            inspector_user_id=int(body["by"].split(":")[1]),
            subject=body["subject"],
            serial=body.get("serial"),
            report_id=body.get("report_id"),
            decision=body["decision"],
            notes=body.get("notes"),
            decided_at=datetime.fromisoformat(body["recorded_at"].replace("Z", "+00:00")),
        )
    )


REVIEW = EventType(
    command=Review,
    record=record_review,
    project=project_review,
    created=lambda body: {key: body[key] for key in ("serial", "report_id") if body.get(key)},
    location=lambda created: None,
    signers=("inspector",),
    epcis=None,
    step=None,
    step_kind="review",
    step_title=None,
)

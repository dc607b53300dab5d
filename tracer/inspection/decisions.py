"""Inspectors' signed decisions on the review queues (``tracer.events.review``), as the dashboard shows them.

A decision is shown only when its ledger entry checks out (``tracer.ledger.signed_entry``): signed by the
inspector's own key, which the master key proves is ours, registered to that inspector, included in the
signed log. What is shown is read from the signed entry, never from the ``review_decisions`` row, which only
says where to look. A row whose entry fails, or names another subject, is reported as unverified and closes
nothing; a decision on a report whose content changed since is reported as such.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, or_, select

from tracer.events.review import report_digest
from tracer.ledger.errors import VerificationError
from tracer.ledger.signed_entry import verify_signed_entry
from tracer.models.accounts import User
from tracer.models.events import ReviewDecision
from tracer.models.scans import FakeReport
from tracer.platform import journal

DECISIONS = ("confirmed_fake", "cleared")


@dataclass(frozen=True)
class Decision:
    """The newest decision on one queue item: ``verified`` False means the entry did not check out (then
    ``problem`` says why, in English for the log, and nothing else is to be believed)."""

    index: int
    verified: bool
    decision: str = ""
    notes: str | None = None
    decided_at: datetime | None = None
    inspector: str = ""
    problem: str | None = None


def _checked(session: Session, row: ReviewDecision, report: FakeReport | None) -> Decision:
    try:
        entry = verify_signed_entry(session.connection(), journal.store(), row.ledger_index)
        body: dict[str, Any] = json.loads(entry.payload)
    except (VerificationError, ValueError) as exc:
        return Decision(row.ledger_index, verified=False, problem=str(exc))
    same = (
        body.get("type") == "review"
        and body.get("subject") == row.subject
        and body.get("serial") == row.serial
        and body.get("report_id") == row.report_id
        and body.get("by") == entry.owner
        and body.get("decision") in DECISIONS
    )
    if not same:
        return Decision(row.ledger_index, verified=False, problem="the signed entry is about something else")
    if report is not None and body.get("report_sha256") != report_digest(report):
        return Decision(row.ledger_index, verified=False, problem="the report changed after the decision")
    user = session.get(User, int(entry.owner.split(":")[1]))
    return Decision(
        row.ledger_index,
        verified=True,
        decision=body["decision"],
        notes=body.get("notes"),
        decided_at=datetime.fromisoformat(str(body["recorded_at"]).replace("Z", "+00:00")),
        inspector=user.full_name if user else entry.owner,
    )


def decisions(
    session: Session, *, serials: Iterable[str] = (), reports: Iterable[FakeReport] = ()
) -> dict[tuple[str, Any], Decision]:
    """The newest decision on each copy warning (``("copy_flag", serial)``) and each report
    (``("fake_report", id)``) among those given, each checked against the ledger."""
    wanted_serials = sorted(set(serials))
    by_id = {report.id: report for report in reports if report.id is not None}
    if not wanted_serials and not by_id:
        return {}
    query = select(ReviewDecision).where(
        or_(
            (col(ReviewDecision.subject) == "copy_flag") & col(ReviewDecision.serial).in_(wanted_serials),
            (col(ReviewDecision.subject) == "fake_report") & col(ReviewDecision.report_id).in_(list(by_id)),
        )
    )
    newest: dict[tuple[str, Any], ReviewDecision] = {}
    for row in session.exec(query.order_by(col(ReviewDecision.ledger_index))):
        key = ("copy_flag", row.serial) if row.subject == "copy_flag" else ("fake_report", row.report_id)
        newest[key] = row
    return {
        key: _checked(session, row, by_id.get(row.report_id) if row.report_id is not None else None)
        for key, row in newest.items()
    }

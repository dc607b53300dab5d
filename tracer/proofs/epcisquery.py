"""EPCIS 2.0 queries over the whole ledger (the REST binding's ``GET /epcis/events``, SimpleEventQuery).

Supported parameters: ``eventType``, ``GE_eventTime``, ``LT_eventTime``, ``EQ_bizStep``, ``MATCH_epc``
(epcList, childEPCs), ``MATCH_anyEPC`` (also parentID, inputEPCList, outputEPCList), ``EQ_bizLocation``,
``perPage`` and ``nextPageToken``; a list parameter takes values repeated or separated by ``|``. Any other
parameter is refused (the binding's QueryParameterException), so that a partner never mistakes an ignored
filter for an applied one. Events are mapped from the ledger in order (``tracer.proofs.epcis``) and
filtered as they are read: a page reads at most ``SCAN`` records, so a rare match may need a few pages (a
page can be empty and still have a next page token, which is the last ledger index read). Finding an
event by its hash ID reads the ledger from the start: fine for the programme's size, not for millions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from tracer.platform.errors import BadParameter
from tracer.proofs import epcis

EVENT_TYPES = frozenset({"ObjectEvent", "AggregationEvent", "TransformationEvent", "AssociationEvent"})
LISTS = ("eventType", "EQ_bizStep", "MATCH_epc", "MATCH_anyEPC", "EQ_bizLocation")
TIMES = ("GE_eventTime", "LT_eventTime")
KNOWN = frozenset({*LISTS, *TIMES, "perPage", "nextPageToken"})
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 30
SCAN = 2000
BIZ_STEP = "https://ref.gs1.org/cbv/BizStep-"


@dataclass(frozen=True)
class Query:
    values: dict[str, frozenset[str]]
    since: datetime | None
    before: datetime | None
    per_page: int
    after: int

    def matches(self, event: Mapping[str, Any]) -> bool:
        when = datetime.fromisoformat(event["eventTime"])
        epcs = set(event.get("epcList", [])) | set(event.get("childEPCs", []))
        every_epc = (
            epcs
            | set(event.get("inputEPCList", []))
            | set(event.get("outputEPCList", []))
            | ({event["parentID"]} if "parentID" in event else set())
        )
        checks = {
            "eventType": lambda wanted: event["type"] in wanted,
            "EQ_bizStep": lambda wanted: _step(event.get("bizStep")) in {_step(w) for w in wanted},
            "MATCH_epc": lambda wanted: bool(epcs & wanted),
            "MATCH_anyEPC": lambda wanted: bool(every_epc & wanted),
            "EQ_bizLocation": lambda wanted: event.get("bizLocation", {}).get("id") in wanted,
        }
        return (
            all(checks[name](wanted) for name, wanted in self.values.items())
            and (self.since is None or when >= self.since)
            and (self.before is None or when < self.before)
        )


def parse(args: Mapping[str, list[str]]) -> Query:
    """The query of the request's parameters (name -> every value given); BadParameter naming the first
    parameter that is unknown, repeated where it may not be, or malformed."""
    for name in args:
        if name not in KNOWN:
            raise BadParameter(f"{name} is not a query parameter this repository supports", field=name)
    values = {name: frozenset(_split(args[name], name)) for name in LISTS if name in args}
    if unknown := values.get("eventType", frozenset()) - EVENT_TYPES:
        raise BadParameter(f"no event type {sorted(unknown)[0]!r}", field="eventType")
    return Query(
        values=values,
        since=_time(args, "GE_eventTime"),
        before=_time(args, "LT_eventTime"),
        per_page=_whole(args, "perPage", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE),
        after=_whole(args, "nextPageToken", 0, 0, 2**62),
    )


def page(session: Session, base_url: str, query: Query) -> tuple[list[dict[str, Any]], int | None]:
    """The events of one page, and the next page token (None on the last page)."""
    found: list[dict[str, Any]] = []
    after, read = query.after, 0
    while len(found) < query.per_page and read < SCAN:
        events, last = epcis.ledger_events(session, base_url, after, min(200, SCAN - read))
        if last == after:
            return found, None
        read += last - after
        for event in events:
            if query.matches(event):
                found.append(event)
                if len(found) == query.per_page:
                    return found, event["ocop:ledgerIndex"]
        after = last
    return found, after


def find(session: Session, base_url: str, event_id: str) -> dict[str, Any] | None:
    """The event whose hash ID is ``event_id``, or None."""
    after = 0
    while True:
        events, last = epcis.ledger_events(session, base_url, after, 500)
        if last == after:
            return None
        for event in events:
            if event["eventID"] == event_id:
                return event
        after = last


def _split(raw: Iterable[str], name: str) -> list[str]:
    values = [value for item in raw for value in item.split("|")]
    if not values or any(not value.strip() for value in values):
        raise BadParameter(f"{name} has an empty value", field=name)
    return [value.strip() for value in values]


def _single(args: Mapping[str, list[str]], name: str) -> str | None:
    given = args.get(name)
    if not given:
        return None
    if len(given) > 1:
        raise BadParameter(f"{name} is given {len(given)} times; give it once", field=name)
    return given[0]


def _time(args: Mapping[str, list[str]], name: str) -> datetime | None:
    raw = _single(args, name)
    if raw is None:
        return None
    try:  # a "+" left unencoded in a query string arrives as a space
        moment = datetime.fromisoformat(raw.replace(" ", "+"))
    except ValueError:
        raise BadParameter(f"{name} is not an ISO 8601 date and time", field=name) from None
    if moment.tzinfo is None:
        raise BadParameter(f"{name} needs a time zone (Z or +07:00)", field=name)
    return moment


def _whole(args: Mapping[str, list[str]], name: str, default: int, low: int, high: int) -> int:
    raw = _single(args, name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= len(str(high))) or not low <= int(raw) <= high:
        raise BadParameter(f"{name} must be a whole number from {low} to {high}", field=name)
    return int(raw)


def _step(value: str | None) -> str | None:
    return value.removeprefix(BIZ_STEP) if value else value

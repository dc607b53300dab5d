"""The one clock: instants in UTC, days in Vietnam's time (Asia/Ho_Chi_Minh, UTC+7, no daylight saving).

Expiry, certificate validity, "not in the future" and dashboards' days are Vietnam's days; what is stored
and signed is UTC. Everything that asks the time asks here, so a test or an audit has one place to look.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
VIETNAM_OFFSET = "+07:00"  # the same zone as an ISO 8601 offset (EPCIS eventTimeZoneOffset)


def now() -> datetime:
    """This instant, timezone-aware, in UTC."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in Vietnam."""
    return datetime.now(VIETNAM).date()

"""Every event type the service records, registered once (``tracer.events.eventtype``).

A new event type is a new module in ``tracer/events/`` that ends with its ``EventType``, and one line here.
The order is the order of the API's ``EventCommand`` schema.
"""

from __future__ import annotations

from tracer.events import (
    certify,
    diary,
    harvest,
    inspection,
    packaging,
    recall,
    receive,
    review,
    shipping,
    transform,
    zones,
)
from tracer.events.eventtype import Registry

EVENT_TYPES = Registry(
    zones.ZONE,
    harvest.HARVEST,
    receive.RECEIVE,
    transform.PROCESS,
    packaging.PACKAGE,
    shipping.SHIP,
    recall.RECALL,
    certify.CERTIFY,
    inspection.INSPECT,
    diary.DIARY,
    review.REVIEW,
)

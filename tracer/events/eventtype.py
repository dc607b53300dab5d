"""``EventType``: everything the service knows about one kind of event, declared once by its module.

Each event module (``zones``, ``harvest``, ``receive``, ``transform``, ``packaging``, ``shipping``,
``recall``, ``certify``, ``inspection``, ``review``) ends with one ``EventType``: its command model (whose
``type`` is the kind's name), how it is recorded and projected, what a client is told it made, its GS1 EPCIS
2.0 mapping, the step it is on a lot's journey, and who must sign it. ``tracer.events.registry`` lists them;
dispatch, projection, the API's answers, the EPCIS export and the origin page are built from that list. A
facet an event type does not have is declared ``None``, never left out, so that adding a type means deciding
each.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from flask_babel import LazyString
from sqlmodel import Session

from tracer.accounts.actors import Actor
from tracer.events.commands import Command
from tracer.events.journey import Journey, Step
from tracer.events.pipeline import Projector, Recorded
from tracer.ledger.appender import Appender
from tracer.models.events import EventRecord

Body = dict[str, Any]

SIGNERS = frozenset({"org", "authority", "inspector"})  # the acting organisation, the programme, the person


class Recorder(Protocol):
    """A domain function that checks a command under the ledger's write lock and records its event."""

    def __call__(self, *, session: Session, actor: Actor, command: Any, ledger: Appender) -> Recorded: ...


class EpcisTerms(Protocol):
    """What an event's EPCIS mapping is given by the document it goes in (``tracer.proofs.epcis``)."""

    @property
    def session(self) -> Session: ...

    @property
    def lots(self) -> frozenset[str]:
        """The lots of the document's lineage."""
        ...

    def lot(self, lot_id: str) -> str:
        """The lot's class-level identifier (``/01/{gtin}/10/{lot}`` or ``/id/lot/{lot}``)."""
        ...

    def thing(self, kind: str, value: object) -> str:
        """The identifier of a zone or organisation (``/id/{kind}/{value}``)."""
        ...

    def package(self, lot_id: str, serial: str) -> str:
        """The package's GS1 Digital Link URI."""
        ...

    def quantity(self, lot_id: str, amount: str | None = None, unit: str | None = None) -> dict[str, Any]:
        """A QuantityElement of the lot (with its UN/CEFACT unit, when known)."""
        ...

    def times(self, body: Body, day: str | None) -> dict[str, Any]:
        """eventTime (``day`` at midnight in Vietnam, or when recorded), recordTime and the offset."""
        ...


EpcisMapping = Callable[[EpcisTerms, int, Body], dict[str, Any]]
StepOf = Callable[[Journey, EventRecord, Body], Step]


@dataclass(frozen=True)
class EventType:
    """One kind of event (see the module text). ``created`` gives the ids of what the event made or touched,
    from its signed body; ``location`` the API resource to look at next (a path below ``/api/v1/``), from
    those ids; ``signers`` whose key must sign it, the first the usual one (``SIGNERS``); ``step_kind`` and
    ``step_title`` name its step on the journey (a lazy msgid: it is translated when shown)."""

    command: type[Command]
    record: Recorder
    project: Projector
    created: Callable[[Body], dict[str, Any]]
    location: Callable[[dict[str, Any]], str | None]
    signers: tuple[str, ...]
    epcis: EpcisMapping | None
    step: StepOf | None
    step_kind: str
    step_title: LazyString | None

    @property
    def kind(self) -> str:
        """The name of the kind: the command's ``type``, as in every event body."""
        return str(self.command.model_fields["type"].default)

    def __post_init__(self) -> None:
        unknown = set(self.signers) - SIGNERS
        if not self.signers or unknown:
            raise ValueError(f"{self.kind}: signers must be some of {sorted(SIGNERS)}, not {self.signers}")
        if (self.step is None) != (self.step_title is None):
            raise ValueError(f"{self.kind}: a step needs a title, and a title a step")


class Registry(Mapping[str, EventType]):
    """The event types by kind, in the order they were registered."""

    def __init__(self, *types: EventType) -> None:
        self._by_kind: dict[str, EventType] = {}
        self._by_command: dict[type[Command], EventType] = {}
        for event_type in types:
            if event_type.kind in self._by_kind:
                raise ValueError(f"event type {event_type.kind!r} is registered twice")
            self._by_kind[event_type.kind] = event_type
            self._by_command[event_type.command] = event_type
        self._titles = {t.step_kind: t.step_title for t in types if t.step_title is not None}

    def __getitem__(self, kind: str) -> EventType:
        return self._by_kind[kind]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_kind)

    def __len__(self) -> int:
        return len(self._by_kind)

    def of(self, command: Command) -> EventType:
        """The event type of ``command``."""
        return self._by_command[type(command)]

    def commands(self) -> tuple[type[Command], ...]:
        return tuple(self._by_command)

    def step_title(self, step_kind: str) -> str:
        """The title of a journey step, in the current language (the kind itself if none is declared)."""
        title = self._titles.get(step_kind)
        return step_kind if title is None else str(title)

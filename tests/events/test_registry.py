"""The registry of event types (``tracer.events.registry``): every type declares every facet, and dispatch,
projection, the API's answers, the EPCIS export, the origin story and the verdict rules cover exactly it."""

from __future__ import annotations

import dataclasses
import inspect
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any, get_args

import pytest
from babel.messages.pofile import read_po
from flask import Flask
from flask_babel import LazyString
from sqlmodel import Session, select

from tests.api.helpers import Api, day
from tests.support.accounts import GAC_PRODUCER, INSPECTOR
from tracer.events import commands, dispatch, zones
from tracer.events.eventtype import SIGNERS, EventType, Registry
from tracer.events.projection import rebuild
from tracer.events.registry import EVENT_TYPES
from tracer.ledger.dsse import Envelope
from tracer.models.events import EventRecord
from tracer.platform import journal
from tracer.platform.db import writer
from tracer.platform.errors import InvalidInput
from tracer.proofs import verdict
from tracer.resolver.story import StoryKey, build_story

ROOT = Path(__file__).resolve().parents[2]
KEY_EVENTS = {"key.register", "key.revoke"}


@pytest.fixture
def api(demo_app: Flask) -> Api:
    return Api(demo_app)


def _vietnamese() -> dict[str, str]:
    with (ROOT / "tracer/translations/vi/LC_MESSAGES/messages.po").open("rb") as handle:
        return {str(m.id): str(m.string) for m in read_po(handle, locale="vi") if m.id}


def test_every_facet_must_be_declared() -> None:
    """No facet has a default: a new type cannot forget its EPCIS mapping or its step, it says None."""
    for field in dataclasses.fields(EventType):
        assert field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING, (
            field.name
        )


@pytest.mark.parametrize("kind", list(EVENT_TYPES))
def test_every_registered_type_declares_every_facet(kind: str) -> None:
    event_type = EVENT_TYPES[kind]
    assert event_type.kind == kind
    assert issubclass(event_type.command, commands.Command)
    assert get_args(event_type.command.model_fields["type"].annotation) == (kind,)
    parameters = inspect.signature(event_type.record).parameters
    assert {name: p.kind for name, p in parameters.items()} == dict.fromkeys(
        ("session", "actor", "command", "ledger"), inspect.Parameter.KEYWORD_ONLY
    )
    assert callable(event_type.project) and callable(event_type.created) and callable(event_type.location)
    assert event_type.signers and set(event_type.signers) <= SIGNERS
    assert event_type.epcis is None or callable(event_type.epcis)
    assert event_type.step_kind
    if event_type.step is None:
        assert event_type.step_title is None
    else:
        assert isinstance(event_type.step_title, LazyString)
        assert _vietnamese().get(event_type.step_title._args[0]), "the step title needs its Vietnamese"


def test_every_command_model_with_a_type_is_registered() -> None:
    typed = {m for m in vars(commands).values() if isinstance(m, type) and issubclass(m, commands.Command)}
    typed = {m for m in typed if "type" in m.model_fields}
    assert typed == set(EVENT_TYPES.commands())
    assert len(EVENT_TYPES) == 11  # the nine of the journey, the farm diary, review decisions


def test_a_registry_refuses_a_kind_twice_and_a_type_half_declared() -> None:
    with pytest.raises(ValueError, match="'zone.register' is registered twice"):
        Registry(zones.ZONE, zones.ZONE)
    with pytest.raises(ValueError, match="signers must be some of"):
        dataclasses.replace(zones.ZONE, signers=("anyone",))
    with pytest.raises(ValueError, match="signers must be some of"):
        dataclasses.replace(zones.ZONE, signers=())
    with pytest.raises(ValueError, match="a step needs a title"):
        dataclasses.replace(zones.ZONE, step_title=None)


def test_dispatch_parses_exactly_the_registered_kinds() -> None:
    [union, _discriminator] = get_args(dispatch.EventCommand)
    assert get_args(union) == EVENT_TYPES.commands()  # the OpenAPI schema's order, too
    assert dispatch.KINDS == sorted(EVENT_TYPES)
    with pytest.raises(InvalidInput) as refused:
        dispatch.parse_command({"type": "harvest.v2"})
    assert str(refused.value) == f"unknown event type 'harvest.v2': one of {', '.join(sorted(EVENT_TYPES))}"
    for kind in EVENT_TYPES:  # each kind reaches its own model, which names what is missing
        with pytest.raises(InvalidInput) as missing:
            dispatch.parse_command({"type": kind})
        assert missing.value.field not in (None, "type") and str(missing.value).endswith("is required")


# What each type's answer names, and where the API's Location points (as before the registry).
CREATED = {
    "zone.register": ({"type": "zone.register", "zone": {"id": "Z1"}}, {"zone_id": "Z1"}, "/api/v1/zones/Z1"),
    "zone.diary": ({"type": "zone.diary", "zone_id": "Z1"}, {"zone_id": "Z1"}, "/api/v1/zones/Z1"),
    "harvest": (
        {"type": "harvest", "zone_id": "Z1", "lot": {"id": "L1"}},
        {"lot_ids": ["L1"], "zone_id": "Z1"},
        "/api/v1/lots/L1",
    ),
    "receive": ({"type": "receive", "lot_id": "L1"}, {"lot_id": "L1"}, "/api/v1/lots/L1"),
    "process": (
        {
            "type": "process",
            "inputs": [{"lot_id": "L1"}, {"lot_id": "L2"}],
            "outputs": [{"id": "L3"}, {"id": "L4"}],
        },
        {"lot_ids": ["L3", "L4"], "input_lot_ids": ["L1", "L2"]},
        "/api/v1/lots/L3",
    ),
    "package": (
        {"type": "package", "lot_id": "L1", "count": 24, "serials_root": "cm9vdA=="},
        {"lot_id": "L1", "serial_count": 24, "serials_root": "cm9vdA=="},
        "/api/v1/packages?lot_id=L1",
    ),
    "ship": ({"type": "ship", "lot_id": "L1", "to_org": 3}, {"lot_id": "L1"}, "/api/v1/lots/L1"),
    "recall": ({"type": "recall", "lot_ids": ["L1", "L2"]}, {"lot_ids": ["L1", "L2"]}, None),
    "certify": (
        {"type": "certify", "certificate": {"id": "C1", "product_id": 7}},
        {"certificate_id": "C1", "product_id": 7},
        "/api/v1/certificates?product_id=7",
    ),
    "inspect": (
        {"type": "inspect", "serial": "ABCDEFGHJKMN", "lot_id": "L1", "result": "fail"},
        {"lot_id": "L1", "serial": "ABCDEFGHJKMN"},
        "/api/v1/lots/L1",
    ),
    "review": (
        {"type": "review", "subject": "fake_report", "report_id": 4, "decision": "cleared"},
        {"report_id": 4},
        None,
    ),
}


def test_api_answers_name_what_each_type_made() -> None:
    from tracer.api.events import created_ids, location_of

    assert set(CREATED) == set(EVENT_TYPES)
    for body, created, location in CREATED.values():
        assert created_ids(body) == created
        assert location_of(body, created) == location
    assert created_ids({"type": "key.register"}) == {} and location_of({"type": "key.register"}, {}) is None


def test_the_verdict_rules_expect_the_signers_the_registry_declares() -> None:
    """``tracer.proofs.verdict`` and ``scanner_page/verify.js`` keep their own list (they check public data
    with nothing of the service); this is what keeps the three in step."""
    usual = {"org": "org:5", "authority": "authority", "inspector": "user:9"}
    for kind, event_type in EVENT_TYPES.items():
        expected = verdict._expected_owner({"type": kind, "org": 5, "by": "user:9"})
        assert expected == usual[event_type.signers[0]], kind
    assert verdict.ORG_EVENTS == {k for k, t in EVENT_TYPES.items() if t.signers == ("org",)}
    also_by_authority = {k for k, t in EVENT_TYPES.items() if "authority" in t.signers[1:]}
    assert also_by_authority == {"recall"}  # the one exception both verifiers write out
    script = (ROOT / "scanner_page/verify.js").read_text(encoding="utf-8")
    found = re.search(r"const ORG_EVENTS = new Set\(\[([^\]]*)\]\)", script)
    assert found is not None
    assert set(re.findall(r'"([^"]+)"', found.group(1))) == verdict.ORG_EVENTS
    assert (
        '["recall", PRODUCT_REGISTER, PRODUCT_PROFILE].includes(body.type) && signer.role === "authority"'
        in script
    )
    assert verdict.BY_PRODUCER_OR_AUTHORITY == ("recall", "product.register", "product.profile")
    # Registrations are not events of the registry: each verifier names their signers itself.
    product = {"type": "product.register", "product": {"organisation_id": 5}}
    assert verdict._expected_owner(product) == "org:5"
    assert verdict._expected_owner({**product, "type": "product.profile"}) == "org:5"
    assert verdict._expected_owner({"type": "org.register", "organisation": {"id": 5}}) == "authority"
    assert not {verdict.ORG_REGISTER, verdict.PRODUCT_REGISTER} & set(EVENT_TYPES)


def test_step_titles_are_the_registered_ones_in_the_reader_language(demo_app: Flask) -> None:
    titles = {t.step_kind: t.step_title for t in EVENT_TYPES.values() if t.step_title is not None}
    assert set(titles) == {"zone", "harvest", "receive", "process", "package", "ship", "recall"}
    vietnamese = _vietnamese()
    step_title = demo_app.jinja_env.globals["step_title"]
    for lang, expect in (("vi", lambda msgid: vietnamese[msgid]), ("en", lambda msgid: msgid)):
        with demo_app.test_request_context(f"/?lang={lang}"):
            for step_kind, title in titles.items():
                assert title is not None
                assert step_title(step_kind) == expect(title._args[0])
            assert step_title("certify") == "certify"  # not a step: shown as it is


def _entries(session: Session) -> list[tuple[int, bytes]]:
    return list(journal.iter_entries(session.connection()))


def test_dispatch_projection_epcis_and_story_cover_exactly_the_registry(
    demo_app: Flask, api: Api, demo: Any
) -> None:
    serial = api.all_items(INSPECTOR, f"/packages?lot_id={demo.lots['turmeric']}")[0]["serial"]
    api.record(INSPECTOR, {"type": "inspect", "serial": serial, "result": "pass", "place": "Chợ Trà Vinh"})
    zone = api.get(GAC_PRODUCER, "/zones").get_json()["items"][0]["id"]  # a diary entry before its harvests
    api.record(GAC_PRODUCER, {"type": "zone.diary", "zone_id": zone, "kind": "care", "applied_on": day(-60)})
    api.record(INSPECTOR, {"type": "review", "subject": "copy_flag", "serial": serial, "decision": "cleared"})
    with demo_app.app_context(), writer() as session:
        entries = _entries(session)
        kinds = Counter(json.loads(Envelope.from_json(raw).payload)["type"] for _, raw in entries)
        registrations = {"org.register", "product.register"}  # tracer.events.registrations: not events
        assert set(EVENT_TYPES) <= set(kinds) and set(kinds) - set(EVENT_TYPES) <= KEY_EVENTS | registrations
        projected = Counter(r.type for r in session.exec(select(EventRecord)))
        assert projected == Counter({k: n for k, n in kinds.items() if k in EVENT_TYPES})
        assert rebuild(session, entries) == sum(projected.values())  # every registered kind replays
        assert Counter(r.type for r in session.exec(select(EventRecord))) == projected
        records = {r.ledger_index: r for r in session.exec(select(EventRecord))}
        steps = set()
        for record in records.values():
            if record.type == "package":
                body = json.loads(record.body)
                story = build_story(session, StoryKey(record.ledger_index, 0, 0), body["lot_id"])
                steps |= {step.kind for step in story.steps}
    assert steps == {t.step_kind for t in EVENT_TYPES.values() if t.step is not None}
    exported = set()
    for lot in [*demo.lots.values()]:
        doc = api.get(None, f"/epcis/events?lot={lot}").get_json()
        exported |= {records[e["ocop:ledgerIndex"]].type for e in doc["epcisBody"]["eventList"]}
    assert exported == {k for k, t in EVENT_TYPES.items() if t.epcis is not None}

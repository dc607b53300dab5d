"""Form errors and refused codes are translated by message id: every id reads in Vietnamese, and rewording the
English (the API's ``detail``) cannot change what a reader of the forms or the resolver's pages sees."""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from decimal import Decimal

import pytest
from flask import Flask
from pydantic import ValidationError

from tracer.codes.gs1 import GS1Error, parse_key_path
from tracer.events.commands import Harvest
from tracer.events.dispatch import invalid_input
from tracer.platform import i18n, wording
from tracer.platform.errors import InvalidInput, NotFound, RuleViolation, TracerError
from tracer.platform.messages import Message
from tracer.web import feedback

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
# Letters only Vietnamese writes (the tone marks and đ): a translation without any is still English.
_VIETNAMESE = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]", re.I)


@pytest.fixture(scope="module")
def vi() -> Iterator[None]:
    """A request in Vietnamese, through the app's own Babel set-up and compiled catalogues."""
    app = Flask(__name__)
    i18n.init_app(app)
    with app.test_request_context("/?lang=vi"):
        yield


def sample(message: Message) -> dict[str, object]:
    return {name: f"<{name}>" for name in message.parameters - {"field"}}


def test_every_message_id_has_wording():
    assert set(wording.DOMAIN) == set(Message)


@pytest.mark.parametrize("message", list(Message), ids=lambda m: m.name)
def test_every_message_id_reads_in_vietnamese(vi, message):
    wanted = set(_PLACEHOLDER.findall(wording.DOMAIN[message]))
    assert wanted <= message.parameters, "the wording names a parameter its message does not have"
    shown = wording.translate(InvalidInput(message, field="field", **sample(message)))
    assert shown != wording.DOMAIN[message] % sample(message), "no Vietnamese translation"
    assert _VIETNAMESE.search(shown), shown
    assert "%(" not in shown
    for name in wanted:
        assert f"<{name}>" in shown


@pytest.mark.parametrize("message", list(Message), ids=lambda m: m.name)
def test_rewording_the_english_leaves_the_vietnamese(vi, message, monkeypatch):
    before = wording.translate(RuleViolation(message, field="field", **sample(message)))
    monkeypatch.setattr(message, "_value_", "Reworded entirely: " + message.value)
    error = RuleViolation(message, field="field", **sample(message))
    assert error.detail.startswith("Reworded entirely: ")
    assert wording.translate(error) == before


def test_by_id_not_by_text(vi):
    assert wording.translate(RuleViolation(Message.LOT_RECALLED, lot="L1")) == "Lô L1 đã bị thu hồi."
    # The same English without the id is just text: the reader gets the generic line for its class.
    assert wording.translate(RuleViolation("lot L1 has been recalled")) == wording.translate(
        RuleViolation("anything")
    )


@pytest.mark.parametrize("message", list(Message), ids=lambda m: m.name)
def test_no_reader_is_told_about_application_identifiers(message):
    # GS1's "AI 10" is jargon: a shopper is told "the lot number" (the API's English keeps the AI).
    assert not re.search(r"\bAI\b", wording.DOMAIN[message])


def test_a_code_that_does_not_parse_reads_by_its_id(vi):
    with pytest.raises(GS1Error) as caught:
        parse_key_path("/01/08935049500019")
    assert str(caught.value) == "AI 01: bad check digit in GTIN 08935049500019: expected 8"
    shown = wording.translate(caught.value)
    assert shown == "Chữ số kiểm tra của mã GTIN 08935049500019 không đúng (phải là 8)."


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (InvalidInput("internal detail: /srv/tracer/secret"), "InvalidInput"),
        (NotFound("no widget 7 in table widgets"), "NotFound"),
        (TracerError("odd"), "InvalidInput"),
    ],
)
def test_an_error_without_an_id_gets_a_generic_line_and_leaks_nothing(vi, error, kind):
    shown = wording.translate(error)
    assert shown == wording.reader_message(None, {}, kind)
    assert error.detail not in shown
    assert _VIETNAMESE.search(shown)


def test_an_unknown_pydantic_type_gets_the_generic_line(vi):
    shown = feedback.problem_message({"type": "no_such_type", "msg": "secret", "ctx": {}})
    assert shown == "Giá trị không hợp lệ."


def test_parameters_need_a_message():
    with pytest.raises(TypeError, match="need a Message"):
        InvalidInput("no lot {lot}", lot="L1")


# Known answers: the API's English detail is the template filled in, exactly as before the ids.
@pytest.mark.parametrize(
    ("error", "detail"),
    [
        (
            RuleViolation(
                Message.PROCESS_OVERDRAW,
                lot="L1",
                remaining=Decimal("12.500"),
                unit="kg",
                quantity=Decimal(20),
            ),
            "lot L1 holds 12.500 kg; cannot take 20",
        ),
        (
            InvalidInput(Message.DATE_IN_FUTURE, field="harvested_on", day="2099-12-31"),
            "harvested_on 2099-12-31 is in the future",
        ),
        (InvalidInput(Message.UNKNOWN_ROLE, role="boss"), "unknown role 'boss'"),
        (NotFound(Message.NO_ORGANISATION, org=7), "no organisation 7"),
    ],
)
def test_the_english_detail_is_the_filled_template(error, detail):
    assert error.detail == str(error) == detail


def test_a_validator_error_keeps_its_english_and_carries_its_id(vi):
    with pytest.raises(ValidationError) as caught:
        Harvest(zone_id="Z1", name="Gấc", quantity="0", unit="kg", harvested_on="2025-01-01")
    assert invalid_input(caught.value).detail == "quantity: must be greater than zero"
    (item,) = caught.value.errors()
    assert item["type"] == Message.NOT_POSITIVE.name
    assert feedback.problem_message(item) == "Phải lớn hơn 0."


def test_templates_are_plain_format_strings():
    for message in Message:
        for _text, name, spec, _conversion in string.Formatter().parse(message.value):
            assert not spec, f"{message.name}: a format spec would not survive pydantic's formatting"
            assert name is None or name.isidentifier()

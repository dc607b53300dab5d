"""``tracer.platform.bounds``: whole numbers in ASCII digits within a range, text without control or
invisible formatting characters (NFC), plausible dates; and the command line refusing what they refuse.
Property tests (hypothesis) over the text and integer edges: no input escapes with a value out of bounds."""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta
from typing import Annotated

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import StringConstraints, TypeAdapter, ValidationError

from tracer.platform import bounds, clock
from tracer.platform.messages import Message

REFUSED_IN_LINE = {"Cc", "Cf", "Cs", "Zl", "Zp"}
Line = TypeAdapter(Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), bounds.LINE])
Paragraph = TypeAdapter(Annotated[str, StringConstraints(max_length=2000), bounds.PARAGRAPH])
Id = TypeAdapter(bounds.Id)


@given(st.text(max_size=30))
def test_whole_number_is_ascii_digits_within_the_range_or_refused(raw: str) -> None:
    if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= bounds.DB_INT_MAX:
        assert bounds.whole_number(raw, low=1, high=bounds.DB_INT_MAX) == int(raw)
        return
    with pytest.raises(bounds.OutOfBounds) as refused:
        bounds.whole_number(raw, low=1, high=bounds.DB_INT_MAX)
    assert refused.value.message in (Message.NOT_WHOLE_NUMBER, Message.NUMBER_OUT_OF_RANGE)


@given(st.integers())
def test_every_integer_is_within_its_column_or_refused(number: int) -> None:
    inside = 1 <= number <= 2**31 - 1
    try:
        assert Id.validate_python(number) == number and inside
        assert bounds.whole_number(str(number), low=1, high=bounds.DB_INT_MAX) == number
    except (ValidationError, bounds.OutOfBounds):
        assert not inside


@pytest.mark.parametrize("raw", ["²", "٣", "３", "1²", "⑤", "١٢", " 1", "1 ", "+1", "1_0", "0x1", ""])
def test_whole_numbers_in_other_scripts_are_refused_not_crashed(raw: str) -> None:
    with pytest.raises(bounds.OutOfBounds):
        bounds.whole_number(raw, low=0, high=64)


@given(st.text(max_size=60))
def test_a_line_holds_no_control_format_or_separator_character(raw: str) -> None:
    try:
        value = Line.validate_python(raw)
    except ValidationError as error:
        kinds = {e["type"] for e in error.errors()}
        assert kinds <= {"TEXT_CONTROL", "TEXT_INVISIBLE", "string_too_long"}
        return
    assert not {unicodedata.category(c) for c in value} & REFUSED_IN_LINE
    assert unicodedata.is_normalized("NFC", value)


@given(st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zl", "Zp"]), min_size=1, max_size=5))
def test_every_control_format_or_separator_character_is_refused_in_a_line(bad: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Line.validate_python("Gấc" + bad + "Trà Vinh")
    assert refused.value.errors()[0]["type"] in ("TEXT_CONTROL", "TEXT_INVISIBLE")


def test_a_paragraph_keeps_tab_and_line_breaks_only() -> None:
    assert Paragraph.validate_python("Dòng 1\r\n\tDòng 2\n") == "Dòng 1\r\n\tDòng 2\n"
    for bad in ("\x00", "\x0b", "\x0c", "\x7f", "\x85", "\u202e", "\u200b"):
        with pytest.raises(ValidationError):
            Paragraph.validate_python(f"Dòng 1{bad}Dòng 2")


@pytest.mark.parametrize(
    "char",
    ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200b",
     "\u200c", "\u200d", "\u2060", "\ufeff", "\u200e", "\u200f", "\u061c", "\u00ad", "\U000e0041"],
)  # fmt: skip
def test_bidi_and_zero_width_characters_are_named_by_code_point(char: str) -> None:
    fault = bounds.text_fault(f"Gấc{char}Cẩm")
    assert fault is not None and fault.message is Message.TEXT_INVISIBLE
    assert fault.params["code"] == f"U+{ord(char):04X}"


@given(st.text(alphabet="aăâeêioôơuưyAĂÂđĐ\u0300\u0301\u0303\u0309\u0323 ", max_size=40))
def test_vietnamese_is_kept_in_nfc_whatever_the_keyboard_typed(raw: str) -> None:
    value = Line.validate_python(raw)
    assert value == unicodedata.normalize("NFC", raw).strip()


@pytest.mark.parametrize(
    ("day", "years", "fault"),
    [
        (date(1, 1, 1), 0, Message.DATE_TOO_EARLY),
        (date(1999, 12, 31), 10, Message.DATE_TOO_EARLY),
        (date(2000, 1, 1), 0, None),
        (date(9999, 12, 31), 10, Message.DATE_TOO_LATE),
        (clock.today() + timedelta(days=3660), 10, None),
        (clock.today() + timedelta(days=3700), 10, Message.DATE_TOO_LATE),
    ],
)
def test_plausible_days(day: date, years: int, fault: Message | None) -> None:
    found = bounds.day_fault(day, years_ahead=years)
    assert (found.message if found else None) is fault


def test_a_token_name_with_spoofing_characters_is_refused() -> None:
    # the model of POST /api/v1/tokens (who may post there is the accounts' business, not this test's)
    from tracer.api.schemas import TokenCreate

    with pytest.raises(ValidationError) as refused:
        TokenCreate.model_validate({"name": "kho\u202egnáp"})
    assert refused.value.errors()[0]["type"] == "TEXT_INVISIBLE"
    assert TokenCreate.model_validate({"name": "Phần mềm kho"}).name == "Phần mềm kho"


def test_the_command_line_refuses_ids_and_text_out_of_bounds(runner) -> None:  # type: ignore[no-untyped-def]
    for organisation in ("²", str(2**63), "0", "abc"):
        result = runner.invoke(args=["tracer", "user", "create", "--email", "a@example.vn", "--name", "A",
                                     "--role", "producer", "--organisation", organisation,
                                     "--password", "a-long-password-1"])  # fmt: skip
        assert result.exit_code == 2, result.output
        assert "--organisation" in result.output and "Traceback" not in result.output
    result = runner.invoke(args=["tracer", "user", "create", "--email", "a@example.vn", "--name", "A\u202eB",
                                 "--role", "inspector", "--password", "a-long-password-1"])  # fmt: skip
    assert result.exit_code == 2 and "U+202E" in result.output

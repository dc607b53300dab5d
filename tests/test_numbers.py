"""The one reader of typed decimals (tracer.platform.numbers): the page's convention, ambiguity asked about,
junk refused with its message id."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracer.platform import numbers
from tracer.platform.messages import Message
from tracer.platform.numbers import AmbiguousNumber, NotANumber, NumberTooLong, read

CLEAR = [
    # Vietnamese: decimal comma, thousands dot
    ("vi", "1.000", "1000"),
    ("vi", "1,5", "1.5"),
    ("vi", "80,5", "80.5"),
    ("vi", "1.234,5", "1234.5"),
    ("vi", "12", "12"),
    ("vi", "1.000.000", "1000000"),
    ("vi", "1.000.000,25", "1000000.25"),
    ("vi", "0,500", "0.5"),  # the other convention cannot read "0,500" as a thousands group
    ("vi", "1234,567", "1234.567"),  # nor "1234,567": its group has four digits
    ("vi", "1,2345", "1.2345"),
    ("vi", " 12,5 ", "12.5"),
    ("vi", "-1.000", "-1000"),  # read here; a quantity refuses it (tests/web/test_vietnamese_numbers.py)
    ("vi", "0", "0"),
    ("vi", "9223372036854775808", "9223372036854775808"),  # 2^63: read, refused by the command as too large
    # English: decimal point, thousands comma
    ("en", "1,000", "1000"),
    ("en", "1.5", "1.5"),
    ("en", "1,234.5", "1234.5"),
    ("en", "0.500", "0.5"),
    ("en", "12", "12"),
]


@pytest.mark.parametrize(("language", "text", "value"), CLEAR)
def test_a_clear_number_reads_as_its_language_writes_it(language, text, value):
    assert read(text, language) == Decimal(value)
    assert str(read(text, language)) == value  # canonical: no trailing zeros, no exponent


AMBIGUOUS = [
    # the page's decimal separator before exactly three digits: the other convention's thousands group
    ("vi", "1,000", ["1", "1000"], "“1,000” có thể hiểu theo hai cách: bạn muốn nhập 1 hay 1.000?"),
    ("vi", "12,500", ["12.5", "12500"], None),
    ("en", "1.000", ["1", "1000"], None),
    # not written the page's way, but the other convention's: asked, with Babel's suggestion beside it
    ("vi", "1.5", ["15", "1.5"], None),
    ("vi", "0.5", ["5", "0.5"], None),
    ("vi", "1.50", ["150", "1.5"], None),
    ("vi", "1,234.5", ["1.2345", "1234.5"], None),
    ("en", "1,5", ["15", "1.5"], None),
    ("en", "80,5", ["805", "80.5"], None),
    ("vi", "-1,000", ["-1", "-1000"], None),
    # only the other convention reads it: one reading, still asked
    ("vi", "1,000,000", ["1000000"], "“1,000,000” có thể bị gõ nhầm: có phải bạn muốn nhập 1.000.000?"),
]


@pytest.mark.parametrize(("language", "text", "readings", "vietnamese"), AMBIGUOUS)
def test_a_number_that_reads_two_ways_is_asked_about(app, language, text, readings, vietnamese):
    with pytest.raises(AmbiguousNumber) as caught:
        read(text, language, field="quantity")
    error = caught.value
    assert [r.value for r in error.readings] == [Decimal(v) for v in readings]
    assert error.readings[0].convention == (
        language if len(readings) == 2 else {"vi": "en", "en": "vi"}[language]
    )
    assert error.field == "quantity" and error.status == 422
    assert error.message in (Message.NUMBER_AMBIGUOUS, Message.NUMBER_UNCLEAR)
    if vietnamese:
        from tracer.platform.wording import translate

        with app.test_request_context("/?lang=vi"):
            assert translate(error) == vietnamese
    # every reading, sent back as the answer, is taken; anything else is not
    for reading in error.readings:
        assert read(text, language, answer=numbers.answer_of(reading.value)) == reading.value
    for forged in ("7", "1e3", "NaN", "", "1,000", "1" * 100):
        with pytest.raises(AmbiguousNumber):
            read(text, language, answer=forged)


def test_an_answer_does_not_change_a_clear_number():
    assert read("1.000", "vi", answer="1") == 1000
    assert read("1,5", "vi", answer="15") == Decimal("1.5")


JUNK = ["", " ", "abc", "1..0", "1,,0", "1.,0", "1e5", "1E5", "--1", "+1", "- 1", "∞", "NaN", "Infinity",
        "inf", "1\x00", "\x001", "1 000", "1_000", "١٢", "１２", "0x10", ".5", ",5", "5,", "5.", "1.2.3",
        "10.00.000", "1.000,000,5", "12,5kg", "½", "1²", "1-", "−1"]  # fmt: skip


@pytest.mark.parametrize("text", JUNK)
@pytest.mark.parametrize("language", ["vi", "en"])
def test_junk_is_no_number(text, language):
    with pytest.raises(NotANumber) as caught:
        read(text, language, field="quantity")
    assert caught.value.message is Message.NOT_A_NUMBER and caught.value.field == "quantity"
    assert caught.value.params == {"example": "12,5" if language == "vi" else "12.5"}


@pytest.mark.parametrize("text", ["1" * 33, "1" * 10_000, "1." * 5000 + "1", "9" * 400 + ",5"])
def test_overlong_input_is_refused_before_it_is_read(text):
    with pytest.raises(NumberTooLong) as caught:
        read(text, "vi", field="area_ha")
    assert caught.value.field == "area_ha" and caught.value.params == {"n": numbers.MAX_CHARS}


def test_only_our_languages_have_a_convention():
    with pytest.raises(ValueError, match="no number convention"):
        read("1", "fr")


def test_examples_are_written_the_page_way():
    assert numbers.example("vi") == "12,5" and numbers.example("en") == "12.5"
    assert numbers.show(Decimal("1234.5"), "vi") == "1.234,5"
    assert numbers.show(Decimal("0.000001"), "vi") == "0,000001"  # every digit kept
    assert numbers.decimal_symbol("vi") == "," and numbers.decimal_symbol("en") == "."


quantities = st.decimals(min_value=0, max_value=Decimal("999999999999.999999"), places=6, allow_nan=False)


@given(quantities, st.sampled_from(["vi", "en"]))
def test_what_a_page_shows_reads_back_as_itself_or_is_asked_with_it_among_the_readings(value, language):
    shown = numbers.show(value, language)
    assert read(shown, language, answer=numbers.answer_of(value)) == value  # clear, or asked and answered
    readings = _readings(shown, language)
    assert readings is None or value in readings


def _readings(text: str, language: str) -> list[Decimal] | None:
    """The readings ``read`` offers for ``text``, None when it reads one way."""
    try:
        read(text, language)
    except AmbiguousNumber as ambiguous:
        return [r.value for r in ambiguous.readings]
    return None


@given(st.text(max_size=40))
def test_any_text_is_read_or_refused_with_our_errors(text):
    for language in ("vi", "en"):
        try:
            value = read(text, language)
        except numbers.NumberError:
            continue
        assert value.is_finite() and abs(value) < Decimal(10) ** numbers.MAX_CHARS

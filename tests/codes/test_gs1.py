"""GS1 check digits and Digital Link URIs: known answers, round trips, and every refusal."""

from __future__ import annotations

import string
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracer.codes.gs1 import (
    ClassLink,
    DigitalLink,
    GS1Error,
    build_uri,
    gtin_check_digit,
    parse_key_path,
    parse_path,
    parse_uri,
    query_attributes,
    validate_gtin,
)
from tracer.platform.messages import Message as M

BASE = "https://trace.example.vn"
GTIN = "08935049500018"
CSET82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"


@pytest.mark.parametrize(
    ("body", "digit"),
    [
        ("893504950001", 8),  # GTIN-13 with Vietnam's 893 prefix
        ("9506000134352"[:-1], 2),  # GS1's example GTIN 9506000134352
        ("0950600013435", 2),  # the same as GTIN-14
        ("9638507", 4),  # GTIN-8 96385074
        ("03600029145", 2),  # UPC-A 036000291452
    ],
)
def test_check_digit_known_answers(body: str, digit: int) -> None:
    assert gtin_check_digit(body) == digit


@pytest.mark.parametrize(
    ("gtin", "padded"),
    [
        ("96385074", "00000096385074"),
        ("036000291452", "00036000291452"),
        ("8935049500018", "08935049500018"),
        ("08935049500018", "08935049500018"),
    ],
)
def test_validate_gtin_pads_to_14(gtin: str, padded: str) -> None:
    assert validate_gtin(gtin) == padded


@pytest.mark.parametrize(
    ("gtin", "message", "reason"),
    [
        ("8935049500017", "bad check digit in GTIN 8935049500017: expected 8", M.GTIN_CHECK_DIGIT),
        ("893504950001", "bad check digit in GTIN 893504950001: expected 7", M.GTIN_CHECK_DIGIT),
        ("893504950", "8, 12, 13 or 14 digits, got 9", M.GTIN_LENGTH),
        ("89350495000A8", "digits only", M.GTIN_NOT_DIGITS),
        ("８９３５０４９５０００１８", "digits only", M.GTIN_NOT_DIGITS),  # full-width digits are not ASCII
        ("", "digits only", M.GTIN_NOT_DIGITS),
    ],
)
def test_validate_gtin_refuses(gtin: str, message: str, reason: M) -> None:
    with pytest.raises(GS1Error, match=message) as caught:
        validate_gtin(gtin)
    assert caught.value.message is reason
    assert str(caught.value) == reason.english(caught.value.params)


def test_build_full_uri() -> None:
    link = DigitalLink("8935049500018", "ABCD2345EF", "ABCDEFGH2345", date(2027, 3, 31))
    uri = build_uri(BASE + "/", link)
    assert uri == f"{BASE}/01/{GTIN}/10/ABCD2345EF/21/ABCDEFGH2345?17=270331"
    assert parse_uri(uri) == link
    assert link.gtin == GTIN


def test_short_form_without_gtin() -> None:
    link = DigitalLink(None, None, "ABCDEFGH2345")
    assert build_uri(BASE, link) == f"{BASE}/p/ABCDEFGH2345"
    assert parse_uri(f"{BASE}/p/ABCDEFGH2345") == link
    assert parse_path("/p/ABCDEFGH2345", "17=261231") == DigitalLink(
        None, None, "ABCDEFGH2345", date(2026, 12, 31)
    )


def test_lot_is_optional_and_percent_encoding_round_trips() -> None:
    link = DigitalLink(GTIN, "A/B\"%&'()*+,:;<=>?", "S.1-_x")
    uri = build_uri(BASE, link)
    assert uri == f"{BASE}/01/{GTIN}/10/A%2FB%22%25%26%27%28%29%2A%2B%2C%3A%3B%3C%3D%3E%3F/21/S.1-_x"
    assert parse_uri(uri) == link
    assert build_uri(BASE, DigitalLink(GTIN, None, "X")) == f"{BASE}/01/{GTIN}/21/X"


def test_parse_accepts_raw_characters_short_gtins_a_path_prefix_and_resolver_parameters() -> None:
    expected = DigitalLink(GTIN, "L(1)", "S!1", date(2026, 1, 31))
    assert (
        parse_uri("https://x.vn/resolver/v1/01/8935049500018/10/L(1)/21/S!1?17=260100&linkType=all")
        == expected
    )
    assert parse_path(f"/01/{GTIN}/10/L%281%29/21/S%211", "?17=260131") == expected


def test_resolver_path_without_host() -> None:
    assert parse_path(f"/01/{GTIN}/10/LOT1/21/ABC") == DigitalLink(GTIN, "LOT1", "ABC")


@pytest.mark.parametrize(
    ("uri", "message", "reason"),
    [
        (f"/01/{GTIN[:-1]}9/21/S", "AI 01: bad check digit", M.GTIN_CHECK_DIGIT),
        (f"/01/{GTIN}/21/S/10/L", "wrong order: AI 10 out of place", M.AI_OUT_OF_ORDER),
        (f"/10/L/01/{GTIN}/21/S", "wrong order: AI 01 must come before", M.GTIN_NOT_FIRST),
        (f"/01/{GTIN}/21/S/21/T", "wrong order: AI 21 out of place", M.AI_OUT_OF_ORDER),
        (f"/01/{GTIN}/10/L%C3%B4/21/S", "bad character 'ô' in AI 10", M.LOT_BAD_CHARACTER),
        (f"/01/{GTIN}/10/L/21/S%20T", "bad character ' ' in AI 21", M.SERIAL_BAD_CHARACTER),
        (f"/01/{GTIN}/10/L/21/S~T", "bad character '~' in AI 21", M.SERIAL_BAD_CHARACTER),
        (f"/01/{GTIN}/10/{'L' * 21}/21/S", "AI 10 too long: 21 characters, at most 20", M.LOT_TOO_LONG),
        (f"/01/{GTIN}/21/{'S' * 21}", "AI 21 too long", M.SERIAL_TOO_LONG),
        (f"/01/{GTIN}/235/V/21/S", "unknown AI 235 in the path", M.AI_UNKNOWN_IN_PATH),
        (f"/01/{GTIN}/10/L/22/V/21/S", "wrong order: AI 22 out of place", M.AI_OUT_OF_ORDER),
        (f"/01/{GTIN}/22/{'V' * 21}", "AI 22 too long", M.CPV_TOO_LONG),
        (f"/01/{GTIN}/22/V%20W", "bad character ' ' in AI 22", M.CPV_BAD_CHARACTER),
        (f"/01/{GTIN}/22/V%2", "bad percent-encoding in AI 22", M.CPV_BAD_ENCODING),
        ("/p/ABC?3103=000195&3103=000195", "AI 3103 given twice", M.AI_TWICE),
        (f"/01/{GTIN}/lot/L/21/S", "unexpected path segment 'lot'", M.SEGMENT_UNEXPECTED),
        (f"/01/{GTIN}/21/S?9999=000195", "unknown AI 9999 in the query", M.AI_UNKNOWN_IN_QUERY),
        (f"/01/{GTIN}/21/S?3103=00019", "AI 3103 value '00019' does not have the format N6", M.AI_BAD_VALUE),
        (f"/01/{GTIN}/21/S?3103=0001955", "AI 3103 value '0001955'", M.AI_BAD_VALUE),
        (f"/01/{GTIN}/21/S?3103=00%2", "AI 3103 value '00%2'", M.AI_BAD_VALUE),
        (f"/01/{GTIN}/21/S?10=LOT", "AI 10 is a key or key qualifier", M.AI_NOT_IN_QUERY),
        (f"/01/{GTIN}/21/S?01={GTIN}", "AI 01 is a key or key qualifier", M.AI_NOT_IN_QUERY),
        (f"/01/{GTIN}/21/S?17=261301", "AI 17 has a bad month", M.EXPIRY_BAD_MONTH),
        (f"/01/{GTIN}/21/S?17=260230", "AI 17 has a bad day", M.EXPIRY_BAD_DAY),
        (f"/01/{GTIN}/21/S?17=2612", "AI 17 must be YYMMDD", M.EXPIRY_NOT_YYMMDD),
        (f"/01/{GTIN}/21/S?17=261231&17=261231", "AI 17 given twice", M.EXPIRY_TWICE),
        (f"/01/{GTIN}/10/L", "no serial", M.NO_SERIAL),
        (f"/01/{GTIN}/10/L/21", "AI 21 has no value", M.AI_WITHOUT_VALUE),
        (f"/01/{GTIN}/01/{GTIN}/21/S", "AI 01 given twice", M.GTIN_TWICE),
        (f"/01/{GTIN}//21/S", "empty path segment", M.EMPTY_SEGMENT),
        (f"/01/{GTIN}/21/S%2", "bad percent-encoding in AI 21", M.SERIAL_BAD_ENCODING),
        (f"/01/{GTIN}/10/L%2/21/S", "bad percent-encoding in AI 10", M.LOT_BAD_ENCODING),
        ("/p/ABC/21/D", "takes nothing after the serial", M.SHORT_FORM_EXTRA),
        ("/gtin/123", "no primary key", M.NO_PRIMARY_KEY),
        ("", "no primary key", M.NO_PRIMARY_KEY),
        (f"ftp://x.vn/01/{GTIN}/21/S", "scheme 'ftp'", M.NOT_HTTP),
        (f"https://x.vn/01/{GTIN}/21/S#frag", "no #fragment", M.FRAGMENT),
    ],
)
def test_malformed_uris_are_refused_with_the_reason(uri: str, message: str, reason: M) -> None:
    with pytest.raises(GS1Error, match=message) as caught:
        parse_uri(uri)
    # The id says why (a reader is told by it); the English is its template filled in, maybe placed: "AI 01: "
    assert caught.value.message is reason
    assert str(caught.value).endswith(reason.english(caught.value.params))


@pytest.mark.parametrize(
    ("query", "kept"),
    [
        ("3103=000195", [("3103", "000195")]),  # net weight, kg, three decimals
        ("17=261231&3103=000195&linkType=gs1:pip&foo=bar", [("17", "261231"), ("3103", "000195")]),
        ("7007=240101", [("7007", "240101")]),  # N6+N..6: the variable part may be empty
        ("7007=240101240131", [("7007", "240101240131")]),
        ("3922=12599&15=270000", [("3922", "12599"), ("15", "270000")]),
        ("90=A%2BB", [("90", "A+B")]),  # a plus sign is a plus sign, not a space
        ("lang=en&context=vn", []),
    ],
)
def test_data_attributes_in_the_query_are_accepted(query: str, kept: list[tuple[str, str]]) -> None:
    """GS1 Digital Link URI syntax: data attributes go in the query, each in its AI's format."""
    assert query_attributes(query) == kept
    assert parse_path(f"/01/{GTIN}/10/L/21/S", query) == DigitalLink(
        GTIN, "L", "S", date(2026, 12, 31) if "17=" in query else None
    )


def test_consumer_product_variant_is_a_qualifier_before_the_lot() -> None:
    """AI 22 (consumer product variant) is GTIN's first qualifier: /01/{gtin}/22/{cpv}/10/{lot}/21/{ser}."""
    assert parse_key_path(f"/01/{GTIN}/22/ABC") == ClassLink(GTIN, None, "ABC")
    assert parse_key_path(f"/01/{GTIN}/22/ABC/10/L1") == ClassLink(GTIN, "L1", "ABC")
    link = parse_path(f"/01/{GTIN}/22/A%2FB/10/L1/21/S1")
    assert link == DigitalLink(GTIN, "L1", "S1", None, "A/B")
    assert build_uri(BASE, link) == f"{BASE}/01/{GTIN}/22/A%2FB/10/L1/21/S1"
    assert build_uri(BASE, ClassLink(GTIN, "L1", "ABC")) == f"{BASE}/01/{GTIN}/22/ABC/10/L1"
    with pytest.raises(GS1Error, match="the /p/"):
        DigitalLink(None, None, "S1", None, "ABC")


def test_link_itself_refuses_bad_values() -> None:
    with pytest.raises(GS1Error, match="a lot \\(AI 10\\) needs a GTIN"):
        DigitalLink(None, "L1", "S")
    with pytest.raises(GS1Error, match="AI 21 is empty"):
        DigitalLink(GTIN, None, "")
    with pytest.raises(GS1Error, match="AI 10 is empty"):
        DigitalLink(GTIN, "", "S")
    with pytest.raises(GS1Error, match="outside the GS1 two-digit year window"):
        build_uri(BASE, DigitalLink(GTIN, None, "S", date(date.today().year + 60, 1, 1)))
    assert isinstance(GS1Error(M.FRAGMENT), ValueError)


def test_the_gtin_of_a_uri_is_named_and_keeps_its_id() -> None:
    with pytest.raises(GS1Error) as caught:
        parse_uri("/01/123")
    assert str(caught.value) == "AI 01: GTIN must have 8, 12, 13 or 14 digits, got 3"
    assert caught.value.message is M.GTIN_LENGTH
    assert caught.value.params == {"length": 3}


@st.composite
def gtins(draw: st.DrawFn) -> str:
    length = draw(st.sampled_from([8, 12, 13, 14]))
    body = draw(st.text(string.digits, min_size=length - 1, max_size=length - 1))
    return body + str(gtin_check_digit(body))


x20 = st.text(st.sampled_from(CSET82), min_size=1, max_size=20)
window = st.dates(date(date.today().year - 40, 1, 1), date(date.today().year + 40, 12, 31))


@given(gtins(), st.none() | x20, x20, st.none() | window)
def test_build_then_parse_is_the_identity(
    gtin: str, lot: str | None, serial: str, expiry: date | None
) -> None:
    link = DigitalLink(gtin, lot, serial, expiry)
    assert parse_uri(build_uri(BASE, link)) == link
    assert link.gtin == validate_gtin(gtin).zfill(14)


@given(x20, st.none() | window)
def test_short_form_round_trips(serial: str, expiry: date | None) -> None:
    link = DigitalLink(None, None, serial, expiry)
    assert parse_uri(build_uri(BASE, link)) == link


@given(gtins(), st.integers(1, 9))
def test_any_wrong_check_digit_is_refused(gtin: str, delta: int) -> None:
    wrong = gtin[:-1] + str((int(gtin[-1]) + delta) % 10)
    with pytest.raises(GS1Error, match="bad check digit"):
        validate_gtin(wrong)


@given(x20, st.text(min_size=1, max_size=3).filter(lambda s: any(c not in CSET82 for c in s)))
def test_characters_outside_set_82_are_refused(serial: str, extra: str) -> None:
    with pytest.raises(GS1Error, match="bad character|too long|empty"):
        DigitalLink(GTIN, None, serial + extra)

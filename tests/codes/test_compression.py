"""Compressed GS1 Digital Link URIs (GS1 Digital Link 1.1, section 8): known answers from GS1's own tools and
their ports, every way a segment can fail, and a round trip through an encoder written here from the
standard's description (checked first against the same known answers), for the URIs our labels print.

Where the known answers come from (each compressed form was made by GS1's compression algorithm):

- ``DLJS``: gs1/digital-link.js, ``tests/index.js`` (GS1's JavaScript library; ``compressWebUri`` uses the
  table of optimisations and compresses other key=value pairs).
- ``PORT``: Solidsoft-Reply/Gs1DigitalLinkLib, ``Tests/Features/CompressGs1DigitalLink.feature`` (a port of
  GS1's GS1DigitalLinkCompressionPrototype; its "Compress a decompressed Digital Link" and "Partially
  compress" tables, made without optimisations).
- ``TRUST``: TrustCodes/gs1-compression, ``README.md`` (the Python decompressor GS1's prototype README points
  to).
"""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracer.codes import ais
from tracer.codes.compression import _OPTIMISATIONS, decompress, expand
from tracer.codes.gs1 import GS1Error, gtin_check_digit, parse_key_path
from tracer.platform.messages import Message as M

B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

# (compressed segment, uncompressed path, query, source)
KNOWN = [
    ("HxHKVAdpQgZzjr-hCDKigI", "/01/09780345418913/10/231/21/345345", "15=120820", "DLJS"),
    (
        "HxHKVAdpQhCTxbrOF_yEFcx_4a2GeAh1mFOZkChg6Z8pgcEMEWpMganmIQ",
        "/01/09780345418913/10/38737643/21/58943",
        "15=230911&thngId=U5mQKGDpnymBwQwRakyBqeYh",
        "DLJS",
    ),
    ("ARHKVAdpQg", "/01/09780345418913", "", "TRUST"),
    ("AQnYUc1gmg", "/01/05412345000013", "", "PORT"),
    ("AQnYUc1gmiCNV4JG", "/01/05412345000013/10/ABC123", "", "PORT"),
    ("AQnYUc1gmiCNV4JGQhcNT6K6c", "/01/05412345000013/10/ABC123/21/72292641703", "", "PORT"),
    (
        "AQnYUc1gmiCNV4JGQhcNT6K6cibQCWN9Pee9tT-PQ",
        "/01/05412345000013/22/AJY3095721P49/10/ABC123/21/72292641703",
        "",
        "PORT",
    ),
    ("AQnYUc1gmiCNV4JGRNoBLG-nvPe2p_Ho", "/01/05412345000013/22/AJY3095721P49/10/ABC123", "", "PORT"),
    ("AQnYUc1gmkIXDU-iun", "/01/05412345000013/21/72292641703", "", "PORT"),
    ("AQnYUc1gmkTaASxvp7z3tqfx6", "/01/05412345000013/22/AJY3095721P49", "", "PORT"),
]
# Other primary keys: decompressed to their AIs (the resolver answers GTINs only).
OTHER_KEYS = [
    ("AN2yxDhfaiaw", [("00", "998440410914660971")]),
    ("JTLIetaiHYA", [("253", "3060077601309")]),
    ("QBl2DVoxZM2jVm3ZOWEFoxTR5HDgzZg", [("401", "0541234537290A41&GHpp33")]),
    ("QCJZyW9mC6Z4", [("402", "21173492661712079")]),
    ("JUa0T-eifdtOO9UFEmlYwv3Q", [("254", "RP56J920471"), ("414", "5060917510004")]),
    ("QUSaVjC_dHBAVlCrg", [("414", "5060917510004"), ("7040", "5KFX")]),
    ("gBhbV6rzBENPmAGXPRfk", [("8018", "411369833821910265"), ("8019", "4003812")]),
    (
        "EEarwSMhC4an0V05E2gEsb6e897an8ewAMGAkftmjYEy",
        [("10", "ABC123"), ("21", "72292641703"), ("22", "AJY3095721P49"), ("8006", "054123450000130201")],
    ),
]


@pytest.mark.parametrize(("segment", "path", "query", "source"), KNOWN, ids=[k[0][:16] for k in KNOWN])
def test_known_answers_decompress(segment: str, path: str, query: str, source: str) -> None:
    assert expand("/" + segment) == (path, query), source
    assert expand("/resolver/" + segment) == ("/resolver" + path, query)  # a resolver's path prefix is kept
    parse_key_path(path, query)  # and what comes out is a valid uncompressed URI


@pytest.mark.parametrize(("segment", "pairs"), OTHER_KEYS, ids=[k[0][:16] for k in OTHER_KEYS])
def test_known_answers_of_other_keys(segment: str, pairs: list[tuple[str, str]]) -> None:
    assert sorted(decompress(segment)) == pairs  # PORT
    with pytest.raises(GS1Error) as caught:
        expand("/" + segment)
    assert caught.value.message in (M.NOT_A_GTIN_CODE, M.COMPRESSED_MALFORMED)


def test_partially_compressed_known_answers() -> None:
    """PORT, "Partially compress a decompressed Digital Link": the GTIN stays, the rest is compressed."""
    assert expand("/01/05412345000013/EEarwSMhC4an0V04") == (
        "/01/05412345000013/10/ABC123/21/72292641703",
        "",
    )
    assert expand("/01/05412345000013/Im0AljfT3nvbU_j0", "linkType=all") == (
        "/01/05412345000013/22/AJY3095721P49",
        "linkType=all",
    )


@pytest.mark.parametrize(
    "path",
    [
        "/01/05412345000013/10/ABC123/21/72292641703",  # uncompressed: untouched
        "/01/05412345000013/10/LQWMENMYJK",  # a lot that looks like base 64 is still a lot
        "/01/05412345000013",
        "/p/ABCDEFGH2345JK",
        "/0123456789012",  # digits only: never a compressed segment
        "/short",
    ],
)
def test_uncompressed_paths_are_left_alone(path: str) -> None:
    assert expand(path) is None


@pytest.mark.parametrize(
    ("segment", "reason"),
    [
        ("AQnYUc1gm", "10 to 1000 characters"),  # too short to hold a GTIN
        ("A" * 1001, "10 to 1000 characters"),
        ("AQnYUc1gm=g", "10 to 1000 characters"),  # not the URI-safe alphabet
        ("AQnYUc1gmiCNV4", "ends in the middle of a value"),  # cut short
        ("AQnYUc1gmh", "padding is not zeros"),
        ("____________", "ends in the middle of a value"),  # F: a key of 127 characters... and nothing
        ("3x3x3x3x3x3x", "no optimisation DF"),
        ("BQAAAAAAAAAA", "no AI starts with 05"),
        ("Af__________", "a 14-digit value is 140737488355327"),  # AI 01, 47 bits that are no 14 digits
    ],
)
def test_damaged_segments_are_refused(segment: str, reason: str) -> None:
    with pytest.raises(GS1Error, match=re.escape(reason)) as caught:
        decompress(segment)
    assert caught.value.message is M.COMPRESSED_MALFORMED


def test_a_control_character_is_refused() -> None:
    serial = _ai_bits("21") + "100" + format(2, "05b") + format(0x41, "07b") + format(0x0A, "07b")  # "A\n"
    with pytest.raises(GS1Error, match="control character"):
        decompress(_b64(_gtin_bits() + serial))


# --- an encoder written from the standard's description, checked against the known answers ------------------


def _value_bits(digits: int) -> int:
    return math.ceil(digits * math.log(10) / math.log(2) + 0.01)


def _chars(value: str) -> tuple[int, str]:
    if value.isdigit():
        return 0, format(int(value), f"0{_value_bits(len(value))}b")
    if re.fullmatch("[0-9A-F]+", value):
        return 2, "".join(format(int(c, 16), "04b") for c in value)
    if re.fullmatch("[0-9a-f]+", value):
        return 1, "".join(format(int(c, 16), "04b") for c in value)
    if re.fullmatch("[A-Za-z0-9_-]+", value):
        return 3, "".join(format(B64.index(c), "06b") for c in value)
    return 4, "".join(format(ord(c), "07b") for c in value)


def _value(code: str, value: str) -> str:
    ai = ais.lookup(code)
    assert ai is not None
    out, at = "", 0
    for part in ai.parts:
        text = value[at : at + part.length] if part.fixed else value[at:]
        at += len(text)
        if part.numeric:
            size = "" if part.fixed else format(len(text), f"0{part.length.bit_length()}b")
            out += size + format(int(text or "0"), f"0{_value_bits(len(text))}b")
        else:
            encoding, bits = _chars(text)
            size = "" if part.fixed else format(len(text), f"0{part.length.bit_length()}b")
            out += format(encoding, "03b") + size + bits
    return out


def _ai_bits(code: str) -> str:
    return "".join(format(int(c, 16), "04b") for c in code)


def _b64(bits: str) -> str:
    bits += "0" * (-len(bits) % 6)
    return "".join(B64[int(bits[i : i + 6], 2)] for i in range(0, len(bits), 6))


def compress(pairs: dict[str, str], other: dict[str, str] | None = None, *, optimise: bool = True) -> str:
    keys, bits = sorted(pairs), ""
    while optimise:
        fits = [(code, seq) for code, seq in _OPTIMISATIONS.items() if all(a in keys for a in seq)]
        if not fits:
            break
        code, seq = max(fits, key=lambda f: len("".join(f[1])))  # the first of the longest
        bits += _ai_bits(code) + "".join(_value(a, pairs[a]) for a in seq)
        keys = [k for k in keys if k not in seq]
    bits += "".join(_ai_bits(k) + _value(k, pairs[k]) for k in keys)
    for key, value in (other or {}).items():
        encoding, value_bits = _chars(value)
        bits += "1111" + format(len(key), "07b") + "".join(format(B64.index(c), "06b") for c in key)
        bits += format(encoding, "03b") + format(len(value), "07b") + value_bits
    return _b64(bits)


def _gtin_bits() -> str:
    return _ai_bits("01") + _value("01", "05412345000013")


def test_the_encoder_reproduces_the_known_answers() -> None:
    """The encoder below is ours; it is trusted to make test URIs only because it gives GS1's answers."""
    assert compress({"01": "09780345418913", "10": "231", "21": "345345", "15": "120820"}) == KNOWN[0][0]
    assert (
        compress(
            {"01": "09780345418913", "10": "38737643", "21": "58943", "15": "230911"},
            {"thngId": "U5mQKGDpnymBwQwRakyBqeYh"},
        )
        == KNOWN[1][0]
    )
    for segment, path, _query, source in KNOWN[2:]:
        parts = path.strip("/").split("/")
        assert compress(dict(zip(parts[::2], parts[1::2], strict=True)), optimise=False) == segment, source
    for segment, pairs in OTHER_KEYS[:-1]:
        assert compress(dict(pairs), optimise=False) == segment


def _gtin(body: str) -> str:
    return body + str(gtin_check_digit(body))


CSET82 = st.text(
    st.sampled_from("!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"),
    min_size=1,
    max_size=20,
)


@given(
    gtin=st.from_regex(r"0[0-9]{12}", fullmatch=True).map(_gtin),
    lot=st.none() | CSET82,
    serial=st.none() | CSET82,
    expiry=st.none() | st.sampled_from(["261231", "270000", "300115"]),
    weight=st.none() | st.from_regex(r"[0-9]{6}", fullmatch=True),
    optimise=st.booleans(),
)
def test_round_trip(gtin: str, lot: str | None, serial: str | None, expiry: str | None, weight: str | None,
                    optimise: bool) -> None:  # fmt: skip
    pairs = {"01": gtin, "10": lot, "21": serial, "17": expiry, "3103": weight}
    given_pairs = {k: v for k, v in pairs.items() if v is not None}
    assert dict(decompress(compress(given_pairs, optimise=optimise))) == given_pairs


def test_every_ai_has_one_length_by_its_first_two_digits() -> None:
    """The decompressor reads an AI's length from its first two digits (General Specifications): one length
    for each pair of digits, as for 01 (2), 235 (3), 3103 (4), 7003 (4), 710 (3)."""
    lengths: dict[str, set[int]] = {}
    for code in (
        "00",
        "01",
        "10",
        "17",
        "21",
        "22",
        "235",
        "253",
        "3103",
        "3922",
        "414",
        "7003",
        "710",
        "8006",
    ):
        assert ais.lookup(code) is not None
        lengths.setdefault(code[:2], set()).add(len(code))
    assert all(ais.ai_length(prefix) in found for prefix, found in lengths.items())
    assert ais.ai_length("05") is None and ais.lookup("9999") is None

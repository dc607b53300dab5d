"""Serials: shape, Crockford decoding of typed input, the check character, and the Merkle commitment of a
packaging event."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracer.codes.serials import (
    ALPHABET,
    CHECK_SYMBOLS,
    SERIAL_BITS,
    CheckCharacterError,
    SerialError,
    TypedSerial,
    check_symbol,
    format_serial,
    new_serial,
    new_serials,
    normalise_serial,
    read_serial,
    serial_leaf,
    serial_proof,
    serial_proofs,
    serials_root,
    verify_serial,
)
from tracer.ledger.errors import VerificationError

serials_st = st.text(st.sampled_from(ALPHABET), min_size=12, max_size=12)


def test_shape_and_alphabet() -> None:
    assert SERIAL_BITS >= 50
    assert not set("ILOU") & set(ALPHABET)
    batch = new_serials(2000)
    assert len(set(batch)) == 2000
    assert all(len(s) == 12 and set(s) <= set(ALPHABET) for s in batch)
    # 60 random bits: every symbol shows up in every position over 2,000 draws
    assert all(len({s[i] for s in batch}) == 32 for i in range(12))
    assert new_serials(0) == []
    assert new_serial() != new_serial()


def test_leaf_is_rfc9162_leaf_of_the_ascii_serial() -> None:
    assert serial_leaf("abcd-efgh-2345") == hashlib.sha256(b"\x00ABCDEFGH2345").digest()


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("abcd-efgh-2345", "ABCDEFGH2345"),
        ("  ABCD EFGH 2345 ", "ABCDEFGH2345"),
        ("oOiIlL012345", "001111012345"),
    ],
)
def test_normalise_follows_crockford(typed: str, canonical: str) -> None:
    assert normalise_serial(typed) == canonical


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("ABCDEFGH234U", "character 'U' is not used"),
        ("ABCDEFGH234*", "character '\\*' is not used"),
        ("ABCDEFGH23Ư5", "character 'Ư' is not used"),
        ("ABCDEFGH2345\x00", "character '\\\\x00' is not a check character"),
        ("ABCDEFGH2345#", "character '#' is not a check character"),
        ("ABCDEFGH234", "has 12 characters \\(13 with its check character\\), got 11"),
        ("ABCDEFGH2345XY", "has 12 characters \\(13 with its check character\\), got 14"),
        ("", "got 0"),
        ("-" * 64, "got 0"),
        ("A" * 65, "got 65 \\(too long to read\\)"),
        ("ABCD\nEFGH2345", "character '\\\\n' is not used"),
    ],
)
def test_normalise_refuses(typed: str, message: str) -> None:
    with pytest.raises(SerialError, match=message):
        normalise_serial(typed)


@given(serials_st, st.data())
def test_typed_variants_normalise_back(serial: str, data: st.DataObject) -> None:
    look_alike = {"0": "oO", "1": "iIlL"}
    typed = "".join(data.draw(st.sampled_from([c, c.lower(), *look_alike.get(c, "")])) for c in serial)
    assert normalise_serial(typed) == serial
    assert read_serial(format_serial(serial)) == TypedSerial(serial, checked=True)
    assert format_serial(serial) == f"{serial[:4]}-{serial[4:8]}-{serial[8:]}-{check_symbol(serial)}"


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 300), st.data())
def test_every_serial_proves_into_the_root(size: int, data: st.DataObject) -> None:
    batch = new_serials(size)
    root = serials_root(batch)
    proofs = serial_proofs(batch)
    index = data.draw(st.integers(0, size - 1))
    assert serial_proof(batch, index) == proofs[index]
    verify_serial(batch[index], index, size, proofs[index], root)
    verify_serial(batch[index].lower(), index, size, proofs[index], root)  # as typed from the label


def test_ten_thousand_packages_have_proofs_of_at_most_14_hashes() -> None:
    batch = new_serials(10_000)
    root = serials_root(batch)
    proofs = serial_proofs(batch)
    assert max(map(len, proofs)) == 14  # 448 bytes: ceil(log2(10,000)) hashes
    assert len(proofs[-1]) < 14  # the short right edge of an unbalanced tree
    for i in (0, 1, 4095, 8191, 9999):
        verify_serial(batch[i], i, 10_000, proofs[i], root)


def test_verification_failures() -> None:
    batch = new_serials(37)
    root = serials_root(batch)
    proof = serial_proof(batch, 5)
    with pytest.raises(VerificationError, match="computed root does not match"):
        verify_serial(batch[6], 5, 37, proof, root)
    with pytest.raises(VerificationError, match="computed root does not match"):
        verify_serial(batch[5], 4, 37, proof, root)
    with pytest.raises(VerificationError, match="computed root does not match"):
        verify_serial(batch[5], 5, 37, [proof[0][::-1], *proof[1:]], root)
    with pytest.raises(VerificationError, match="computed root does not match"):
        verify_serial(batch[5], 5, 37, proof, serials_root(batch[:-1]))
    with pytest.raises(VerificationError, match="proof is too short"):
        verify_serial(batch[5], 5, 37, proof[:-1], root)
    with pytest.raises(VerificationError, match="proof is too long"):
        verify_serial(batch[5], 5, 37, [*proof, proof[0]], root)
    with pytest.raises(VerificationError, match="index 37 is not inside a tree of size 37"):
        verify_serial(batch[5], 37, 37, proof, root)
    with pytest.raises(VerificationError, match="serial: character 'U'"):
        verify_serial("UUUUUUUUUUUU", 5, 37, proof, root)


def test_bad_lists_are_refused() -> None:
    with pytest.raises(SerialError, match="at least one serial"):
        serials_root([])
    with pytest.raises(SerialError, match="same serial appears twice"):
        serials_root(["ABCDEFGH2345", "abcd-efgh-2345"])
    with pytest.raises(SerialError, match="index 3 outside a list of 3"):
        serial_proof(new_serials(3), 3)
    with pytest.raises(SerialError, match="cannot make -1 serials"):
        new_serials(-1)


# -- the check character ----------------------------------------------------------------------------------


def _crockford_value(serial: str) -> int:
    """An independent reading of a serial's value: Python's own base-32 digits, 0-9 then a-v."""
    return int(serial.translate(str.maketrans(ALPHABET, "0123456789abcdefghijklmnopqrstuv")), 32)


@pytest.mark.parametrize(
    ("serial", "check"),
    [
        ("00000000016J", "D"),  # 1234: "16JD" in base32-crockford's tests (jbittel/base32-crockford)
        ("00000000001A", "5"),  # 42: "1A5" in its README
        ("000000000000", "0"),
        ("00000000000Z", "Z"),  # 31
        ("000000000010", "*"),  # 32 .. 36: Crockford's five extra symbols
        ("000000000011", "~"),
        ("000000000012", "$"),
        ("000000000013", "="),
        ("000000000014", "U"),
        ("000000000015", "0"),  # 37
        ("ZZZZZZZZZZZZ", "9"),  # 2^60 - 1 = 9 (mod 37)
        ("JDSFGHMK4169", "Q"),
    ],
)
def test_check_symbol_known_answers(serial: str, check: str) -> None:
    assert check_symbol(serial) == check
    assert CHECK_SYMBOLS[_crockford_value(serial) % 37] == check
    assert read_serial(serial + check) == TypedSerial(serial, checked=True)
    assert format_serial(serial).endswith("-" + check)


def test_check_symbols_are_crockfords() -> None:
    assert CHECK_SYMBOLS == "0123456789ABCDEFGHJKMNPQRSTVWXYZ*~$=U"
    assert format_serial("jdsf ghmk 4169") == "JDSF-GHMK-4169-Q"


@pytest.mark.parametrize(
    "typed",
    [
        "JDSF-GHMK-4169-Q",
        "jdsf-ghmk-4169-q",
        "JDSFGHMK4169Q",
        " jdsf ghmk 4169 q ",
        "JDSF–GHMK—4169‑Q",  # dashes a phone or a copied PDF puts in
        "ＪＤＳＦ-ＧＨＭＫ-４１６９-Ｑ",  # full-width, from some input methods
        "JDSF-GHMK-4169\u00a0Q",
    ],
)
def test_typed_with_its_check(typed: str) -> None:
    assert read_serial(typed) == TypedSerial("JDSFGHMK4169", checked=True)
    assert normalise_serial(typed) == "JDSFGHMK4169"


def test_typed_without_check_and_look_alikes() -> None:
    assert read_serial("JDSF-GHMK-4169") == TypedSerial("JDSFGHMK4169", checked=False)
    # O reads as 0 and I, L as 1, in the check position too: 0000000000 01 has value 1, check "1"
    assert read_serial("oooo-oooo-ooo1-i") == TypedSerial("000000000001", checked=True)
    assert read_serial("0000-0000-0001-l") == TypedSerial("000000000001", checked=True)
    assert read_serial("0000-0000-0014-u") == TypedSerial("000000000014", checked=True)  # u as U (36)
    assert read_serial("0000-0000-0012-$") == TypedSerial("000000000012", checked=True)


@pytest.mark.parametrize(
    "typed", ["JDSF-GHMK-4169-R", "JDSF-GHMK-4196-Q", "JDSF-GHMK-4169-*", "JDSF-GHNK-4169-Q"]
)
def test_a_wrong_check_is_a_typing_slip(typed: str) -> None:
    with pytest.raises(
        CheckCharacterError, match="check character does not match the serial: a character was mistyped"
    ):
        read_serial(typed)
    assert issubclass(CheckCharacterError, SerialError)


def _refusal(typed: str) -> SerialError:
    try:
        read_serial(typed)
    except SerialError as error:
        return error
    raise AssertionError(f"{typed!r} was read as a serial")


@settings(max_examples=120, deadline=None)
@given(serials_st)
def test_every_substitution_and_adjacent_transposition_is_caught(serial: str) -> None:
    """Crockford's mod 37: a prime above 32, so (a - b) * 32^k and (a - b) * 31 * 32^k are never 0 mod 37."""
    typed = serial + check_symbol(serial)
    assert read_serial(typed) == TypedSerial(serial, checked=True)
    for i, ch in enumerate(typed):
        allowed = ALPHABET if i < len(serial) else CHECK_SYMBOLS
        for other in CHECK_SYMBOLS:
            if other == ch:
                continue
            wrong = typed[:i] + other + typed[i + 1 :]
            for form in (wrong, wrong.lower(), f"{wrong[:4]}-{wrong[4:8]}-{wrong[8:12]}-{wrong[12:]}"):
                # a symbol allowed in that position is caught by the check, i.e. read as a typing slip
                error = _refusal(form)
                assert isinstance(error, CheckCharacterError) == (other in allowed), (form, error)
    for i in range(len(typed) - 1):
        if typed[i] != typed[i + 1]:  # swapping two equal characters changes nothing
            _refusal(typed[:i] + typed[i + 1] + typed[i] + typed[i + 2 :])


def test_new_serials_print_a_plain_check() -> None:
    batch = new_serials(3000)
    checks = {check_symbol(s) for s in batch}
    assert checks <= set(ALPHABET)  # never * ~ $ = U (see the module docstring)
    assert len(checks) == 32
    assert all(_crockford_value(s) % 37 < 32 for s in batch)

"""Serials: shape, Crockford decoding of typed input, and the Merkle commitment of a packaging event."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracer.codes.serials import (
    ALPHABET,
    SERIAL_BITS,
    SerialError,
    format_serial,
    new_serial,
    new_serials,
    normalise_serial,
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
        ("ABCDEFGH234", "has 12 characters, got 11"),
        ("", "has 12 characters, got 0"),
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
    assert normalise_serial(format_serial(serial)) == serial
    assert format_serial(serial) == f"{serial[:4]}-{serial[4:8]}-{serial[8:]}"


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

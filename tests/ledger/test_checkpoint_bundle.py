"""C2SP tlog-checkpoint and tlog-proof@v1: round trips, strict parsing, signatures, inclusion."""

from __future__ import annotations

import base64
import hashlib

import pytest

from tracer.ledger.bundle import format_bundle, parse_bundle, verify_bundle
from tracer.ledger.checkpoint import (
    Checkpoint,
    format_checkpoint,
    parse_checkpoint,
    sign_checkpoint,
    verify_checkpoint,
)
from tracer.ledger.errors import LedgerError, VerificationError
from tracer.ledger.keys import generate_key, public_key_raw
from tracer.ledger.merkle import inclusion_proof_from_leaves, leaf_hash, root_hash
from tracer.ledger.note import format_verifier_key, sign_note

ORIGIN = "trace.example.vn/ocop-log"
ROOT = hashlib.sha256(b"root").digest()
KEY = generate_key()
VKEY = format_verifier_key(ORIGIN, public_key_raw(KEY))


def test_format_and_parse_round_trip() -> None:
    cp = Checkpoint(ORIGIN, 1234, ROOT, ("ext one", "— witness line"))
    text = format_checkpoint(cp)
    assert text == f"{ORIGIN}\n1234\n{base64.b64encode(ROOT).decode()}\next one\n— witness line\n"
    assert parse_checkpoint(text) == cp
    plain = Checkpoint(ORIGIN, 0, ROOT)
    assert parse_checkpoint(format_checkpoint(plain)) == plain


GOOD = f"{ORIGIN}\n7\n{base64.b64encode(ROOT).decode()}\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD[:-1], "newline"),
        (f"{ORIGIN}\n7\n", "origin, size and root"),
        (GOOD.replace("\n7\n", "\n07\n"), "leading zeros"),
        (GOOD.replace("\n7\n", "\n-7\n"), "leading zeros"),
        (GOOD.replace("\n7\n", "\n 7\n"), "leading zeros"),
        (GOOD.replace("\n7\n", "\n99999999999999999999\n"), "leading zeros"),
        (GOOD.replace(ORIGIN, ""), "origin"),
        (GOOD.replace(ORIGIN, ORIGIN + " "), "origin"),
        (f"{ORIGIN}\n7\n{base64.b64encode(ROOT[:31]).decode()}\n", "not 32"),
        (f"{ORIGIN}\n7\n{base64.b64encode(ROOT).decode().rstrip('=')}\n", "base64"),
        (GOOD + "\n", "empty extension"),
    ],
)
def test_parse_rejects(text: str, message: str) -> None:
    with pytest.raises(VerificationError, match=message):
        parse_checkpoint(text)


def test_format_rejects_bad_checkpoints() -> None:
    for bad in (
        Checkpoint("", 1, ROOT),
        Checkpoint(ORIGIN, -1, ROOT),
        Checkpoint(ORIGIN, 1, b"short"),
        Checkpoint(ORIGIN, 1, ROOT, ("",)),
    ):
        with pytest.raises(LedgerError):
            format_checkpoint(bad)


def test_signed_checkpoint() -> None:
    cp = Checkpoint(ORIGIN, 9, ROOT)
    note = sign_checkpoint(cp, KEY)
    assert note.startswith(format_checkpoint(cp) + "\n— " + ORIGIN + " ")
    assert verify_checkpoint(note, VKEY) == cp
    other_origin = format_verifier_key("other.example/log", public_key_raw(KEY))
    with pytest.raises(VerificationError, match="no signature by other.example/log"):
        verify_checkpoint(note, other_origin)
    with pytest.raises(VerificationError, match="invalid signature"):
        verify_checkpoint(note.replace("\n9\n", "\n10\n"), VKEY)
    mislabelled = sign_note(format_checkpoint(Checkpoint("other.example/log", 9, ROOT)), ORIGIN, KEY)
    with pytest.raises(VerificationError, match="not the verifier key's name"):
        verify_checkpoint(mislabelled, VKEY)


ENTRIES = [f"envelope {i}".encode() for i in range(11)]
LEAVES = [leaf_hash(e) for e in ENTRIES]
NOTE = sign_checkpoint(Checkpoint(ORIGIN, len(ENTRIES), root_hash(LEAVES)), KEY)


def test_bundle_round_trip_and_verify() -> None:
    proof = inclusion_proof_from_leaves(LEAVES, 6)
    text = format_bundle(6, proof, NOTE)
    lines = text.split("\n")
    assert lines[:2] == ["c2sp.org/tlog-proof@v1", "index 6"]
    assert lines[2 : 2 + len(proof)] == [base64.b64encode(p).decode() for p in proof]
    assert parse_bundle(text).proof == tuple(proof)
    assert verify_bundle(text, ENTRIES[6], VKEY).size == 11
    with_extra = format_bundle(6, proof, NOTE, extra=b"\x00ctx")
    assert with_extra.split("\n")[1] == "extra AGN0eA=="
    assert parse_bundle(with_extra).extra == b"\x00ctx"
    assert verify_bundle(with_extra, ENTRIES[6], VKEY).size == 11
    single = sign_checkpoint(Checkpoint(ORIGIN, 1, LEAVES[0]), KEY)
    assert verify_bundle(format_bundle(0, [], single), ENTRIES[0], VKEY).size == 1


def test_bundle_negative() -> None:
    proof = inclusion_proof_from_leaves(LEAVES, 6)
    text = format_bundle(6, proof, NOTE)
    with pytest.raises(VerificationError, match="not at index 6"):
        verify_bundle(text, ENTRIES[5], VKEY)
    with pytest.raises(VerificationError, match="not at index 5"):
        verify_bundle(text.replace("index 6", "index 5"), ENTRIES[6], VKEY)
    with pytest.raises(VerificationError, match="no signature"):
        verify_bundle(text, ENTRIES[6], format_verifier_key(ORIGIN, public_key_raw(generate_key())))
    cases = {
        text.replace("c2sp.org/tlog-proof@v1", "c2sp.org/tlog-proof@v2"): "must start with",
        text.replace("index 6", "index 06"): "index line",
        text.replace("index 6", "index  6"): "index line",
        text.replace("index 6\n", ""): "index line",
        text.replace("\n\n", "\n", 1): "base64",
        text.split("\n\n")[0]: "no checkpoint",
        text.replace(base64.b64encode(proof[0]).decode(), base64.b64encode(proof[0][:16]).decode()): "not 32",
    }
    for bad, message in cases.items():
        with pytest.raises(VerificationError, match=message):
            verify_bundle(bad, ENTRIES[6], VKEY)

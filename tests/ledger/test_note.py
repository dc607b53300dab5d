"""C2SP signed notes: known answers (the spec's example, Go sumdb/note TestSign) and every way to fail."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.ledger.conftest import NOTE_VECTORS
from tracer.ledger.errors import VerificationError
from tracer.ledger.keys import generate_key, public_key_raw
from tracer.ledger.note import (
    format_signer_key,
    format_verifier_key,
    parse_signer_key,
    parse_verifier_key,
    sign_note,
    verify_note,
)

VECTORS: dict[str, Any] = json.loads(NOTE_VECTORS.read_text())
SIGN = VECTORS["sign"][0]


def test_verify_known_answers() -> None:
    for case in VECTORS["verify"] + VECTORS["sign"]:
        note = case.get("note") or case["signed"]
        assert verify_note(note, case["vkey"]) == note[: note.rindex("\n\n") + 1]


def test_sign_known_answer() -> None:
    name, key = parse_signer_key(SIGN["skey"])
    assert format_signer_key(name, key) == SIGN["skey"]
    assert format_verifier_key(name, public_key_raw(key)) == SIGN["vkey"]
    assert sign_note(SIGN["text"], name, key) == SIGN["signed"]


@pytest.mark.parametrize("vkey", VECTORS["bad_vkeys"])
def test_bad_verifier_keys(vkey: str) -> None:
    with pytest.raises(VerificationError):
        parse_verifier_key(vkey)


@pytest.mark.parametrize(
    ("vkey", "message"),
    [
        ("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "does not match"),
        ("PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "malformed"),
        ("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "malformed"),
        ("PeterNeumann+c74f20a3", "malformed"),
    ],
)
def test_verifier_key_negative(vkey: str, message: str) -> None:
    with pytest.raises(VerificationError, match=message):
        parse_verifier_key(vkey)


def test_wrong_key_rejected() -> None:
    other = format_verifier_key("PeterNeumann", public_key_raw(generate_key()))
    with pytest.raises(VerificationError, match="no signature by PeterNeumann"):
        verify_note(SIGN["signed"], other)


def test_altered_text_rejected() -> None:
    altered = SIGN["signed"].replace("answer", "Answer")
    with pytest.raises(VerificationError, match="invalid signature by PeterNeumann"):
        verify_note(altered, SIGN["vkey"])


def _cosigner_line(text: str, name: str) -> str:
    signed = sign_note(text, name, generate_key())
    return signed[len(text) + 1 :]


def test_unknown_signatures_are_ignored() -> None:
    text = SIGN["text"]
    extra = _cosigner_line(text, "witness.example") + _cosigner_line(
        text, "PeterNeumann"
    )  # same name, other key
    assert verify_note(SIGN["signed"] + extra, SIGN["vkey"]) == text
    assert verify_note(SIGN["signed"].replace(text + "\n", text + "\n" + extra), SIGN["vkey"]) == text


def test_more_than_16_signatures_rejected() -> None:
    text = SIGN["text"]
    fifteen = "".join(_cosigner_line(text, f"w{i}.example") for i in range(15))
    assert verify_note(SIGN["signed"] + fifteen, SIGN["vkey"]) == text  # 16 in all
    with pytest.raises(VerificationError, match="more than 16 signatures"):
        verify_note(SIGN["signed"] + fifteen + _cosigner_line(text, "w15.example"), SIGN["vkey"])


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda n: n[:-1], "end with a newline"),
        (lambda n: n + "\n", "no signatures"),
        (lambda n: n.replace("\n\n", "\n"), "no signature block"),
        (lambda n: n.replace("— PeterNeumann ", "— PeterNeumann  "), "base64"),
        (lambda n: n.replace("— PeterNeumann ", "—  PeterNeumann "), "malformed signature line"),
        (lambda n: n.replace("— PeterNeumann ", " — PeterNeumann "), "malformed signature line"),
        (lambda n: n.replace("— PeterNeumann ", "-- PeterNeumann "), "malformed signature line"),
        (lambda n: n[:-1] + " \n", "base64"),
        (lambda n: n.replace("\n", "\r\n"), "control character"),
        (lambda n: n.replace("answer", "answer\t"), "control character"),
        (lambda n: n.replace("\n\n—", "\n\n"), "malformed signature line"),
        (lambda n: n[: n.rindex(" ") + 1] + "AAAA\n", "malformed signature line"),
    ],
)
def test_malformed_notes_rejected(mutate: Any, message: str) -> None:
    with pytest.raises(VerificationError, match=message):
        verify_note(mutate(SIGN["signed"]), SIGN["vkey"])


def test_sign_refuses_bad_text_and_names() -> None:
    key = generate_key()
    with pytest.raises(VerificationError, match="newline"):
        sign_note("no newline", "a", key)
    with pytest.raises(Exception, match="invalid key name"):
        sign_note("text\n", "bad name", key)

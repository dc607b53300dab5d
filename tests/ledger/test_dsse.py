"""DSSE v1: the spec's PAE known answer, envelope JSON (canonical, strict) and signature tampering."""

from __future__ import annotations

import base64
import json

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from tracer.ledger.dsse import PAYLOAD_TYPE, Envelope, Signature, pae, sign_envelope, verify_envelope
from tracer.ledger.errors import VerificationError
from tracer.ledger.keys import generate_key, key_id, public_key_raw

KEY = generate_key()
KEYID = key_id(public_key_raw(KEY))
KEYS = {KEYID: KEY.public_key()}


def test_pae_known_answer() -> None:
    # DSSE protocol.md: PAE("http://example.com/HelloWorld", "hello world")
    assert pae("http://example.com/HelloWorld", b"hello world") == (
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    )
    assert pae("", b"") == b"DSSEv1 0  0 "
    assert pae("tệp", b"\x00") == b"DSSEv1 5 t\xe1\xbb\x87p 1 \x00"  # LEN counts UTF-8 bytes


def test_sign_and_verify() -> None:
    env = sign_envelope(b'{"a":1}', KEY, KEYID)
    assert env.payload_type == PAYLOAD_TYPE
    assert verify_envelope(env, KEYS) == KEYID
    KEY.public_key().verify(env.signatures[0].sig, pae(PAYLOAD_TYPE, b'{"a":1}'))


def test_json_round_trip_is_canonical() -> None:
    env = sign_envelope('{"lô":"Đắk Lắk"}'.encode(), KEY, KEYID)
    data = env.to_json()
    document = json.loads(data)
    assert rfc8785.dumps(document) == data
    assert set(document) == {"payload", "payloadType", "signatures"}
    assert base64.b64decode(document["payload"]) == env.payload
    assert Envelope.from_json(data) == env
    assert Envelope.from_json(json.dumps(document, indent=2).encode()) == env  # any JSON layout parses


@given(payload_type=st.text(), keyid=st.text())
def test_to_json_matches_rfc8785(payload_type: str, keyid: str) -> None:
    env = Envelope(b"\x00\xff", payload_type, (Signature(keyid, b"sig"),))
    try:
        expected = rfc8785.dumps(json.loads(env.to_json()))
    except UnicodeEncodeError:  # lone surrogates cannot be UTF-8 at all
        return
    assert env.to_json() == expected


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda e: Envelope(e.payload + b" ", e.payload_type, e.signatures), "does not verify"),
        (lambda e: Envelope(e.payload, "text/plain", e.signatures), "does not verify"),
        (lambda e: Envelope(e.payload, e.payload_type, (Signature(KEYID, bytes(64)),)), "does not verify"),
        (
            lambda e: Envelope(e.payload, e.payload_type, (Signature("someone", e.signatures[0].sig),)),
            "no signature",
        ),
        (lambda e: Envelope(e.payload, e.payload_type, ()), "no signature"),
    ],
)
def test_tampering_fails(change: object, message: str) -> None:
    env = sign_envelope(b'{"a":1}', KEY, KEYID)
    with pytest.raises(VerificationError, match=message):
        verify_envelope(change(env), KEYS)  # type: ignore[operator]


def test_wrong_key_fails_and_cosigners_are_ignored() -> None:
    other = generate_key()
    env = sign_envelope(b"{}", other, KEYID)
    with pytest.raises(VerificationError, match=f"signature by key {KEYID} does not verify"):
        verify_envelope(env, KEYS)
    good = sign_envelope(b"{}", KEY, KEYID)
    both = Envelope(b"{}", PAYLOAD_TYPE, (Signature("witness", b"x"), *good.signatures))
    assert verify_envelope(both, KEYS) == KEYID


GOOD = sign_envelope(b"{}", KEY, KEYID).to_json().decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("not json", "not JSON"),
        ("[]", "must be an object"),
        ('{"payload":"e30=","payloadType":"t","signatures":[],"extra":1}', "must be an object"),
        ('{"payload":"e30=","payloadType":"t","signatures":[]}', "at least one signature"),
        ('{"payload":"e30=","payloadType":"","signatures":[{"keyid":"k","sig":"AA=="}]}', "payloadType"),
        ('{"payload":"e30=","payloadType":1,"signatures":[{"keyid":"k","sig":"AA=="}]}', "payloadType"),
        (
            '{"payload":"e30","payloadType":"t","signatures":[{"keyid":"k","sig":"AA=="}]}',
            "payload: not canonical",
        ),
        (
            '{"payload":"e31=","payloadType":"t","signatures":[{"keyid":"k","sig":"AA=="}]}',
            "payload: not canonical",
        ),
        ('{"payload":"e30=","payloadType":"t","signatures":[{"keyid":1,"sig":"AA=="}]}', "string keyid"),
        ('{"payload":"e30=","payloadType":"t","signatures":[{"sig":"AA=="}]}', "string keyid"),
        ('{"payload":"e30=","payloadType":"t","signatures":[{"keyid":"k","sig":"A A="}]}', "signature: not"),
        ('{"payload":"e30=","payload":"e30=","payloadType":"t","signatures":[]}', "duplicate"),
        (GOOD.replace("{", "[", 1), "not JSON"),
    ],
)
def test_from_json_is_strict(data: str, message: str) -> None:
    with pytest.raises(VerificationError, match=message):
        Envelope.from_json(data.encode())


def test_url_safe_base64_is_accepted_on_input() -> None:
    payload = b"\xfb\xff"
    data = json.dumps(
        {
            "payload": base64.urlsafe_b64encode(payload).decode(),
            "payloadType": "t",
            "signatures": [{"keyid": "k", "sig": "-_8="}],
        }
    ).encode()
    env = Envelope.from_json(data)
    assert env.payload == payload
    assert env.signatures[0].sig == b"\xfb\xff"

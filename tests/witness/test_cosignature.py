"""``tracer.ledger.cosignature``: known answers from c2sp.org/tlog-cosignature, and the negative cases."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.witness import independent
from tracer.ledger.cosignature import (
    cosign,
    cosignatures_in,
    format_cosigner_key,
    format_cosigner_signer_key,
    key_id,
    parse_cosigner_key,
    parse_cosigner_signer_key,
    signed_message,
    verify_cosignature,
)
from tracer.ledger.errors import VerificationError
from tracer.ledger.note import format_verifier_key, key_hash

BODY = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
SPEC_LINE = (
    "\u2014 witness.example.com/w1 "
    "jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA=="
)
# RFC 8032 section 7.1, TEST 1
RFC8032_SECRET = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
RFC8032_PUBLIC = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
NAME = "witness.example.com/w1"


def test_the_signed_message_is_the_specifications_example() -> None:
    assert signed_message(BODY, 1679315147) == (
        b"cosignature/v1\n"
        b"time 1679315147\n"
        b"example.com/behind-the-sofa\n"
        b"20852163\n"
        b"CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    )


def test_the_specifications_cosignature_line_carries_its_time() -> None:
    blob = base64.b64decode(SPEC_LINE.split(" ")[2])
    assert len(blob) == 4 + 8 + 64  # key ID, u64 timestamp, Ed25519 signature
    assert int.from_bytes(blob[4:12], "big") == 1679315147  # the "time" line of the spec's example message


def test_key_id_uses_type_0x04() -> None:
    expected = hashlib.sha256(NAME.encode() + b"\n\x04" + RFC8032_PUBLIC).digest()[:4]
    assert key_id(NAME, RFC8032_PUBLIC) == expected
    assert key_id(NAME, RFC8032_PUBLIC) != key_hash(NAME, RFC8032_PUBLIC).to_bytes(4, "big")  # not a 0x01 key
    vkey = format_cosigner_key(NAME, RFC8032_PUBLIC)
    assert vkey == f"{NAME}+{expected.hex()}+" + base64.b64encode(b"\x04" + RFC8032_PUBLIC).decode()
    assert parse_cosigner_key(vkey).key_id == expected


def test_a_known_cosignature_verifies_independently() -> None:
    private = Ed25519PrivateKey.from_private_bytes(RFC8032_SECRET)
    line = cosign(BODY, NAME, private, 1679315147)
    blob = base64.b64decode(line.split(" ")[2])
    assert blob[:4] == key_id(NAME, RFC8032_PUBLIC) and blob[4:12] == (1679315147).to_bytes(8, "big")
    assert blob[12:] == private.sign(signed_message(BODY, 1679315147))  # Ed25519 is deterministic
    note = BODY + "\n" + line
    assert independent.verify(note, format_cosigner_key(NAME, RFC8032_PUBLIC)) == 1679315147
    [found] = cosignatures_in(note, [parse_cosigner_key(format_cosigner_key(NAME, RFC8032_PUBLIC))])
    assert (found.name, found.timestamp, found.line) == (NAME, 1679315147, line)


def test_what_does_not_verify() -> None:
    private = Ed25519PrivateKey.from_private_bytes(RFC8032_SECRET)
    cosigner = parse_cosigner_key(format_cosigner_key(NAME, RFC8032_PUBLIC))
    line = cosign(BODY, NAME, private, 1700000000)
    with pytest.raises(VerificationError, match="invalid cosignature"):
        verify_cosignature(BODY.replace("20852163", "20852164"), line, cosigner)
    blob = bytearray(base64.b64decode(line.split(" ")[2]))
    blob[11] ^= 1  # another timestamp than the one signed
    forged = f"\u2014 {NAME} {base64.b64encode(bytes(blob)).decode()}\n"
    with pytest.raises(VerificationError, match="invalid cosignature"):
        verify_cosignature(BODY, forged, cosigner)
    with pytest.raises(VerificationError, match="not signed by"):
        verify_cosignature(BODY, line.replace(NAME, "witness.example.com/w2"), cosigner)
    other = Ed25519PrivateKey.generate()
    with pytest.raises(VerificationError, match="not a cosignature/v1"):
        verify_cosignature(BODY, cosign(BODY, NAME, other, 1700000000), cosigner)
    with pytest.raises(VerificationError, match="type 0x04"):
        parse_cosigner_key(format_verifier_key(NAME, RFC8032_PUBLIC))  # a log's 0x01 key is not a cosigner's


def test_the_signer_key_file_round_trips() -> None:
    private = Ed25519PrivateKey.from_private_bytes(RFC8032_SECRET)
    name, again = parse_cosigner_signer_key(format_cosigner_signer_key(NAME, private))
    assert name == NAME and again.public_key().public_bytes_raw() == RFC8032_PUBLIC

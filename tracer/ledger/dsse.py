"""DSSE v1 envelopes (github.com/secure-systems-lab/dsse, protocol.md and envelope.md) signed with Ed25519.

The signature covers the Pre-Authentication Encoding
``PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`` (LEN in ASCII decimal), never the
JSON. ``Envelope.to_json`` writes the standard JSON envelope (``payload`` and ``sig`` in standard base64) in
RFC 8785 canonical form: those exact bytes are what the log hashes and stores.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from tracer.ledger.encoding import b64decode, b64encode
from tracer.ledger.errors import VerificationError
from tracer.ledger.keys import KeyID

PAYLOAD_TYPE = "application/vnd.ocop-tracer.event+json"

_ENVELOPE_FIELDS = frozenset({"payload", "payloadType", "signatures"})
_SIGNATURE_FIELDS = frozenset({"keyid", "sig"})


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE v1 Pre-Authentication Encoding of ``payload`` with ``payload_type``."""
    encoded_type = payload_type.encode("utf-8")
    return b"DSSEv1 %d %b %d %b" % (len(encoded_type), encoded_type, len(payload), payload)


@dataclass(frozen=True, slots=True)
class Signature:
    """One DSSE signature: the signer's key id and the raw signature bytes."""

    keyid: str
    sig: bytes


@dataclass(frozen=True, slots=True)
class Envelope:
    """A DSSE envelope: the payload bytes, their media type, and one or more signatures over their PAE."""

    payload: bytes
    payload_type: str
    signatures: tuple[Signature, ...]

    def to_json(self) -> bytes:
        """The canonical (RFC 8785) JSON envelope; these bytes are the log entry."""
        # Every value is a string and every key ASCII, so JCS reduces to keys in sorted order, no
        # whitespace, and ECMAScript string escaping, which json.dumps gives with ensure_ascii=False;
        # base64 never needs escaping (tests/ledger/test_dsse.py checks the result against rfc8785).
        signatures = ",".join(
            f'{{"keyid":{_string(s.keyid)},"sig":"{b64encode(s.sig)}"}}' for s in self.signatures
        )
        text = (
            f'{{"payload":"{b64encode(self.payload)}","payloadType":{_string(self.payload_type)},'
            f'"signatures":[{signatures}]}}'
        )
        return text.encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> Envelope:
        """Parse a JSON envelope strictly; raise VerificationError on anything malformed."""
        try:
            document = json.loads(data, object_pairs_hook=_no_duplicates)
        except (ValueError, UnicodeDecodeError) as exc:
            raise VerificationError(f"envelope is not JSON: {exc}") from exc
        if not isinstance(document, dict) or set(document) != _ENVELOPE_FIELDS:
            raise VerificationError("envelope must be an object with payload, payloadType and signatures")
        payload_type, signatures = document["payloadType"], document["signatures"]
        if not isinstance(payload_type, str) or not payload_type:
            raise VerificationError("envelope payloadType must be a non-empty string")
        if not isinstance(signatures, list) or not signatures:
            raise VerificationError("envelope must carry at least one signature")
        parsed: list[Signature] = []
        for item in signatures:
            if (
                not isinstance(item, dict)
                or set(item) != _SIGNATURE_FIELDS
                or not isinstance(item["keyid"], str)
            ):
                raise VerificationError("each signature must be an object with a string keyid and a sig")
            parsed.append(Signature(item["keyid"], b64decode(item["sig"], what="signature", urlsafe_ok=True)))
        payload = b64decode(document["payload"], what="payload", urlsafe_ok=True)
        return cls(payload=payload, payload_type=payload_type, signatures=tuple(parsed))


def _string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate member name")
    return result


def sign_envelope(
    payload: bytes, private_key: Ed25519PrivateKey, keyid: KeyID | str, payload_type: str = PAYLOAD_TYPE
) -> Envelope:
    """An envelope of ``payload`` signed by ``private_key`` under ``keyid``."""
    signature = Signature(keyid=str(keyid), sig=private_key.sign(pae(payload_type, payload)))
    return Envelope(payload=payload, payload_type=payload_type, signatures=(signature,))


def verify_envelope(env: Envelope, public_keys: Mapping[str, Ed25519PublicKey]) -> str:
    """Return the key id of the first signature that verifies under ``public_keys``.

    Signatures by key ids not in ``public_keys`` are ignored (DSSE allows co-signers the verifier does not
    know). If no signature by a known key verifies, raise VerificationError naming the failing key id.
    """
    message = pae(env.payload_type, env.payload)
    failed: list[str] = []
    for signature in env.signatures:
        public_key = public_keys.get(signature.keyid)
        if public_key is None:
            continue
        try:
            public_key.verify(signature.sig, message)
        except InvalidSignature:
            failed.append(signature.keyid)
            continue
        return signature.keyid
    if failed:
        raise VerificationError(f"signature by key {failed[0]} does not verify")
    raise VerificationError("no signature by a known key")

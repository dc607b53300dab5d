"""Standalone, offline verification of a log entry from public data only (no database, no network).

A bundle FILE (extension ``.tlog-proof.json``) is a JSON object::

    {"entry": "<standard base64 of the envelope bytes exactly as logged>",
     "bundle": "<C2SP tlog-proof@v1 text>",
     "signer_public_key": "<optional: standard base64 of the signer's raw Ed25519 public key>"}

It is checked against the log's C2SP verifier key (``origin+hash+base64(0x01||key)``): the checkpoint
signature, the RFC 9162 inclusion of ``SHA-256(0x00 || entry)`` at the bundle's index, that the entry is a
well-formed DSSE envelope of our payload type, and, when ``signer_public_key`` is given, the envelope's
signature by that key (whose own ``key.register`` entry can be checked with another bundle). JSON was chosen
over a raw tlog-proof plus a separate ``--entry`` file so that one file carries everything an inspector needs.
``python -m tracer ledger verify-bundle FILE --key VKEY`` calls ``verify_bundle_cli``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from tracer.ledger.bundle import parse_bundle, verify_bundle
from tracer.ledger.checkpoint import Checkpoint
from tracer.ledger.dsse import PAYLOAD_TYPE, Envelope, verify_envelope
from tracer.ledger.encoding import b64decode, b64encode
from tracer.ledger.errors import LedgerError, VerificationError
from tracer.ledger.keys import key_id, load_public_key


@dataclass(frozen=True, slots=True)
class VerifiedEntry:
    """What a successful offline check established."""

    checkpoint: Checkpoint
    index: int
    envelope: Envelope
    keyid: str | None  # the signer whose signature was checked, if a signer key was given


def verify_bundle_file(
    text: str, entry: bytes, verifier_key: str, signer_public_key: bytes | None = None
) -> VerifiedEntry:
    """Verify a tlog-proof@v1 ``text`` for ``entry``; raise VerificationError on any failure."""
    cp = verify_bundle(text, entry, verifier_key)
    index = parse_bundle(text).index
    envelope = Envelope.from_json(entry)
    if envelope.payload_type != PAYLOAD_TYPE:
        raise VerificationError(f"entry is not an OCOP Tracer event ({envelope.payload_type})", index=index)
    keyid = None
    if signer_public_key is not None:
        try:
            public_key = load_public_key(signer_public_key)
        except LedgerError as exc:
            raise VerificationError(f"signer public key: {exc}") from exc
        keyid = verify_envelope(envelope, {key_id(signer_public_key): public_key})
    return VerifiedEntry(checkpoint=cp, index=index, envelope=envelope, keyid=keyid)


def format_bundle_file(entry: bytes, bundle: str, signer_public_key: bytes | None = None) -> str:
    """The JSON bundle file for ``entry`` (see the module docstring)."""
    document = {"entry": b64encode(entry), "bundle": bundle}
    if signer_public_key is not None:
        document["signer_public_key"] = b64encode(signer_public_key)
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def verify_bundle_cli(path: str, key: str) -> str:
    """Verify the bundle file at ``path`` with verifier key ``key``; return a one-line success message."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise VerificationError(f"cannot read bundle file {path}: {exc}") from exc
    fields = ("entry", "bundle")
    if not isinstance(document, dict) or not all(isinstance(document.get(k), str) for k in fields):
        raise VerificationError("bundle file must be a JSON object with 'entry' and 'bundle' strings")
    entry = b64decode(document["entry"], what="entry")
    signer = document.get("signer_public_key")
    if signer is not None and not isinstance(signer, str):
        raise VerificationError("signer_public_key must be a base64 string")
    signer_key = None if signer is None else b64decode(signer, what="signer_public_key")
    result = verify_bundle_file(document["bundle"], entry, key, signer_key)
    signed = f", signed by key {result.keyid}" if result.keyid else ""
    cp = result.checkpoint
    return f"OK: entry {result.index} is in {cp.origin} (checkpoint size {cp.size}){signed}"

"""The witness side of c2sp.org/tlog-witness ``add-checkpoint``: check, remember, cosign.

The request body is ``old <size>\\n``, up to 63 base64 consistency-proof lines, an empty line, then the
checkpoint as a signed note. In the specification's order: an unknown origin is 404; a note without a valid
signature by a key trusted for that origin 403; an old size above the checkpoint's 400; an old size other
than the last cosigned one 409 with that size (``text/x.tlog.size``), as is the same size with another root;
a consistency proof that does not verify 422; in ``--verify-map`` mode (``mapcheck``), a map root that is
not the map of the log's entries 422 too. Only then is the checkpoint stored (atomically with the
check) and cosigned (c2sp.org/tlog-cosignature, cosignature/v1). A split view (another tree under the same
origin and key) therefore never gets a second cosignature: it is not consistent with the first.
"""

from __future__ import annotations

import binascii
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tracer.ledger.checkpoint import Checkpoint, parse_checkpoint, verify_checkpoint
from tracer.ledger.cosignature import cosign, format_cosigner_key, note_body
from tracer.ledger.errors import LedgerError, VerificationError
from tracer.ledger.keys import public_key_raw
from tracer.ledger.merkle import HASH_SIZE, verify_consistency
from tracer.ledger.note import parse_verifier_key
from tracer.witness.mapcheck import MapChecker, MapRefused
from tracer.witness.state import WitnessState

MAX_PROOF_LINES = 63
MAX_BODY = 64 * 1024
SIZE_TYPE = "text/x.tlog.size"
_OLD = re.compile(r"old (0|[1-9][0-9]{0,18})")


class Refusal(Exception):
    """An add-checkpoint request the witness does not cosign: the HTTP status and why."""

    def __init__(self, status: int, reason: str, size: int | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.size = size  # 409: the size of the latest cosigned checkpoint


@dataclass(frozen=True, slots=True)
class Request:
    old_size: int
    proof: list[bytes]
    note: str


def parse_request(body: bytes) -> Request:
    """The parts of an add-checkpoint body; Refusal 400 when it does not follow the grammar."""
    if len(body) > MAX_BODY:
        raise Refusal(400, f"the request body is larger than {MAX_BODY} bytes")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refusal(400, "the request body is not UTF-8") from None
    head, blank, note = text.partition("\n\n")
    if not blank:
        raise Refusal(400, "no empty line before the checkpoint")
    old_line, *proof_lines = head.split("\n")
    matched = _OLD.fullmatch(old_line)
    if not matched:
        raise Refusal(400, "the first line is not 'old <size>' in decimal without leading zeros")
    if len(proof_lines) > MAX_PROOF_LINES:
        raise Refusal(400, f"more than {MAX_PROOF_LINES} consistency proof lines")
    proof = []
    for line in proof_lines:
        try:
            value = binascii.a2b_base64(line.encode("ascii"), strict_mode=True)
        except (binascii.Error, UnicodeEncodeError, ValueError):
            raise Refusal(400, "a consistency proof line is not base64") from None
        if len(value) != HASH_SIZE:
            raise Refusal(400, "a consistency proof line is not a 32-byte hash")
        proof.append(value)
    return Request(old_size=int(matched.group(1)), proof=proof, note=note)


class Witness:
    """A witness named ``name`` with ``private_key``, trusting ``logs`` (origin -> the log's vkey)."""

    def __init__(
        self,
        name: str,
        private_key: Ed25519PrivateKey,
        logs: Mapping[str, str],
        state: WitnessState,
        clock: Callable[[], float] = time.time,
        map_checker: MapChecker | None = None,
    ) -> None:
        for origin, vkey in logs.items():
            if parse_verifier_key(vkey).name != origin:
                raise LedgerError(f"the key trusted for {origin!r} is named otherwise")
        self.name = name
        self.private_key = private_key
        self.logs = dict(logs)
        self.state = state
        self.clock = clock
        self.map_checker = map_checker  # --verify-map: the map root is recomputed before cosigning

    @property
    def verifier_key(self) -> str:
        """The witness's cosigner vkey (type 0x04), what logs and verifiers are given."""
        return format_cosigner_key(self.name, public_key_raw(self.private_key))

    def add_checkpoint(self, body: bytes) -> str:
        """The cosignature line for the checkpoint in ``body``; Refusal with the status the spec names."""
        request = parse_request(body)
        try:
            cp = parse_checkpoint(note_body(request.note))
        except VerificationError as error:
            raise Refusal(400, f"the checkpoint cannot be read: {error}") from None
        vkey = self.logs.get(cp.origin)
        if vkey is None:
            raise Refusal(404, f"this witness does not know the log {cp.origin!r}")
        try:
            cp = verify_checkpoint(request.note, vkey)
        except VerificationError as error:
            raise Refusal(403, f"no valid signature by the log's key: {error}") from None
        try:
            return self._cosign_if_consistent(cp, request)
        except Refusal as refusal:
            if refusal.status in (409, 422):
                self.state.refused(cp.origin, refusal.status, refusal.reason, body.decode("utf-8"))
            raise

    def _cosign_if_consistent(self, cp: Checkpoint, request: Request) -> str:
        if request.old_size > cp.size:
            raise Refusal(400, f"old size {request.old_size} is above the checkpoint's size {cp.size}")
        with self.state.transaction() as conn:
            latest = self.state.latest(conn, cp.origin)
            if request.old_size != latest.size:
                raise Refusal(409, f"the last cosigned size is {latest.size}", size=latest.size)
            if request.old_size == 0:
                if request.proof:
                    raise Refusal(422, "a consistency proof from size 0 must be empty")
            elif request.old_size == cp.size:
                if cp.root_hash != latest.root_hash:
                    raise Refusal(409, f"another root for size {cp.size}: a split view", size=latest.size)
            else:
                assert latest.root_hash is not None
                try:
                    verify_consistency(
                        request.old_size, cp.size, latest.root_hash, cp.root_hash, request.proof
                    )
                except LedgerError as error:
                    raise Refusal(422, f"the consistency proof does not verify: {error}") from None
            if self.map_checker is not None:
                try:
                    self.map_checker.check(cp)
                except MapRefused as refused:
                    raise Refusal(422, f"verify-map: {refused}") from None
            self.state.store(conn, cp.origin, cp.size, cp.root_hash, request.note)
            timestamp = int(self.clock())
            return cosign(note_body(request.note), self.name, self.private_key, timestamp)

"""Exceptions of the ledger: one tree rooted at ``LedgerError``.

Library exceptions (``cryptography.exceptions.InvalidSignature``, ``binascii.Error``,
``json.JSONDecodeError``) are caught where they arise and re-raised as one of these, so callers only ever
handle this tree.
"""

from __future__ import annotations


class LedgerError(Exception):
    """Base class of every error raised by ``tracer.ledger``."""


class VerificationError(LedgerError):
    """A signature, proof, checkpoint or stored row failed to verify.

    ``index`` names the first log index found bad, when the failure concerns one entry.
    """

    def __init__(self, message: str, index: int | None = None) -> None:
        super().__init__(message)
        self.index = index


class KeyRefusedError(LedgerError):
    """An append was refused: the envelope's key is unknown, revoked, not allowed, or its signature fails."""


class NotFoundError(LedgerError):
    """An index, tree size or checkpoint that the log does not (yet) have."""


class InvalidRequestError(LedgerError):
    """Parameters that can never be valid, e.g. ``index >= size``, or a malformed key event."""


class MapVerificationError(VerificationError):
    """A verifiable-map value, proof or root failed to verify (``vmap``).

    ``code`` names the check, the same in the scanner's ``vmap.js``: ``malformed`` (the proof or entry list
    cannot be read, or is not in its one canonical form), ``kind`` (an absence proof given as an inclusion
    proof, or the reverse), ``key`` (the other leaf of an absence proof is not on the key's path),
    ``value`` (the entries do not give the value), ``root`` (the proof leads to another root).
    """

    def __init__(self, message: str, code: str) -> None:
        super().__init__(f"map: {message}")
        self.code = code

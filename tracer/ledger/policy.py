"""A verifier's witness policy: k of n known witnesses must have cosigned a checkpoint, recently.

A checkpoint signed by the log alone proves what the log says, not that everyone is shown the same log;
a quorum of cosignatures (c2sp.org/tlog-cosignature) from independent witnesses does, as of their
timestamps. The policy is a small text a programme office distributes with the log key (one directive a
line, ``#`` comments):

    witness <cosigner vkey, type 0x04>      one line per witness (n of them)
    quorum <k>                              how many must have cosigned (1 <= k <= n)
    freshness <seconds>                     how old the k-th newest cosignature may be (default 86400)

``evaluate`` counts, for one checkpoint note, the distinct configured witnesses with a valid cosignature on
exactly that checkpoint, fresh (not older than the bound, not more than ``MAX_SKEW`` in the future) or stale,
and says in plain words what is missing; ``verify_policy`` raises when the quorum is not met.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from tracer.ledger.cosignature import Cosignature, Cosigner, cosignatures_in, parse_cosigner_key
from tracer.ledger.errors import LedgerError, VerificationError

DEFAULT_FRESHNESS = 24 * 3600
MAX_SKEW = 300  # seconds a witness's clock may run ahead of ours


class PolicyError(VerificationError):
    """A checkpoint does not meet the witness policy; ``code`` is ``quorum`` or ``stale``."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class WitnessPolicy:
    quorum: int
    cosigners: tuple[Cosigner, ...]
    freshness: int = DEFAULT_FRESHNESS

    @classmethod
    def parse(cls, text: str) -> WitnessPolicy:
        """The policy in ``text`` (module docstring); LedgerError naming the bad line."""
        cosigners: list[Cosigner] = []
        quorum: int | None = None
        freshness = DEFAULT_FRESHNESS
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            word, _, value = line.partition(" ")
            value = value.strip()
            try:
                if word == "witness":
                    cosigners.append(parse_cosigner_key(value))
                elif word in ("quorum", "freshness") and value.isascii() and value.isdigit():
                    if word == "quorum":
                        quorum = int(value)
                    else:
                        freshness = int(value)
                else:
                    raise LedgerError(f"unknown directive {line!r}")
            except LedgerError as error:
                raise LedgerError(f"witness policy, line {number}: {error}") from None
        names = [c.name for c in cosigners]
        if len(set(names)) != len(names):
            raise LedgerError("witness policy: a witness is named twice")
        if quorum is None or not 1 <= quorum <= len(cosigners):
            raise LedgerError(f"witness policy: quorum must be 1 to {len(cosigners)} (the witnesses listed)")
        if freshness < 1:
            raise LedgerError("witness policy: freshness must be at least 1 second")
        return cls(quorum=quorum, cosigners=tuple(cosigners), freshness=freshness)


@dataclass(frozen=True, slots=True)
class PolicyResult:
    """What a checkpoint's cosignatures amount to under a policy, at ``now``."""

    satisfied: bool
    fresh: tuple[Cosignature, ...]
    stale: tuple[Cosignature, ...]
    needed: int
    missing: str  # plain English, "" when satisfied

    @property
    def newest(self) -> int | None:
        """The newest valid cosignature's timestamp (what "verified as of" shows), or None."""
        times = [c.timestamp for c in self.fresh + self.stale]
        return max(times) if times else None


def provisioning_link(public_url: str, text: str) -> str:
    """The scanner's link that installs the policy ``text`` (checked first): ``/scan#witnesses=<b64url>``."""
    WitnessPolicy.parse(text)
    encoded = base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii")
    return f"{public_url.rstrip('/')}/scan#witnesses={encoded}"


def evaluate(note: str, policy: WitnessPolicy, now: int) -> PolicyResult:
    """Count the configured witnesses' valid cosignatures on ``note`` (each witness once, its newest)."""
    newest: dict[str, Cosignature] = {}
    for cosignature in cosignatures_in(note, list(policy.cosigners)):
        if cosignature.timestamp > now + MAX_SKEW:
            continue  # from the future: a witness's clock we cannot believe
        held = newest.get(cosignature.name)
        if held is None or cosignature.timestamp > held.timestamp:
            newest[cosignature.name] = cosignature
    fresh = tuple(c for c in newest.values() if now - c.timestamp <= policy.freshness)
    stale = tuple(c for c in newest.values() if now - c.timestamp > policy.freshness)
    if len(fresh) >= policy.quorum:
        return PolicyResult(True, fresh, stale, policy.quorum, "")
    hours = policy.freshness / 3600
    missing = (
        f"{len(fresh)} of the {policy.quorum} witness cosignatures needed are no older than {hours:g} hours"
        + (f" ({len(stale)} older)" if stale else "")
        + f"; {len(policy.cosigners) - len(newest)} of {len(policy.cosigners)} witnesses have not cosigned"
        " this checkpoint"
    )
    return PolicyResult(False, fresh, stale, policy.quorum, missing)


def verify_policy(note: str, policy: WitnessPolicy, now: int) -> PolicyResult:
    """``evaluate``, raising PolicyError (``stale`` if old cosignatures would have met the quorum,
    ``quorum`` otherwise) when the policy is not met."""
    result = evaluate(note, policy, now)
    if not result.satisfied:
        code = "stale" if len(result.fresh) + len(result.stale) >= policy.quorum else "quorum"
        raise PolicyError(result.missing, code)
    return result

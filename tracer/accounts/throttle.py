"""Slowing password guessing without locking the owner out (OWASP Authentication Cheat Sheet: device cookies).

There is no lock-out: an account that anyone can lock is one that anyone can deny to its owner. Failed
password checks are counted instead, in the app's rate limiter (shared by every worker through Redis):

- per account and source, backing off: a source may fail 5 times a minute, 10 times in 15 minutes, 20 in an
  hour and 40 a day for one e-mail; past any of these its attempts on that e-mail are refused unchecked,
  until the oldest failure leaves the window. A *source* is the client's network (an IPv4 address, an IPv6
  /64), or, for a browser that has signed in to this account before, that browser's device cookie;
- per account, a cap on failures from all untrusted sources together (30 in 5 minutes): an attacker with
  many addresses is held to a trickle of guesses, and since the window moves it only slows, never locks.
  A browser with the account's device cookie is not held by it, so the owner still signs in during an
  attack; from a new browser the owner may have to retry while the attack goes on.

Unknown e-mails are counted exactly like known ones, and a refused attempt gets the same answer as a wrong
password, so none of this tells anyone which e-mails have accounts. Only checked failures count: refused
attempts cost no password hashing and change no counter.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracer.platform.ratelimit import Limit, RateLimiter

PER_SOURCE = (
    Limit("signin-source-1m", 5, 60),
    Limit("signin-source-15m", 10, 15 * 60),
    Limit("signin-source-1h", 20, 60 * 60),
    Limit("signin-source-1d", 40, 24 * 60 * 60),
)
PER_ACCOUNT = (Limit("signin-account", 30, 5 * 60),)


@dataclass(frozen=True)
class Source:
    """Where an attempt comes from: ``net:<network>``, or ``device:<id>`` for a browser that has signed in to
    this account before (``trusted``)."""

    key: str
    trusted: bool = False


class LoginThrottle:
    def __init__(
        self,
        limiter: RateLimiter,
        per_source: tuple[Limit, ...] = PER_SOURCE,
        per_account: tuple[Limit, ...] = PER_ACCOUNT,
    ) -> None:
        self.limiter = limiter
        self.per_source = per_source
        self.per_account = per_account

    @staticmethod
    def _account(email: str) -> str:
        return "account:" + email.strip().lower()

    def _pairs(self, email: str, source: Source) -> list[tuple[Limit, str]]:
        account = self._account(email)
        pairs = [(limit, f"{account}|{source.key}") for limit in self.per_source]
        if not source.trusted:
            pairs += [(limit, account) for limit in self.per_account]
        return pairs

    def allows(self, *, email: str, source: Source) -> bool:
        """Whether a password may be checked for ``email`` from ``source`` now."""
        return all(self.limiter.test(limit, key) for limit, key in self._pairs(email, source))

    def failed(self, *, email: str, source: Source) -> None:
        """Count a checked, failed attempt."""
        for limit, key in self._pairs(email, source):
            self.limiter.hit(limit, key)

    def succeeded(self, *, email: str, source: Source) -> None:
        """The owner got in from ``source``: its own back-off starts over (the account's cap does not)."""
        account = self._account(email)
        for limit in self.per_source:
            self.limiter.clear(limit, f"{account}|{source.key}")

"""``tracer.ledger.policy``: k of n fresh cosignatures, with real witnesses (``tracer.witness``) asked by
an honest log and by one that dropped a recall or serves an old checkpoint (issue #17, "tests that must
exist")."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.witness.conftest import MemoryLog
from tracer.ledger.errors import LedgerError
from tracer.ledger.policy import MAX_SKEW, PolicyError, WitnessPolicy, evaluate, verify_policy
from tracer.ledger.witnessing import add_checkpoint_body
from tracer.witness.state import WitnessState
from tracer.witness.witness import Refusal, Witness

NOW = 1_780_000_000
DAY = 24 * 3600


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return float(self.now)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def witnesses(tmp_path: Path, honest: MemoryLog, clock: Clock) -> list[Witness]:
    return [
        Witness(
            f"witness{n}.example.vn/ocop",
            Ed25519PrivateKey.generate(),
            {"trace.example.vn/ocop-log": honest.vkey},
            WitnessState(tmp_path / f"w{n}.db"),
            clock=clock,
        )  # fmt: skip
        for n in range(3)
    ]


def policy_text(witnesses: list[Witness], quorum: int = 2) -> str:
    lines = [f"witness {w.verifier_key}" for w in witnesses]
    return "# the programme office's witnesses\n" + "\n".join(lines) + f"\nquorum {quorum}\nfreshness {DAY}\n"


def cosigned(log: MemoryLog, witnesses: list[Witness], old: int) -> str:
    """The log's newest note with every cosignature it can collect from ``witnesses``."""
    note, lines = log.note(), ""
    for witness in witnesses:
        try:
            lines += witness.add_checkpoint(add_checkpoint_body(old, log.proof(old), note))
        except Refusal:
            continue
    return note + lines


def test_k_of_n_fresh_cosignatures(honest: MemoryLog, witnesses: list[Witness], clock: Clock) -> None:
    policy = WitnessPolicy.parse(policy_text(witnesses))
    assert (policy.quorum, len(policy.cosigners), policy.freshness) == (2, 3, DAY)
    assert not evaluate(honest.note(), policy, NOW).satisfied  # the log's signature alone
    one = cosigned(honest, witnesses[:1], 0)
    result = evaluate(one, policy, NOW)
    assert not result.satisfied and result.missing.startswith("1 of the 2 witness cosignatures")
    with pytest.raises(PolicyError, match="1 of the 2") as raised:
        verify_policy(one, policy, NOW)
    assert raised.value.code == "quorum"
    note = cosigned(honest, witnesses[1:], 0)  # witnesses 1 and 2 on the same checkpoint
    both = note + one.removeprefix(honest.note())  # and witness 0's line: three
    result = verify_policy(both, policy, NOW + 60)
    assert len(result.fresh) == 3 and result.newest == NOW
    with pytest.raises(PolicyError, match="0 of the 2 .* \\(3 older\\)") as stale:
        verify_policy(both, policy, NOW + DAY + 1)  # a day later, no longer fresh
    assert stale.value.code == "stale"
    assert not evaluate(both, policy, NOW - MAX_SKEW - 1).satisfied  # cosigned "in the future"


def test_a_line_repeated_or_moved_to_another_checkpoint_counts_once_or_not_at_all(
    honest: MemoryLog, witnesses: list[Witness]
) -> None:
    policy = WitnessPolicy.parse(policy_text(witnesses))
    note = cosigned(honest, witnesses[:1], 0)
    line = note.removeprefix(honest.note())
    assert not evaluate(note + line, policy, NOW).satisfied  # the same witness twice is one witness
    honest.add("recall")
    moved = honest.note() + line + line  # old cosignatures under a new checkpoint verify nothing
    assert evaluate(moved, policy, NOW).fresh == ()


def test_a_log_that_drops_a_recall_cannot_collect_a_quorum(
    honest: MemoryLog, witnesses: list[Witness]
) -> None:
    policy = WitnessPolicy.parse(policy_text(witnesses))
    honest.add("recall lô L0001")
    assert verify_policy(cosigned(honest, witnesses, 0), policy, NOW).satisfied  # everyone saw size 4
    forked = MemoryLog(honest.key, honest.entries[:3])  # the same log key, the recall left out
    forked.add("ship lô L0001")
    for old in (0, 3, 4):
        with pytest.raises(PolicyError, match="0 of the 2"):
            verify_policy(cosigned(forked, witnesses, old), policy, NOW)


def test_an_old_checkpoint_goes_stale(honest: MemoryLog, witnesses: list[Witness], clock: Clock) -> None:
    policy = WitnessPolicy.parse(policy_text(witnesses))
    old_note = cosigned(honest, witnesses, 0)  # size 3, cosigned now
    honest.add("recall lô L0001")
    clock.now += 3600
    assert verify_policy(cosigned(honest, witnesses, 3), policy, clock.now).satisfied
    clock.now += DAY
    # the operator keeps showing the size-3 checkpoint (before the recall): its cosignatures only age, and the
    # witnesses will not cosign it again (they have seen size 4)
    again = cosigned(MemoryLog(honest.key, honest.entries[:3]), witnesses, 3)
    assert again == MemoryLog(honest.key, honest.entries[:3]).note()
    with pytest.raises(PolicyError) as raised:
        verify_policy(old_note, policy, clock.now)
    assert raised.value.code == "stale"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("quorum 1\n", "quorum must be 1 to 0"),
        ("witness nonsense\nquorum 1\n", "line 1"),
        ("quorum two\n", "unknown directive"),
        ("freshness 0\nquorum 1\nwitness {k}\n", "at least 1 second"),
        ("witness {k}\nwitness {k}\nquorum 1\n", "named twice"),
        ("witness {k}\nquorum 2\n", "quorum must be 1 to 1"),
    ],
)
def test_a_malformed_policy_is_refused(witnesses: list[Witness], text: str, message: str) -> None:
    with pytest.raises(LedgerError, match=message):
        WitnessPolicy.parse(text.format(k=witnesses[0].verifier_key))

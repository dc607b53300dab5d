"""``tests/vectors/witness/vectors.json`` against ``tracer.ledger.policy`` (the scanner's ``witness.js`` is
held to the same file by ``tests/scanner/witness.test.mjs``)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.witness import witness_vectors
from tracer.ledger.errors import LedgerError
from tracer.ledger.policy import PolicyError, WitnessPolicy, evaluate, verify_policy

DOC = json.loads(witness_vectors.PATH.read_text(encoding="utf-8"))


def test_the_vectors_file_is_what_the_generator_makes() -> None:
    assert witness_vectors.PATH.read_text(encoding="utf-8") == witness_vectors.text()


@pytest.mark.parametrize("case", DOC["cases"], ids=lambda c: c["name"])
def test_each_case(case: dict[str, Any]) -> None:
    policy = WitnessPolicy.parse(case["policy"])
    result = evaluate(case["note"], policy, case["now"])
    assert result.satisfied is case["satisfied"]
    assert sorted(c.name for c in result.fresh) == case["fresh"]
    assert sorted(c.name for c in result.stale) == case["stale"]
    if case["code"] is None:
        verify_policy(case["note"], policy, case["now"])
    else:
        with pytest.raises(PolicyError) as raised:
            verify_policy(case["note"], policy, case["now"])
        assert raised.value.code == case["code"]


@pytest.mark.parametrize("case", DOC["bad_policies"], ids=lambda c: c["name"])
def test_each_bad_policy(case: dict[str, str]) -> None:
    with pytest.raises(LedgerError, match=case["error"]):
        WitnessPolicy.parse(case["policy"])

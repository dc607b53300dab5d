"""RFC 6962 proof vectors of transparency-dev/merkle: verification, and proofs we generate, byte for byte."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.ledger.conftest import MERKLE_VECTORS
from tracer.ledger.errors import VerificationError
from tracer.ledger.hashstore import append_leaf_hashes, consistency_proof, inclusion_proof
from tracer.ledger.merkle import (
    consistency_proof_from_leaves,
    inclusion_proof_from_leaves,
    leaf_hash,
    root_hash,
    verify_consistency,
    verify_inclusion,
)

LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
ROOT_8 = bytes.fromhex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")


def _files(kind: str) -> list[Path]:
    files = sorted((MERKLE_VECTORS / kind).rglob("*.json"))
    assert files, f"no {kind} vectors under {MERKLE_VECTORS}"
    return files


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def _b64(value: str | None) -> bytes:
    return base64.b64decode(value or "")


def _proof(value: list[str] | None) -> list[bytes]:
    return [_b64(p) for p in value or []]


def _id(path: Path) -> str:
    return str(path.relative_to(MERKLE_VECTORS))


@pytest.mark.parametrize("path", _files("inclusion"), ids=_id)
def test_inclusion_vector(path: Path) -> None:
    v = _load(path)
    args = (v["leafIdx"], v["treeSize"], _b64(v["leafHash"]), _proof(v["proof"]), _b64(v["root"]))
    if v["wantErr"]:
        with pytest.raises(VerificationError, match="inclusion"):
            verify_inclusion(*args)
    else:
        verify_inclusion(*args)


@pytest.mark.parametrize("path", _files("consistency"), ids=_id)
def test_consistency_vector(path: Path) -> None:
    v = _load(path)
    args = (v["size1"], v["size2"], _b64(v["root1"]), _b64(v["root2"]), _proof(v["proof"]))
    if v["wantErr"]:
        with pytest.raises(VerificationError, match="consistency"):
            verify_consistency(*args)
    else:
        verify_consistency(*args)


def _happy(kind: str) -> list[dict[str, Any]]:
    found = [_load(p) for p in _files(kind) if p.name == "happy-path.json"]
    assert len(found) >= 5
    return found


def test_in_memory_proofs_equal_the_vectors() -> None:
    hashes = [leaf_hash(leaf) for leaf in LEAVES]
    assert root_hash(hashes) == ROOT_8
    for v in _happy("inclusion"):
        size, index = v["treeSize"], v["leafIdx"]
        assert hashes[index] == _b64(v["leafHash"])
        assert root_hash(hashes[:size]) == _b64(v["root"])
        assert inclusion_proof_from_leaves(hashes[:size], index) == _proof(v["proof"])
    for v in _happy("consistency"):
        size1, size2 = v["size1"], v["size2"]
        assert root_hash(hashes[:size1]) == _b64(v["root1"])
        assert consistency_proof_from_leaves(hashes[:size2], size1) == _proof(v["proof"])


def test_stored_hash_proofs_equal_the_vectors(engine: Engine) -> None:
    """The 8 leaves go through the stored-hash path (Go layout) one at a time; proofs come from SQL."""
    with engine.begin() as conn:
        for size, leaf in enumerate(LEAVES):
            root = append_leaf_hashes(conn, size, [leaf_hash(leaf)])
            assert root == root_hash([leaf_hash(x) for x in LEAVES[: size + 1]])
    assert root == ROOT_8
    with engine.connect() as conn:
        for v in _happy("inclusion"):
            assert inclusion_proof(conn, v["leafIdx"], v["treeSize"]) == _proof(v["proof"])
        for v in _happy("consistency"):
            assert consistency_proof(conn, v["size1"], v["size2"]) == _proof(v["proof"])

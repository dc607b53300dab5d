"""A witness made through its own configuration file and CLI (``witness init``), and small in-memory logs
(one origin, one log key) to show it: an honest one, and a second one with another history (a split view)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import Flask

from tracer.ledger.checkpoint import Checkpoint, sign_checkpoint
from tracer.ledger.merkle import consistency_proof_from_leaves, leaf_hash, root_hash
from tracer.ledger.note import format_verifier_key
from tracer.witness.app import create_witness_app
from tracer.witness.cli import witness as witness_cli
from tracer.witness.config import WitnessConfig

ORIGIN = "trace.example.vn/ocop-log"
WITNESS_NAME = "witness.quanlythitruong.example.vn/w1"


@dataclass
class MemoryLog:
    """A log of ``entries`` signed by ``key`` under ``ORIGIN``."""

    key: Ed25519PrivateKey
    entries: list[bytes] = field(default_factory=list)

    def add(self, *items: str) -> None:
        self.entries.extend(item.encode() for item in items)

    def note(self, size: int | None = None) -> str:
        size = len(self.entries) if size is None else size
        root = root_hash([leaf_hash(e) for e in self.entries[:size]])
        return sign_checkpoint(Checkpoint(ORIGIN, size, root), self.key)

    def proof(self, old: int, size: int | None = None) -> list[bytes]:
        size = len(self.entries) if size is None else size
        if old in (0, size):
            return []
        return consistency_proof_from_leaves([leaf_hash(e) for e in self.entries[:size]], old)

    @property
    def vkey(self) -> str:
        return format_verifier_key(ORIGIN, self.key.public_key().public_bytes_raw())


@pytest.fixture
def log_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def honest(log_key: Ed25519PrivateKey) -> MemoryLog:
    log = MemoryLog(log_key)
    log.add("harvest gấc Mỹ Cẩm", "process dầu gấc", "package 24")
    return log


def write_config(folder: Path, log_vkeys: list[str], name: str = WITNESS_NAME) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "witness.toml"
    logs = ", ".join(f'"{k}"' for k in log_vkeys)
    path.write_text(f'name = "{name}"\nlogs = [{logs}]\n', encoding="utf-8")
    result = CliRunner().invoke(witness_cli, ["init", "--config", str(path)])
    assert result.exit_code == 0, result.output
    assert "verifier key: " + name + "+" in result.output
    return path


@pytest.fixture
def witness_config(tmp_path: Path, honest: MemoryLog) -> WitnessConfig:
    return WitnessConfig.load(write_config(tmp_path / "witness", [honest.vkey]))


@pytest.fixture
def witness_app(witness_config: WitnessConfig) -> Flask:
    return create_witness_app(witness_config)

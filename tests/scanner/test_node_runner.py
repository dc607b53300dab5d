"""The suite's JavaScript tests: Node's own test runner (``node --test``, Node 20) on each
``tests/**/*.test.mjs``, e.g. scanner_page/vmap.js against the shared map vectors. Skipped without node.

``tests/scanner/js/`` is not run here: its tests read verdict cases that ``test_node_verifier.py`` writes
from a live demo database and hands them through the environment, so that module runs them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OWN_RUNNER = ROOT / "tests" / "scanner" / "js"  # run by tests/scanner/test_node_verifier.py
NODE_TESTS = sorted(p for p in (ROOT / "tests").rglob("*.test.mjs") if OWN_RUNNER not in p.parents)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
@pytest.mark.parametrize("path", NODE_TESTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_node_test_file(path: Path) -> None:
    done = subprocess.run(
        ["node", "--test", str(path)], cwd=ROOT, capture_output=True, text=True, timeout=240, check=False
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "# fail 0" in done.stdout


def test_there_are_node_tests() -> None:
    assert any(path.name == "vmap.test.mjs" for path in NODE_TESTS)

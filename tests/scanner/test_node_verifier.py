"""scanner_page/verify.js under Node's test runner (``node --test``), with WebCrypto's Ed25519 and with it
hidden (the vendored @noble/ed25519 fallback), against the same cases as the Chromium agreement test: the
demo's bundles, every tampering, synthetic logs. Python's verdict is written beside each case; the JavaScript
must give the same one in both modes (``tests/scanner/js/``)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import require
from tests.scanner.agreement import TODAY, agreement_cases, check_outcomes, python_result

JS = Path(__file__).resolve().parent / "js"


def _write_cases(path: Path, demo_app, demo, bundle_of) -> dict[str, str]:  # type: ignore[no-untyped-def]
    cases = []
    outcomes = {}
    for name, bundle, key in agreement_cases(demo_app, demo, bundle_of):
        expected = python_result(bundle, key, TODAY)
        outcomes[name] = expected.get("status") or expected["code"]
        cases.append({"name": name, "bundle": bundle, "key": key, "expected": expected})
    path.write_text(json.dumps({"today": TODAY.isoformat(), "cases": cases}), encoding="utf-8")
    return outcomes


@pytest.mark.parametrize("mode", ["webcrypto", "fallback"])
def test_verify_js_in_node_agrees_with_python(demo_app, demo, bundle_of, tmp_path, mode):
    node = shutil.which("node")
    require(node is not None, "node is not installed")
    assert node is not None
    cases = tmp_path / "cases.json"
    check_outcomes(_write_cases(cases, demo_app, demo, bundle_of))
    result = subprocess.run(
        [node, "--test", "--test-reporter=spec", str(JS / f"verify_{mode}.test.mjs")],
        env={"OCOP_VERDICT_CASES": str(cases), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    report = result.stdout + result.stderr
    assert result.returncode == 0, report[-6000:]
    assert "# fail 0" in report or "ℹ fail 0" in report, report[-3000:]
    expected_backend = "noble" if mode == "fallback" else "webcrypto"
    assert f"every signature was checked by {expected_backend}" in report
    assert report.count("✔") >= len(json.loads(cases.read_text())["cases"]) + 1

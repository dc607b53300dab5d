"""``python -m tracer audit URL --key VKEY`` against a real gunicorn over HTTP: the whole log verified into a
local mirror, then only what is new; a wrong key or a wrong address is one line and exit 1."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.scanner import synthetic
from tests.support.live import LiveServer

ROOT = Path(__file__).resolve().parents[2]


def _audit(server: LiveServer, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**server.env, "TRACER_INSTANCE_PATH": str(tmp_path / "auditor")}  # the auditor's own machine
    return subprocess.run(
        [sys.executable, "-m", "tracer", "audit", server.url, *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def _key(server: LiveServer) -> str:
    import json
    import urllib.request

    with urllib.request.urlopen(server.url + "/api/v1/ledger/keys", timeout=10) as response:  # noqa: S310
        return str(json.load(response)["verifier_key"])


def test_audit_a_running_service(demo_live_server: LiveServer, tmp_path: Path) -> None:
    key, mirror = _key(demo_live_server), tmp_path / "mirror"
    first = _audit(demo_live_server, tmp_path, "--key", key, "--dir", str(mirror))
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("ok: ") and "entries verified" in first.stdout
    assert "map root recomputed" in first.stdout
    assert (mirror / "checkpoint").exists() and (mirror / "entries.b64").exists()
    again = _audit(demo_live_server, tmp_path, "--key", key, "--dir", str(mirror))
    assert again.returncode == 0 and "(0 new)" in again.stdout
    _, other = synthetic.build()
    wrong = _audit(demo_live_server, tmp_path, "--key", other, "--dir", str(tmp_path / "other"))
    assert wrong.returncode == 1 and len(wrong.stderr.strip().splitlines()) == 1
    assert "Traceback" not in wrong.stderr

"""``python -m tracer witness init|serve`` as an operator runs them: a process of its own, with none of the
service's settings or database, answering over HTTP."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.support.live import ROOT, free_port
from tests.witness.conftest import WITNESS_NAME, MemoryLog


def test_a_witness_process_needs_only_its_own_file(tmp_path: Path, honest: MemoryLog) -> None:
    config = tmp_path / "witness.toml"
    config.write_text(f'name = "{WITNESS_NAME}"\nlogs = ["{honest.vkey}"]\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACER_")}
    env["TRACER_INSTANCE_PATH"] = str(tmp_path / "no-service-here")
    init = [sys.executable, "-m", "tracer", "witness", "init", "--config", str(config)]
    made = subprocess.run(init, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False)  # noqa: S603
    assert made.returncode == 0, made.stderr
    vkey = made.stdout.strip().rpartition("verifier key: ")[2]
    assert vkey.startswith(WITNESS_NAME + "+")
    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "tracer", "witness", "serve", "--config", str(config), "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline, about = time.monotonic() + 30, ""
        while time.monotonic() < deadline and not about:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:  # noqa: S310
                    about = response.read().decode()
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        assert about.splitlines() == [f"witness {vkey}", f"log {honest.vkey}"]
        request = urllib.request.Request(  # noqa: S310
            f"http://127.0.0.1:{port}/add-checkpoint",
            data=b"old 0\n\n" + honest.note().encode(),
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            assert response.status == 200 and response.read().startswith("\u2014 ".encode())
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
    assert not (tmp_path / "no-service-here").exists()  # nothing of the service was made


def test_the_witness_under_gunicorn_never_cosigns_two_views(tmp_path: Path, honest: MemoryLog) -> None:
    """Two gunicorn workers, one SQLite file: concurrent requests from size 0 get one cosignature."""
    from concurrent.futures import ThreadPoolExecutor

    from tests.support.live import start_gunicorn
    from tests.witness.conftest import write_config

    config = write_config(tmp_path / "w", [honest.vkey])
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACER_")}
    env["TRACER_WITNESS_CONFIG"] = str(config)
    log = tmp_path / "gunicorn.log"
    server = start_gunicorn(env, free_port(), log, workers=2, app="tracer.witness.wsgi:app", ready="/")
    try:
        split = MemoryLog(honest.key, honest.entries[:2])
        split.add("package 24 (another history)")
        bodies = [b"old 0\n\n" + (honest if n % 2 else split).note().encode() for n in range(16)]

        def post(data: bytes) -> int:
            request = urllib.request.Request(server.url + "/add-checkpoint", data=data, method="POST")  # noqa: S310
            try:
                with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                    return int(response.status)
            except urllib.error.HTTPError as error:
                return int(error.code)

        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(post, bodies))
    finally:
        server.stop()
    assert statuses.count(200) == 1 and statuses.count(409) == 15  # one view of size 3, never both

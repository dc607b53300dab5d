"""kill -9 of gunicorn workers and of the master while clients post events with idempotency keys and retry:
after a restart every acknowledged event is in the ledger exactly once, and the ledger verifies.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import LOG_ORIGIN, MASTER_KEY
from tests.support.accounts import GAC_PRODUCER, api_token
from tests.support.live import ROOT, free_port, server_env, start_gunicorn
from tracer.models.events import EventRecord
from tracer.platform.db import make_engine
from tracer.platform.services import services

pytestmark = pytest.mark.slow

CLIENTS = 6
EVENTS_PER_CLIENT = 15


def _post(url: str, token: str, key: str, body: dict) -> int:
    request = urllib.request.Request(  # noqa: S310
        url + "/api/v1/events",
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "Authorization": f"Bearer {token}",
            "Idempotency-Key": key,
            "Content-Type": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def _children(pid: int) -> list[int]:
    result = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False)  # noqa: S603, S607
    return [int(p) for p in result.stdout.split()]


def _running(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie that nobody has reaped yet holds no socket: it does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state != "Z"


def _wait_gone(pids: list[int], seconds: float) -> None:
    """Wait until none of ``pids`` runs any more (an orphaned worker exits once it sees its master gone)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        alive = [pid for pid in pids if _running(pid)]
        if not alive:
            return
        time.sleep(0.1)
    raise AssertionError(f"orphaned workers {alive} did not exit within {seconds} s")


def test_kill_9_loses_and_duplicates_nothing(demo_app, demo_database_url, tmp_path: Path):
    token = api_token(demo_app, GAC_PRODUCER)
    zones = demo_app.test_client().get("/api/v1/zones", headers={"Authorization": f"Bearer {token}"})
    zone_id = zones.get_json()["items"][0]["id"]
    services(demo_app).engine.dispose()

    port = free_port()
    env = server_env(
        demo_database_url, tmp_path / "instance", f"http://127.0.0.1:{port}", MASTER_KEY, LOG_ORIGIN
    )
    log = tmp_path / "gunicorn.log"
    server = start_gunicorn(env, port, log)
    state = {"server": server}
    acknowledged: dict[str, int] = {}
    refusals: list[int] = []
    lock = threading.Lock()
    today = date.today().isoformat()

    def client(number: int) -> None:
        for i in range(EVENTS_PER_CLIENT):
            key = f"crash-{number}-{i}-{uuid.uuid4().hex[:6]}"
            body = {
                "type": "harvest",
                "zone_id": zone_id,
                "name": f"Quả gấc {key}",
                "quantity": "1",
                "unit": "kg",
                "harvested_on": today,
            }
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:  # retry the same key and body until acknowledged
                try:
                    status = _post(state["server"].url, token, key, body)
                except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                    time.sleep(0.2)
                    continue
                if status in (200, 201):
                    with lock:
                        acknowledged[key] = status
                    break
                with lock:
                    refusals.append(status)
                assert status in (502, 503), f"unexpected status {status}"
                time.sleep(0.2)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()

    time.sleep(1.0)
    for worker in _children(server.process.pid):  # kill -9 the workers mid-request
        os.kill(worker, signal.SIGKILL)
    time.sleep(1.5)
    orphans = _children(server.process.pid)  # the workers the master has booted again since
    os.kill(server.process.pid, signal.SIGKILL)  # then the master (its workers notice and exit)
    server.process.wait()
    _wait_gone(orphans, seconds=60)  # they hold the listening socket until they notice (slower under load)
    state["server"] = start_gunicorn(env, port, log)

    for thread in threads:
        thread.join(timeout=120)
    state["server"].stop()

    killed = log.read_text(errors="replace")
    assert "Booting worker" in killed
    assert len(acknowledged) == CLIENTS * EVENTS_PER_CLIENT, (refusals[-5:], killed[-3000:])
    engine = make_engine(demo_database_url)
    with engine.connect() as conn:
        rows = conn.execute(select(EventRecord.body).where(EventRecord.type == "harvest")).scalars().all()
    names = [json.loads(body)["lot"]["name"] for body in rows]
    for key in acknowledged:
        assert names.count(f"Quả gấc {key}") == 1, key
    engine.dispose()

    audit = subprocess.run(
        [sys.executable, "-m", "tracer", "ledger", "verify"],
        cwd=ROOT,
        env=env,  # noqa: S603
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert audit.returncode == 0, audit.stderr
    assert audit.stdout.startswith("ok: ")
    with make_engine(demo_database_url).connect() as conn:
        count = conn.execute(select(func.count()).select_from(EventRecord)).scalar_one()
    assert count >= CLIENTS * EVENTS_PER_CLIENT

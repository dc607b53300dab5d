"""PostgreSQL restarted under load: the service answers 503 while it is down and recovers by itself."""

from __future__ import annotations

import json
import subprocess
import threading
import time
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import LOG_ORIGIN, MASTER_KEY
from tests.support.accounts import GAC_PRODUCER, api_token
from tests.support.live import free_port, server_env, start_gunicorn
from tracer.platform.services import services

# It restarts the machine's PostgreSQL: run alone (``make test`` runs the exclusive tests after the others),
# or a test on another worker would lose its database connection.
pytestmark = [pytest.mark.slow, pytest.mark.exclusive]


def _cluster(action: str) -> None:
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action],  # noqa: S603, S607
        check=True,
        capture_output=True,
        timeout=60,
    )


def _get(url: str, token: str | None = None) -> tuple[int, dict]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return int(response.status), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return int(error.code), json.loads(error.read() or b"{}")


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_postgresql_restart_gives_503_then_recovers(demo_app, demo_database_url, tmp_path: Path):
    token = api_token(demo_app, GAC_PRODUCER)
    zone_id = (
        demo_app.test_client()
        .get("/api/v1/zones", headers={"Authorization": f"Bearer {token}"})
        .get_json()["items"][0]["id"]
    )
    services(demo_app).engine.dispose()
    port = free_port()
    env = server_env(
        demo_database_url, tmp_path / "instance", f"http://127.0.0.1:{port}", MASTER_KEY, LOG_ORIGIN
    )
    server = start_gunicorn(env, port, tmp_path / "gunicorn.log")
    statuses: list[int] = []
    stop = threading.Event()

    def load() -> None:  # readers keep coming while the database goes away and back
        while not stop.is_set():
            try:
                statuses.append(_get(server.url + "/api/v1/lots", token)[0])
            except (urllib.error.URLError, OSError):
                statuses.append(0)
            time.sleep(0.05)

    loader = threading.Thread(target=load)
    loader.start()
    try:
        time.sleep(0.5)
        _cluster("stop")
        try:
            time.sleep(1.0)
            status, body = _get(server.url + "/healthz")
            assert status == 503
            assert body["status"] == "unavailable"
            status, problem = _get(server.url + "/api/v1/lots", token)
            assert status == 503
            assert problem["status"] == 503
            assert "database" in problem["detail"]
        finally:
            _cluster("start")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and _get(server.url + "/healthz")[0] != 200:
            time.sleep(0.5)
        assert _get(server.url + "/healthz")[0] == 200
        body = {
            "type": "harvest",
            "zone_id": zone_id,
            "name": "Quả gấc sau khi khởi động lại",
            "quantity": "5",
            "unit": "kg",
            "harvested_on": date.today().isoformat(),
        }
        request = urllib.request.Request(  # noqa: S310
            server.url + "/api/v1/events",
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            assert response.status == 201
    finally:
        stop.set()
        loader.join()
        server.stop()
    assert 503 in statuses  # clients saw the outage as 503, not as errors of ours
    assert not [s for s in statuses if s >= 500 and s != 503]
    assert statuses[-1] == 200

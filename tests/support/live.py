"""A real gunicorn serving the app on a free port, for browser and load tests."""

from __future__ import annotations

import base64
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(
    database_url: str, instance: Path, public_url: str, master_key: bytes, log_origin: str
) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        TRACER_DATABASE_URL=database_url,
        TRACER_INSTANCE_PATH=str(instance),
        TRACER_MASTER_KEY=base64.urlsafe_b64encode(master_key).decode(),
        TRACER_SECRET_KEY="live-test-secret",
        TRACER_PUBLIC_URL=public_url,
        TRACER_LOG_ORIGIN=log_origin,
    )
    return env


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen[bytes]
    env: dict[str, str]
    log: Path
    extra: dict[str, str] = field(default_factory=dict)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_gunicorn(
    env: dict[str, str],
    port: int,
    log: Path,
    workers: int = 2,
    timeout: float = 30,
    *,
    app: str = "wsgi:app",
    ready: str = "/healthz",
) -> LiveServer:
    """gunicorn (config/gunicorn.conf.py) serving ``app`` on ``port``, once ``ready`` answers 200 (the tests'
    live servers and the benchmarks' both start here)."""
    args = [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py"]
    args += ["-b", f"127.0.0.1:{port}", "-w", str(workers), app]
    with log.open("ab") as handle:
        process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)  # noqa: S603
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url + ready, timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return LiveServer(url, process, env, log)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    process.kill()
    process.wait()
    raise RuntimeError(f"gunicorn did not answer within {timeout}s: {log.read_text()[-2000:]}")

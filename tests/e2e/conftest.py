"""Browser fixtures: Debian's Chromium driven by Playwright (never a downloaded browser), a live gunicorn."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import LOG_ORIGIN, MASTER_KEY, require
from tests.support.live import LiveServer, free_port, server_env, start_gunicorn

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Any]:
    require(Path(CHROMIUM).exists() or bool(shutil.which("chromium")), "Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_instance: Any) -> Iterator[Any]:
    instance = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
    yield instance
    instance.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="vi-VN")
    tab = context.new_page()
    yield tab
    context.close()


def _serve(database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    port = free_port()
    env = server_env(
        database_url, tmp_path / "live-instance", f"http://127.0.0.1:{port}", MASTER_KEY, LOG_ORIGIN
    )
    server = start_gunicorn(env, port, tmp_path / "gunicorn.log")
    yield server
    server.stop()


@pytest.fixture
def live_server(database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """gunicorn serving a migrated database with no producers yet."""
    yield from _serve(database_url, tmp_path)


def screenshot(page: Any, name: str) -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def demo_live_server(demo_database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """gunicorn serving a copy of the demo database (see the ``demo`` fixture for accounts and lots)."""
    yield from _serve(demo_database_url, tmp_path)

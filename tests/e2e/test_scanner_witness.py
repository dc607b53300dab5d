"""The scanner's witness policy in Chromium (issue #17 item 3): installed from the programme office's link,
never replaced by another link; a genuine package is amber ("not confirmed by witnesses") when the checkpoint
lacks k fresh cosignatures, and green with "confirmed ... as of" (Vietnam time) when a real witness, running
beside a real gunicorn, has cosigned it."""

from __future__ import annotations

import base64
import time
import urllib.request
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.conftest import LOG_ORIGIN, MASTER_KEY
from tests.e2e.test_scanner import package_uri, wait_verdict
from tests.support.live import free_port, server_env, start_gunicorn
from tests.witness.conftest import write_config
from tests.witness.test_cosigning import log_vkey, serving
from tracer.ledger.cosignature import format_cosigner_key
from tracer.witness.app import create_witness_app, make_witness
from tracer.witness.config import WitnessConfig


def link(policy: str) -> str:
    return "#witnesses=" + base64.urlsafe_b64encode(policy.encode()).decode()


def held_policy(page: Any) -> str | None:
    value: str | None = page.evaluate("() => localStorage.getItem('ocop.witnessPolicy')")
    return value


def install(page: Any, url: str, policy: str) -> None:
    """Open the link as a new page load (a new query string: a hash change alone does not reload)."""
    page.goto(f"{url}/scan?opened={time.monotonic_ns()}" + link(policy))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and held_policy(page) is None:
        time.sleep(0.1)


def scan_typed(page: Any, serial: str) -> tuple[str, str]:
    page.fill("#code", serial)
    page.click("#manual button[type=submit]")
    verdict, _ = wait_verdict(page)
    return verdict, page.inner_text("#reasons")


def stranger() -> str:
    return format_cosigner_key(
        "witness.example.vn/x", Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    )


def test_without_cosignatures_a_genuine_package_is_amber(
    browser: Any, demo_live_server: Any, demo: Any
) -> None:
    server = demo_live_server
    serial, _ = package_uri(server, demo.lots["turmeric"])
    page = browser.new_context(locale="vi-VN").new_page()
    policy = f"witness {stranger()}\nquorum 1\n"
    install(page, server.url, policy)
    assert held_policy(page) == policy
    verdict, reasons = scan_typed(page, serial)
    assert verdict == "unwitnessed"
    assert page.inner_text("#verdict-title") == "CHƯA ĐƯỢC NHÂN CHỨNG XÁC NHẬN"
    assert "Chỉ có 0 trên 1 chữ ký nhân chứng" in reasons
    # another link never replaces the policy held; a malformed one installs nothing
    install(page, server.url, f"witness {stranger()}\nquorum 1\n")
    page.wait_for_selector("#input-error:has-text('đã có một chính sách nhân chứng khác')", timeout=10_000)
    assert held_policy(page) == policy
    page.evaluate("() => localStorage.removeItem('ocop.witnessPolicy')")
    page.goto(server.url + "/scan?bad=1#witnesses=bm90IGEgcG9saWN5")  # "not a policy"
    page.wait_for_selector("#input-error:has-text('không hợp lệ')", timeout=10_000)
    assert held_policy(page) is None
    assert scan_typed(page, serial)[0] == "genuine"  # no policy: as before


def test_with_a_fresh_cosignature_it_is_green(browser: Any, demo_database_url: str, demo: Any,
                                              tmp_path: Path) -> None:  # fmt: skip
    vkey = log_vkey(demo_database_url, tmp_path / "probe")
    config = WitnessConfig.load(write_config(tmp_path / "witness", [vkey]))
    witness_key = make_witness(config).verifier_key
    witness_port, port = free_port(), free_port()
    env = server_env(demo_database_url, tmp_path / "live", f"http://127.0.0.1:{port}", MASTER_KEY, LOG_ORIGIN)
    env.update(TRACER_WITNESSES=f"{witness_key} http://127.0.0.1:{witness_port}", TRACER_WITNESS_INTERVAL="1")
    with serving(create_witness_app(config), witness_port):
        server = start_gunicorn(env, port, tmp_path / "gunicorn.log", workers=1)
        try:
            deadline, note = time.monotonic() + 30, ""
            while time.monotonic() < deadline and witness_key.split("+")[0] not in note:
                time.sleep(0.3)
                with urllib.request.urlopen(server.url + "/log/checkpoint", timeout=5) as response:  # noqa: S310
                    note = response.read().decode()
            assert config.name in note, note
            serial, _ = package_uri(server, demo.lots["turmeric"])
            page = browser.new_context(locale="vi-VN").new_page()
            install(page, server.url, f"witness {witness_key}\nwitness {stranger()}\nquorum 1\n")
            verdict, reasons = scan_typed(page, serial)
            assert verdict == "genuine", reasons
            assert "Được 1 nhân chứng độc lập xác nhận lúc" in reasons and "(giờ Việt Nam)" in reasons
        finally:
            server.stop()

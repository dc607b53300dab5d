"""Completeness on the service (issue #16, items 2 and 3): the demo's bundles prove every subject's entries
against the map the checkpoint commits to; ``ledger verify`` and the auditor's mirror recompute the map; an
attacker who edits the map's tables gets a failed verification named for what is missing, never GENUINE,
and bundles read while appends move the map on still verify."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.scanner.conftest import log_key, serials_of
from tests.support import attacks
from tracer.events.subjects import subjects_of
from tracer.ledger.mirror import Mirror
from tracer.platform import db, journal
from tracer.platform.services import services
from tracer.proofs.verdict import PackageProofError, verify_package_bundle


def _execute(app: Flask, *statements: str) -> None:
    attacks.execute(services(app).settings.database_url, statements)


def _ledger_verify(app: Flask) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["tracer", "ledger", "verify", "--no-projections"])
    return result.exit_code, result.output


def test_every_subject_of_a_verdict_is_proved(demo_app: Flask, demo: Any, bundle_of: Any) -> None:
    bundle = bundle_of(serials_of(demo_app, demo.lots["cacao_powder"])[0])
    keys = {item["key"] for item in bundle["map"]}
    verdict = verify_package_bundle(bundle, log_key(demo_app))
    assert {f"lot:{lot}" for lot in verdict.facts["lots"]} <= keys
    assert {f"product:{verdict.product_id}", f"org:{verdict.facts['producer']['id']}"} <= keys
    assert any(k.startswith("zone:") for k in keys) and any(k.startswith("key:") for k in keys)
    listed = {i for item in bundle["map"] for i in item["indexes"]}
    assert listed <= {e["index"] for e in bundle["entries"]}


def test_ledger_verify_recomputes_the_map_and_names_an_edited_list(demo_app: Flask) -> None:
    code, output = _ledger_verify(demo_app)
    assert code == 0, output
    assert "commit to the verifiable map, recomputed from the entries" in output
    _execute(demo_app, *attacks.HIDE_RECALL_IN_MAP)
    code, output = _ledger_verify(demo_app)
    assert code == 1
    assert "ledger_map_entries: the list of 'lot:" in output and "Traceback" not in output


def test_the_cli_never_says_genuine_for_a_recall_hidden_in_the_database(
    demo_app: Flask, demo: Any, bundle_of: Any, tmp_path: Path
) -> None:
    serial = serials_of(demo_app, demo.lots["sausage_recalled"])[0]
    key = log_key(demo_app)
    runner = demo_app.test_cli_runner()
    path = tmp_path / "bundle.json"

    def verify_package() -> Any:
        path.write_text(json.dumps(bundle_of(serial), ensure_ascii=False), encoding="utf-8")
        return runner.invoke(args=["tracer", "ledger", "verify-package", str(path), "--key", key])

    _execute(demo_app, *attacks.HIDE_RECALL_IN_TABLES)
    result = verify_package()
    assert result.exit_code == 0 and "RECALLED" in result.output, result.output
    _execute(demo_app, *attacks.HIDE_RECALL_IN_MAP)
    result = verify_package()
    assert result.exit_code == 1 and "GENUINE" not in result.output
    assert "error: completeness: lot:" in result.output


@pytest.mark.parametrize(
    "edit",
    [
        "UPDATE ledger_map_nodes SET left_hash = right_hash WHERE depth = 0",
        "UPDATE ledger_map_nodes SET left_hash = right_hash WHERE depth = 1",
        "DELETE FROM ledger_map_nodes WHERE depth > 0",
    ],
)
def test_an_edited_tree_fails_completeness(demo_app: Flask, demo: Any, bundle_of: Any, edit: str) -> None:
    serial = serials_of(demo_app, demo.lots["gac_oil"])[0]
    _execute(demo_app, edit)
    with pytest.raises(PackageProofError) as caught:
        verify_package_bundle(bundle_of(serial), log_key(demo_app))
    assert caught.value.code == "completeness"
    code, output = _ledger_verify(demo_app)
    assert code == 1
    assert "ledger_map_nodes" in output or "verifiable map's root" in output


def test_a_stored_value_edit_changes_no_verdict_and_is_named(
    demo_app: Flask, demo: Any, bundle_of: Any
) -> None:
    """A leaf's stored value is never what a verifier checks (it recomputes the value from the entries it
    is given, and a parent keeps its children's hashes), so the honest verdict stands; the audit names it."""
    serial = serials_of(demo_app, demo.lots["gac_oil"])[0]
    _execute(demo_app, "UPDATE ledger_map_nodes SET value = key_hash WHERE key_hash IS NOT NULL")
    assert verify_package_bundle(bundle_of(serial), log_key(demo_app)).status == "genuine"
    code, output = _ledger_verify(demo_app)
    assert code == 1 and "ledger_map_nodes: the node at depth" in output


def test_the_auditors_mirror_recomputes_the_map(demo_app: Flask, demo_client: Any, tmp_path: Path) -> None:
    def fetch(path: str) -> bytes:
        response = demo_client.get(f"/api/v1/ledger/{path}")
        assert response.status_code == 200, path
        return response.get_data()  # type: ignore[no-any-return]

    report = Mirror(tmp_path / "mirror", log_key(demo_app), subjects_of).update(fetch)
    assert report.map_checked and report.new_entries == report.size
    no_rule = Mirror(tmp_path / "plain", log_key(demo_app)).update(fetch)
    assert not no_rule.map_checked


def test_bundles_read_while_appends_move_the_map_still_verify(
    demo_app: Flask, demo: Any, bundle_of: Any
) -> None:
    """Every append changes the map root (a key registration feeds ``key:``); a bundle's proofs and its
    checkpoint must still come from one state of the map, on PostgreSQL too (read committed)."""
    serial = serials_of(demo_app, demo.lots["gac_oil"])[0]
    key = log_key(demo_app)
    stop = threading.Event()
    appended: list[int] = []

    def appender() -> None:
        with demo_app.app_context():
            while not stop.is_set() and len(appended) < 40:
                with db.writer() as session:
                    conn = session.connection()
                    store = journal.store()
                    keyid = store.create_key(conn, "org:1")
                    appended.extend(
                        r.index for r in store.append(conn, [store.key_register_envelope(conn, keyid)])
                    )

    thread = threading.Thread(target=appender)
    thread.start()
    try:
        sizes = set()
        for _ in range(15):
            verdict = verify_package_bundle(bundle_of(serial), key)
            assert verdict.status == "genuine"
            sizes.add(verdict.checkpoint.size)
    finally:
        stop.set()
        thread.join(timeout=60)
    assert appended and len(sizes) > 1

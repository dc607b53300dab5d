"""The ledger over HTTP (public): checkpoints, entries, RFC 9162 proofs checked with our verifier, tlog-proof
bundles, keys; bad parameters 400 and out-of-range 404 as problem+json; and the start-up head check."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from sqlalchemy import update

from tests.api.helpers import Api
from tests.conftest import LOG_ORIGIN, make_settings
from tracer import create_app
from tracer.ledger.bundle import verify_bundle
from tracer.ledger.checkpoint import verify_checkpoint
from tracer.ledger.errors import VerificationError
from tracer.ledger.merkle import leaf_hash, verify_consistency, verify_inclusion
from tracer.ledger.schema import ledger_state
from tracer.platform.services import services


def _verifier(api: Api) -> str:
    keys = api.get(None, "/ledger/keys").get_json()
    assert keys["verifier_key"].startswith(LOG_ORIGIN + "+")
    return str(keys["verifier_key"])


def test_checkpoint_is_a_signed_note(api: Api) -> None:
    response = api.get(None, "/ledger/checkpoint")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    checkpoint = verify_checkpoint(response.get_data(as_text=True), _verifier(api))
    assert checkpoint.origin == LOG_ORIGIN and checkpoint.size == api.size()
    older = api.get(None, "/ledger/checkpoint?size=1")
    assert older.status_code == 200
    assert verify_checkpoint(older.get_data(as_text=True), _verifier(api)).size == 1


def test_inclusion_proof_and_bundle_verify(api: Api) -> None:
    verifier = _verifier(api)
    checkpoint = verify_checkpoint(api.get(None, "/ledger/checkpoint").get_data(as_text=True), verifier)
    for index in (0, 3, checkpoint.size - 1):
        entry = api.get(None, f"/ledger/entries/{index}")
        assert entry.status_code == 200 and entry.mimetype == "application/json"
        proof = api.get(None, f"/ledger/proof/inclusion?index={index}&size={checkpoint.size}").get_json()
        hashes = [base64.b64decode(h) for h in proof["hashes"]]
        verify_inclusion(index, checkpoint.size, leaf_hash(entry.data), hashes, checkpoint.root_hash)
        bundle = api.get(None, f"/ledger/bundle/{index}")
        assert bundle.status_code == 200 and bundle.mimetype == "text/plain"
        assert bundle.get_data(as_text=True).startswith("c2sp.org/tlog-proof@v1\n")
        assert verify_bundle(bundle.get_data(as_text=True), entry.data, verifier).size == checkpoint.size


def test_consistency_proof_verifies(api: Api) -> None:
    verifier = _verifier(api)
    new = verify_checkpoint(api.get(None, "/ledger/checkpoint").get_data(as_text=True), verifier)
    old = verify_checkpoint(api.get(None, "/ledger/checkpoint?size=1").get_data(as_text=True), verifier)
    proof = api.get(None, f"/ledger/proof/consistency?from=1&to={new.size}").get_json()
    hashes = [base64.b64decode(h) for h in proof["hashes"]]
    verify_consistency(1, new.size, old.root_hash, new.root_hash, hashes)


def test_keys_name_every_owner_and_registration(api: Api) -> None:
    keys = api.get(None, "/ledger/keys").get_json()["keys"]
    owners = {k["owner"] for k in keys}
    assert "authority" in owners and any(o.startswith("org:") for o in owners)
    assert any(o.startswith("user:") for o in owners)  # the inspector signs with a key of their own
    for key in keys:
        assert len(base64.b64decode(key["public_key"])) == 32
        assert "@" not in key["owner"]
    assert all(k["registered_index"] is not None for k in keys if k["role"] != "log")


@pytest.mark.parametrize(
    ("path", "status", "field"),
    [
        ("/ledger/entries/abc", 400, "index"),
        ("/ledger/entries/99999", 404, None),
        ("/ledger/proof/inclusion?index=5", 400, "size"),
        ("/ledger/proof/inclusion?index=x&size=3", 400, "index"),
        ("/ledger/proof/inclusion?index=5&size=3", 400, None),
        ("/ledger/proof/inclusion?index=1&size=999999", 404, None),
        ("/ledger/proof/consistency?from=5&to=3", 400, None),
        ("/ledger/proof/consistency?from=1&to=999999", 404, None),
        ("/ledger/checkpoint?size=0", 400, "size"),
        ("/ledger/checkpoint?size=999999", 404, None),
        ("/ledger/bundle/99999", 404, None),
        ("/ledger/bundle/-1", 400, "index"),
    ],
)
def test_bad_and_out_of_range_parameters(api: Api, path: str, status: int, field: str | None) -> None:
    response = api.get(None, path)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert response.get_json().get("field") == field


def test_start_up_refuses_a_tampered_head(demo_app, demo_database_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    engine = services(demo_app).engine
    with engine.begin() as conn:
        conn.execute(update(ledger_state).values(root_hash=b"\x00" * 32))
    with pytest.raises(VerificationError, match="refusing to start: .*does not match the latest checkpoint"):
        create_app(make_settings(demo_database_url, tmp_path / "again"))


def test_start_up_with_unreachable_database_serves_503(tmp_path: Path) -> None:
    url = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere?connect_timeout=1"
    app = create_app(make_settings(url, tmp_path / "instance"))
    assert app.test_client().get("/healthz").status_code == 503
    assert app.test_client().get("/api/v1/ledger/checkpoint").status_code == 503


def test_start_up_with_unmigrated_database(empty_database_url: str, tmp_path: Path) -> None:
    """Starts (so that `tracer init` can run); the API answers problem+json, never a stack trace."""
    app = create_app(make_settings(empty_database_url, tmp_path / "instance"))
    assert app.test_client().get("/healthz").status_code in (200, 503)
    response = app.test_client().get("/api/v1/ledger/checkpoint")
    assert response.status_code >= 500 and response.mimetype == "application/problem+json"
    assert "Traceback" not in response.get_data(as_text=True)
    services(app).engine.dispose()

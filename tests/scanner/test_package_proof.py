"""The package proof bundle: built from the demo ledger through the API, verified offline in Python, and
refused, at the right step, for every way it can be broken."""

from __future__ import annotations

import json
from datetime import date

import pytest

from tests.scanner import synthetic
from tests.scanner.conftest import log_key, serials_of
from tests.scanner.tampering import TAMPERING, tampered
from tracer.proofs.verdict import PackageProofError, verify_package_bundle


def test_genuine_gac_oil_with_its_whole_journey(demo_app, demo, bundle_of):
    serial = serials_of(demo_app, demo.lots["gac_oil"])[3]
    bundle = bundle_of(serial)
    assert bundle["version"] == 2
    assert bundle["serial"] == serial
    assert (
        bundle["uri"] == f"https://trace.example.vn/01/08935049500018/10/{demo.lots['gac_oil']}/21/{serial}"
    )
    verdict = verify_package_bundle(bundle, log_key(demo_app))
    assert verdict.status == "genuine"
    assert verdict.lot_id == demo.lots["gac_oil"]
    facts = verdict.facts
    assert facts["zones"][0]["name"] == "Vườn gấc ấp số 2"
    assert facts["zones"][0]["commune"] == "Xã Mỹ Cẩm"
    assert facts["zones"][0]["province"] == "Trà Vinh"
    assert [h["name"] for h in facts["harvests"]] == ["Quả gấc chín"]
    assert [s["step"] for s in facts["steps"]] == ["Ép dầu gấc"]
    assert facts["certificate"]["stars"] == 4
    assert facts["shipments"][0]["sale_point"]["name"] == "Cửa hàng OCOP Trà Vinh"
    assert bundle["package"]["product"]["name"] == "Dầu gấc Mỹ Cẩm"
    # every signing key's registration is in the bundle, down to the authority's self-signed entry 0
    assert 0 in {e["index"] for e in bundle["entries"]}
    assert {k["registered_index"] for k in bundle["keys"]} <= {e["index"] for e in bundle["entries"]}


def test_cacao_lineage_crosses_two_organisations(demo_app, demo, bundle_of):
    bundle = bundle_of(serials_of(demo_app, demo.lots["cacao_powder"])[0])
    verdict = verify_package_bundle(bundle, log_key(demo_app))
    assert verdict.status == "genuine"
    assert (
        len(verdict.facts["lots"]) == 3
    )  # powder <- fermented beans <- fresh beans (harvested by a household)
    assert verdict.facts["zones"][0]["province"] == "Đắk Lắk"
    owners = {k["owner"] for k in bundle["keys"]}
    assert len({o for o in owners if o.startswith("org:")}) == 2


@pytest.mark.parametrize(("case", "status", "reason"), [
    ("sausage_recalled", "recalled", "recalled: Kiểm nghiệm phát hiện vượt ngưỡng nitrit cho phép"),
    ("lychee", "expired", "the OCOP certificate 321/QĐ-UBND expired on"),
    ("turmeric", "genuine", None),
])  # fmt: skip
def test_verdicts_of_the_demo_cases(demo_app, demo, bundle_of, case, status, reason):
    verdict = verify_package_bundle(bundle_of(serials_of(demo_app, demo.lots[case])[0]), log_key(demo_app))
    assert verdict.status == status
    if reason:
        assert verdict.reasons[0].startswith(reason)


def test_unknown_and_malformed_codes(demo_client):
    response = demo_client.get("/api/v1/packages/0000000000AB/proof")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    response = demo_client.get("/api/v1/packages/not-a-serial!/proof")
    assert response.status_code == 422
    assert response.get_json()["field"] == "serial"


def test_typed_serials_are_normalised_and_cors_is_on(demo_app, demo, demo_client):
    serial = serials_of(demo_app, demo.lots["turmeric"])[1]
    typed = "-".join(serial[i : i + 4] for i in (0, 4, 8)).lower().replace("0", "o")
    response = demo_client.get(f"/api/v1/packages/{typed}/proof")
    assert response.status_code == 200
    assert response.get_json()["serial"] == serial
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Dầu" not in response.get_data(as_text=True)  # the tinh bột nghệ, in raw UTF-8
    assert "Tinh bột nghệ Cầu Kè" in response.get_data(as_text=True)


@pytest.mark.parametrize("name", sorted(TAMPERING))
def test_every_tampering_is_caught_at_its_step(demo_app, demo, bundle_of, name):
    bundle = bundle_of(serials_of(demo_app, demo.lots["gac_oil"])[1])
    with pytest.raises(PackageProofError) as caught:
        verify_package_bundle(tampered(bundle, name), log_key(demo_app))
    assert caught.value.code == TAMPERING[name][1]


def test_a_different_pinned_key_is_refused(demo_app, demo, bundle_of):
    bundle = bundle_of(serials_of(demo_app, demo.lots["gac_oil"])[0])
    _, other_key = synthetic.build()
    with pytest.raises(PackageProofError, match="log-key: the bundle names a different log key"):
        verify_package_bundle(bundle, other_key)


@pytest.mark.parametrize(("options", "code", "message"), [
    ({"revoke_before_packaging": True}, "key-revoked", r"entry 9: key [0-9a-f]{16} was revoked at index 8"),
    ({"bad_signature_on": "harvest"}, "signature", r"entry 5: the signature by key \w+ does not verify"),
    ({"org_owner": "org:2"}, "signer", "entry 3: signed by org:2, expected org:1"),
    ({"product_registered_to": None}, "registration", "product 1 has no signed registration before"),
    ({"producer_registered": False}, "registration", "organisation 1 has no signed registration"),
    ({"product_registered_to": 2}, "binding", "signed by org:1, but product 1 is registered to org:2"),
])  # fmt: skip
def test_failures_a_real_log_never_admits(options, code, message):
    bundle, key = synthetic.build(**options)
    with pytest.raises(PackageProofError, match=message) as caught:
        verify_package_bundle(bundle, key)
    assert caught.value.code == code


def test_synthetic_log_verdicts():
    bundle, key = synthetic.build()
    assert verify_package_bundle(bundle, key, today=date(2025, 6, 1)).status == "genuine"
    bundle, key = synthetic.build(valid_until="2025-05-31")
    assert verify_package_bundle(bundle, key, today=date(2025, 6, 1)).status == "expired"
    bundle, key = synthetic.build(recall=True, valid_until="2025-05-31")
    verdict = verify_package_bundle(bundle, key, today=date(2025, 6, 1))
    assert verdict.status == "recalled"
    assert verdict.facts["recall"]["reason"] == "Kiểm nghiệm không đạt"
    assert verdict.advice == ()


def test_unsigned_copy_warning_is_advice_not_verdict():
    """Scan statistics are not signed: whoever controls the database, or a few clients, could set them. The
    verdict stays what the signed entries say; the warning is reported beside it, marked unsigned."""
    bundle, key = synthetic.build()
    bundle["scans"] = {"signed": False, "count": 80, "first_scan": None, "copy_warning": True,
                       "reasons": ["visited from 80 networks"], "reviewed_at": None}  # fmt: skip
    verdict = verify_package_bundle(bundle, key, today=date(2025, 6, 1))
    assert verdict.status == "genuine"
    assert verdict.reasons == ()
    assert verdict.advice == ("unsigned copy warning: visited from 80 networks",)
    bundle["scans"] = {"count": 80, "first_scan": None, "flagged": True, "reasons": ["scanned 80 times"]}
    verdict = verify_package_bundle(bundle, key, today=date(2025, 6, 1))
    assert (verdict.status, verdict.advice) == ("genuine", ())
    bundle, key = synthetic.build(recall=True)
    bundle["scans"] = {"copy_warning": True, "reasons": [7, "far"]}
    verdict = verify_package_bundle(bundle, key, today=date(2025, 6, 1))
    assert (verdict.status, verdict.advice) == ("recalled", ("unsigned copy warning: far",))


def test_cli_verify_package(demo_app, demo, bundle_of, tmp_path):
    bundle = bundle_of(serials_of(demo_app, demo.lots["gac_oil"])[0])
    path = tmp_path / "package.json"
    path.write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
    runner = demo_app.test_cli_runner()
    key = log_key(demo_app)
    result = runner.invoke(args=["tracer", "ledger", "verify-package", str(path), "--key", key])
    assert result.exit_code == 0, result.output
    assert f"OK: package {bundle['serial']}" in result.output
    assert "GENUINE" in result.output
    path.write_text(json.dumps(tampered(bundle, "serial proof hash")), encoding="utf-8")
    result = runner.invoke(args=["tracer", "ledger", "verify-package", str(path), "--key", key])
    assert result.exit_code == 1
    assert "error: serial: serial" in result.output

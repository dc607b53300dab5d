"""Running scanner_page/verify.js in Chromium (WebCrypto, or with WebCrypto's Ed25519 hidden: the vendored
@noble/ed25519) beside the Python verifier on the same bundles.

The tests using this live in tests/e2e/test_scanner.py, next to the browser fixtures they share.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.scanner import bundle_vectors, synthetic
from tests.scanner.conftest import log_key, serials_of
from tests.scanner.tampering import TAMPERING, recall_hidden, tampered
from tests.support import attacks
from tracer.platform.services import services
from tracer.proofs.verdict import PackageProofError, verify_package_bundle

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT.parent / "shared" / "standards" / "merkle-vectors" / "inclusion"
ORIGIN = "http://127.0.0.1:9"  # never contacted: every request is answered by page.route (a secure context)
TODAY = date(2026, 1, 15)
HIDE_ED25519 = ROOT / "tests" / "scanner" / "js" / "hide_ed25519.js"  # WebCrypto as on phones before 2025

RUN = """async ([bundle, key, today]) => {
  const m = await import("/verify.js");
  try {
    const v = await m.verifyPackageBundle(bundle, key, { today });
    const { status, facts, reasons, advice, entries } = v;
    return { ok: true, status, facts, reasons, advice, entries };
  } catch (e) {
    return { ok: false, code: e.code || "exception", message: String(e.message) };
  }
}"""


@contextmanager
def verifier_page(browser: Any, *, without_ed25519: bool = False) -> Iterator[Any]:
    """A page in a loopback (so secure) origin that can import /verify.js (and the scanner's other modules,
    /trust.js ..., and /vendor/*.js); nothing is ever sent there. ``without_ed25519``: WebCrypto's Ed25519
    is hidden (``HIDE_ED25519``), as on phones before Chrome 137 or Safari 17."""
    context = browser.new_context()
    if without_ed25519:
        context.add_init_script(path=str(HIDE_ED25519))
    page = context.new_page()
    scanner = ROOT / "scanner_page"
    modules = {"/" + js.relative_to(scanner).as_posix(): js.read_text(encoding="utf-8")
               for js in scanner.rglob("*.js")}  # fmt: skip

    def serve(route: Any) -> None:
        name = urlsplit(route.request.url).path
        if name in modules:
            route.fulfill(status=200, content_type="text/javascript", body=modules[name])
        else:
            route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>verify</title>")

    page.route(f"{ORIGIN}/**", serve)
    page.goto(f"{ORIGIN}/")
    yield page
    context.close()


def python_result(bundle: dict[str, Any], key: str, today: date) -> dict[str, Any]:
    try:
        v = verify_package_bundle(bundle, key, today=today)
    except PackageProofError as error:
        return {"ok": False, "code": error.code}
    facts = json.loads(json.dumps(v.facts))
    reasons, advice = list(v.reasons), list(v.advice)
    return {"ok": True, "status": v.status, "facts": facts, "reasons": reasons, "advice": advice,
            "entries": v.entries}  # fmt: skip


def js_result(page: Any, bundle: dict[str, Any], key: str, today: date) -> dict[str, Any]:
    result = page.evaluate(RUN, [bundle, key, today.isoformat()])
    if not result["ok"]:
        return {"ok": False, "code": result["code"], "message": result["message"]}
    return result  # type: ignore[no-any-return]


def agreement_cases(demo_app: Any, demo: Any, bundle_of: Any) -> list[tuple[str, dict[str, Any], str]]:
    """(name, bundle, pinned log key): the demo's bundles, every tampering of the gấc one, synthetic logs."""
    key = log_key(demo_app)
    cases: list[tuple[str, dict[str, Any], str]] = []
    for lot in ("gac_oil", "cacao_powder", "sausage_recalled", "turmeric", "lychee"):
        cases.append((lot, bundle_of(serials_of(demo_app, demo.lots[lot])[0]), key))
    gac = cases[0][1]
    cases += [(f"tampered: {name}", tampered(gac, name), key) for name in sorted(TAMPERING)]
    cases.append(("sausage recall hidden", recall_hidden(cases[2][1]), key))
    serial = serials_of(demo_app, demo.lots["gac_oil"])[0]
    cases += [(name, bundle_of(serial), key) for name in _profiles(demo_app)]
    _, other_key = synthetic.build()
    cases.append(("another pinned key", gac, other_key))
    for name, options in {
        "synthetic genuine": {},
        "synthetic revoked key": {"revoke_before_packaging": True},
        "synthetic bad signature": {"bad_signature_on": "harvest"},
        "synthetic wrong owner": {"org_owner": "org:2"},
        "synthetic expired": {"valid_until": "2025-12-31"},
        "synthetic recalled": {"recall": True},
        "synthetic recall hidden": {"recall": True, "hide_recall": True},
        "synthetic product unregistered": {"product_registered_to": None},
        "synthetic product of another organisation": {"product_registered_to": 2},
        "synthetic producer unregistered": {"producer_registered": False},
    }.items():
        bundle, synthetic_key = synthetic.build(**options)
        cases.append((name, bundle, synthetic_key))
    # The server's scan summary is not signed: a copy warning in it is advice beside the verdict, never the
    # verdict (an old bundle's "flagged" is not even advice).
    warned, synthetic_key = synthetic.build()
    warned["scans"] = {"signed": False, "count": 90, "first_scan": None, "copy_warning": True,
                       "reasons": ["visited from 90 networks"], "reviewed_at": None}  # fmt: skip
    cases.append(("synthetic copy warning", warned, synthetic_key))
    flagged, synthetic_key = synthetic.build()
    flagged["scans"] = {"count": 90, "first_scan": None, "flagged": True, "reasons": ["scanned 90 times"]}
    cases.append(("synthetic old flag", flagged, synthetic_key))
    # The shared bundle vectors (tests/vectors/bundles), so that Chromium judges them too.
    vectors = json.loads(bundle_vectors.PATH.read_text(encoding="utf-8"))["cases"]
    cases += [(f"vector: {case['name']}", case["bundle"], case["key"]) for case in vectors]
    # Last, as they change the demo's database: the attacks of issue #16 by someone who can write to it.
    sausage = serials_of(demo_app, demo.lots["sausage_recalled"])[0]
    hide_recall_in_tables(demo_app)
    cases.append(("database: recall hidden in the tables", bundle_of(sausage), key))
    hide_recall_in_map(demo_app)
    cases.append(("database: recall hidden in the map's lists too", bundle_of(sausage), key))
    return cases


def hide_recall_in_tables(app: Any) -> None:
    attacks.execute(services(app).settings.database_url, attacks.HIDE_RECALL_IN_TABLES)


def hide_recall_in_map(app: Any) -> None:
    attacks.execute(services(app).settings.database_url, attacks.HIDE_RECALL_IN_MAP)


def _profiles(demo_app: Any) -> Iterator[str]:
    """Give the gấc product a photo and shops signed by its producer (yield the case's name), then a profile
    naming it signed by another organisation's key (an attacker holding that key): the bundle carries each."""
    import io

    from PIL import Image
    from sqlmodel import select

    from tracer.accounts.actors import Actor
    from tracer.events import pipeline, profiles, registrations
    from tracer.models.accounts import Role
    from tracer.models.organisations import Organisation, OrgKind
    from tracer.models.products import Product
    from tracer.models.zones import Zone
    from tracer.photos import images
    from tracer.platform import db

    picture = io.BytesIO()
    Image.new("RGB", (700, 500), (200, 90, 30)).save(picture, "JPEG")
    photo = images.prepare(picture.getvalue())
    with demo_app.app_context(), db.writer() as session:
        product = session.exec(select(Product).where(Product.name == "Dầu gấc Mỹ Cẩm")).one()
        producer = Actor(1, "htx.mycam@example.vn", Role.PRODUCER, product.organisation_id)
        shops = profiles.parse_shops("Shopee | https://shopee.vn/dau-gac\nhttps://tiki.vn/dau-gac")
        profiles.set_profile(session=session, actor=producer, product_id=product.id or 0, shops=shops,
                             photo=photo)  # fmt: skip
        zone = session.exec(select(Zone).where(Zone.organisation_id == product.organisation_id)).first()
        assert zone is not None
        profiles.set_zone_photo(session=session, actor=producer, zone_id=zone.id, photo=photo)
    yield "gac with a photo and shops signed by its producer, and a zone photo"
    with demo_app.app_context(), db.writer() as session:
        product = session.exec(select(Product).where(Product.name == "Dầu gấc Mỹ Cẩm")).one()
        others = select(Organisation).where(Organisation.id != product.organisation_id)
        other = session.exec(others.where(Organisation.kind != OrgKind.AUTHORITY)).first()
        assert other is not None
        fields = {"id": product.id, "organisation_id": product.organisation_id,
                  "shops": [{"label": "Fake", "url": "https://evil.example/"}]}  # fmt: skip
        ledger = pipeline.appender(session)
        body = registrations.entry_body(profiles.PRODUCT_PROFILE, "product", fields, "user:1")
        product.profile_index = registrations.append_signed(ledger, f"org:{other.id}", body)
        session.add(product)
        ledger.seal()
    yield "gac profile signed by another organisation"


def check_outcomes(outcomes: dict[str, str]) -> None:
    """What some of the cases must come to (each verifier's answers, by case name)."""
    for name, (_mutate, code) in TAMPERING.items():
        assert outcomes[f"tampered: {name}"] == code
    for case in json.loads(bundle_vectors.PATH.read_text(encoding="utf-8"))["cases"]:
        assert outcomes[f"vector: {case['name']}"] == case["verdict"], case["name"]
    assert outcomes["gac_oil"] == "genuine"
    assert outcomes["sausage_recalled"] == "recalled"
    assert outcomes["sausage recall hidden"] == "completeness"
    assert outcomes["synthetic recalled"] == "recalled"
    assert outcomes["synthetic recall hidden"] == "completeness"
    assert outcomes["database: recall hidden in the tables"] == "recalled"
    assert outcomes["database: recall hidden in the map's lists too"] == "completeness"
    assert outcomes["synthetic revoked key"] == "key-revoked"
    assert outcomes["synthetic bad signature"] == "signature"
    assert outcomes["synthetic copy warning"] == "genuine"
    assert outcomes["synthetic product unregistered"] == "registration"
    assert outcomes["synthetic product of another organisation"] == "binding"
    assert outcomes["synthetic producer unregistered"] == "registration"
    assert outcomes["synthetic old flag"] == "genuine"
    assert outcomes["another pinned key"] == "log-key"
    assert outcomes["gac with a photo and shops signed by its producer, and a zone photo"] == "genuine"
    assert outcomes["gac profile signed by another organisation"] == "signer"


def check_agreement(verifier_page: Any, demo_app: Any, demo: Any, bundle_of: Any) -> None:
    cases = agreement_cases(demo_app, demo, bundle_of)
    outcomes = {}
    for name, bundle, pinned in cases:
        expected = python_result(bundle, pinned, TODAY)
        got = js_result(verifier_page, bundle, pinned, TODAY)
        got.pop("message", None)
        assert got == expected, f"{name}: python {expected} but javascript {got}"
        outcomes[name] = expected.get("status") or expected["code"]
    check_outcomes(outcomes)


def check_consistency(verifier_page: Any) -> None:
    """verify.js's RFC 9162 consistency check: the RFC 6962 vectors, and proofs made by the Python ledger for
    every pair of sizes up to 20 leaves (each also with one hash flipped, which must fail)."""
    import base64

    from tracer.ledger.merkle import consistency_proof_from_leaves, leaf_hash, root_hash

    cases = [json.loads(p.read_text()) for p in sorted((VECTORS.parent / "consistency").rglob("*.json"))]
    assert len(cases) > 5
    leaves = [leaf_hash(bytes([n])) for n in range(20)]
    b64 = lambda raw: base64.b64encode(raw).decode()  # noqa: E731
    for size2 in range(1, 21):
        for size1 in range(1, size2 + 1):
            proof = consistency_proof_from_leaves(leaves[:size2], size1)
            case = {"size1": size1, "size2": size2, "root1": b64(root_hash(leaves[:size1])),
                    "root2": b64(root_hash(leaves[:size2])), "proof": [b64(h) for h in proof]}  # fmt: skip
            cases.append({**case, "desc": f"{size1}->{size2}", "wantErr": False})
            if proof:
                bad = bytearray(proof[-1])
                bad[0] ^= 1
                broken = [*case["proof"][:-1], b64(bytes(bad))]
                cases.append({**case, "proof": broken, "desc": f"{size1}->{size2} tampered", "wantErr": True})
    results = verifier_page.evaluate(
        """async (cases) => {
          const m = await import("/verify.js");
          const out = [];
          for (const c of cases) {
            try {
              const [r1, r2] = [m.b64decode(c.root1 || ""), m.b64decode(c.root2 || "")];
              await m.verifyConsistency(c.size1, c.size2, r1, r2, (c.proof || []).map((h) => m.b64decode(h)));
              out.push(false);
            } catch (e) {
              out.push(true);
            }
          }
          return out;
        }""",
        cases,
    )
    for case, failed in zip(cases, results, strict=True):
        assert failed == bool(case.get("wantErr")), case.get("desc")


def check_merkle_vectors(verifier_page: Any) -> None:
    vectors = [json.loads(p.read_text()) for p in sorted(VECTORS.rglob("*.json"))]
    assert len(vectors) > 20
    results = verifier_page.evaluate(
        """async (vectors) => {
          const m = await import("/verify.js");
          const out = [];
          for (const v of vectors) {
            try {
              const proof = (v.proof || []).map((h) => m.b64decode(h));
              await m.verifyInclusion(v.leafIdx, v.treeSize, m.b64decode(v.leafHash || ""),
                                      proof, m.b64decode(v.root || ""));
              out.push(false);
            } catch (e) {
              out.push(true);
            }
          }
          return out;
        }""",
        vectors,
    )
    for vector, failed in zip(vectors, results, strict=True):
        assert failed == bool(vector.get("wantErr")), vector.get("desc")

"""The package-bundle verdict vectors both verifiers are held to: ``tests/vectors/bundles/vectors.json``.

Each case is a whole bundle (version 2) of a small synthetic log (``synthetic``: fixed keys and times, so the
file is the same on every run), the log key to pin, and the verdict: a status (``genuine``, ``recalled``,
``expired``) or the failing step's code. They cover the issue #16 attacks as a bundle shows them: a recall,
a certificate or a map proof left out, a product bound to another organisation, names changed in the
display summary, and every tampering of ``tampering.TAMPERING``.

``python -m tests.scanner.bundle_vectors`` rewrites the file; ``test_bundle_vectors.py`` checks that the
file is what this module makes now and that the Python verifier gives each verdict; the same cases go
through ``scanner_page/verify.js`` in Node (``node --test``, WebCrypto and the @noble fallback) and in
Chromium with the agreement cases (``agreement.agreement_cases``).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from tests.scanner import synthetic
from tests.scanner.tampering import TAMPERING, recall_hidden, tampered

PATH = Path(__file__).resolve().parents[1] / "vectors" / "bundles" / "vectors.json"
TODAY = date(2026, 1, 15)

OPTIONS: dict[str, tuple[dict[str, Any], str]] = {
    "genuine": ({}, "genuine"),
    "recalled": ({"recall": True}, "recalled"),
    "expired certificate": ({"valid_until": "2025-12-31"}, "expired"),
    "recall left out of the bundle": ({"recall": True, "hide_recall": True}, "completeness"),
    "key revoked before it signed": ({"revoke_before_packaging": True}, "key-revoked"),
    "bad signature in the tree": ({"bad_signature_on": "harvest"}, "signature"),
    "key of another owner": ({"org_owner": "org:2"}, "signer"),
    "product not registered": ({"product_registered_to": None}, "registration"),
    "product registered to another organisation": ({"product_registered_to": 2}, "binding"),
    "producer not registered": ({"producer_registered": False}, "registration"),
}
NOT_SYNTHETIC = {"another serial"}  # needs a URI of the demo's form; the demo cases carry it


def cases() -> list[dict[str, Any]]:
    made: list[dict[str, Any]] = []
    for name, (options, verdict) in OPTIONS.items():
        bundle, key = synthetic.build(**options)
        made.append({"name": name, "bundle": bundle, "key": key, "verdict": verdict})
    genuine, key = synthetic.build()
    for name, (_mutate, code) in sorted(TAMPERING.items()):
        if name not in NOT_SYNTHETIC:
            made.append(
                {"name": f"tampered: {name}", "bundle": tampered(genuine, name), "key": key, "verdict": code}
            )
    recalled, key = synthetic.build(recall=True)
    made.append({"name": "recall hidden by the server", "bundle": recall_hidden(recalled), "key": key,
                 "verdict": "completeness"})  # fmt: skip
    return made


def document() -> str:
    body = {"today": TODAY.isoformat(), "cases": cases()}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


if __name__ == "__main__":
    PATH.parent.mkdir(parents=True, exist_ok=True)
    PATH.write_text(document(), encoding="utf-8")
    print(f"wrote {PATH} ({len(cases())} cases)")

"""The package-bundle vectors (``tests/vectors/bundles/vectors.json``): the file is what
``bundle_vectors`` makes now (so it cannot drift from the verifiers' rules), and the Python verifier gives
every case its verdict; ``bundle_vectors.test.mjs`` holds ``scanner_page/verify.js`` to the same
(``test_node_runner.py`` runs it), and the agreement cases take them into Chromium."""

from __future__ import annotations

import json
from datetime import date

import pytest

from tests.scanner import bundle_vectors
from tracer.proofs.verdict import PackageProofError, verify_package_bundle

DOCUMENT = json.loads(bundle_vectors.PATH.read_text(encoding="utf-8"))


def test_the_file_is_what_the_generator_makes() -> None:
    assert bundle_vectors.PATH.read_text(encoding="utf-8") == bundle_vectors.document(), (
        "regenerate with: python -m tests.scanner.bundle_vectors"
    )


@pytest.mark.parametrize("case", DOCUMENT["cases"], ids=lambda case: case["name"])
def test_python_gives_each_verdict(case: dict) -> None:
    try:
        got = verify_package_bundle(
            case["bundle"], case["key"], today=date.fromisoformat(DOCUMENT["today"])
        ).status
    except PackageProofError as error:
        got = error.code
    assert got == case["verdict"]

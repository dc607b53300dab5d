"""Translations: every string of the code and templates has a Vietnamese translation, compiled and current."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
CATALOGUES = ROOT / "tracer" / "translations"


def _po(locale: str):
    with (CATALOGUES / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=locale)


def test_every_source_string_is_in_the_catalogue(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as handle:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    have = {m.id if isinstance(m.id, str) else m.id[0] for m in _po("vi") if m.id}
    assert sorted(wanted - have) == [], "run `make translations` and translate the new strings"


def test_vietnamese_is_complete_and_compiled():
    catalogue = _po("vi")
    untranslated = [m.id for m in catalogue if m.id and (not m.string or m.fuzzy)]
    assert untranslated == []
    with (CATALOGUES / "vi" / "LC_MESSAGES" / "messages.mo").open("rb") as handle:
        compiled = {m.id: m.string for m in read_mo(handle) if m.id}
    source = {m.id: m.string for m in catalogue if m.id}
    assert compiled == source, "the .mo is stale: run `pybabel compile -d tracer/translations`"


def test_english_on_request(client):
    vi = client.get("/", headers={"Accept": "text/html"}).get_data(as_text=True)
    en = client.get("/?lang=en").get_data(as_text=True)
    en_header = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert "Truy xuất sản phẩm OCOP" in vi
    assert "Trace OCOP products from the field to your hands" in en
    assert "Trace OCOP products" in en_header

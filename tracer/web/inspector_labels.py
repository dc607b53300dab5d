"""The words of the inspectors' dashboard and its CSV exports, in the page's language (Vietnamese unless
``?lang=en``): one place for the anomaly kinds, inspection results and column headings, so the table on
screen and the file opened in Excel say the same thing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from flask_babel import lazy_gettext as _l

KINDS = {
    "over_scanned": _l("Scanned too often"),
    "unknown_code": _l("Code never issued"),
    "recalled_scanned": _l("Recalled, still on sale"),
    "expired_certificate": _l("Certificate expired, still on sale"),
    "travel": _l("Scanned in places too far apart"),
}
RESULTS = {"pass": _l("Pass"), "suspect": _l("Suspect"), "fail": _l("Fail")}
HEADINGS = {
    "kind": _l("Kind"), "serial": _l("Serial number"), "code": _l("Code scanned"), "lot_id": _l("Lot"),
    "product_name": _l("Product"), "product": _l("Product"), "province": _l("Province"), "count": _l("Scans"),
    "codes": _l("Codes"), "examples": _l("Examples"), "first_at": _l("First seen"),
    "last_at": _l("Last seen"),
    "detail": _l("Detail"), "ledger_index": _l("Ledger index"), "inspected_at": _l("Inspected at"),
    "inspector": _l("Inspector"), "result": _l("Result"), "place": _l("Place"), "notes": _l("Notes"),
    "photo_sha256": _l("Photo (SHA-256)"),
}  # fmt: skip
VALUES: dict[str, dict[str, Any]] = {"kind": KINDS, "result": RESULTS}


def kind_name(kind: str) -> str:
    return str(KINDS.get(kind, kind))


def headings(columns: Sequence[str]) -> list[str]:
    """The columns' headings in the page's language."""
    return [str(HEADINGS.get(name, name)) for name in columns]


def localised(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterable[list[Any]]:
    """``rows`` with their coded values (kind, result) in words of the page's language."""
    for row in rows:
        yield [str(VALUES[c].get(v, v)) if c in VALUES and isinstance(v, str) else v
               for c, v in zip(columns, row, strict=True)]  # fmt: skip

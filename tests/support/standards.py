"""Where the shared standards data lives (``../shared/standards`` beside the checkout, or beside a parent
directory of it when the checkout is a work tree further down)."""

from __future__ import annotations

from pathlib import Path


def _find() -> Path:
    here = Path(__file__).resolve().parents[2]
    for directory in [here, *here.parents]:
        candidate = directory.parent / "shared" / "standards"
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("no shared/standards beside the checkout or any directory above it")


STANDARDS = _find()
EPCIS = STANDARDS / "epcis"

#!/usr/bin/env python3
"""Keep the catalogues current: extract, update, fill Vietnamese from a JSON file, compile.

    .venv/bin/python scripts/translate.py [NEW.json]

NEW.json maps English msgids to Vietnamese. Several people may run this at once: a file lock serialises
them. Prints the msgids still without a Vietnamese translation.
"""

from __future__ import annotations

import fcntl
import json
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
CATALOGUES = ROOT / "tracer" / "translations"


def main(argv: list[str]) -> int:
    new = json.loads(Path(argv[1]).read_text(encoding="utf-8")) if len(argv) > 1 else {}
    with (CATALOGUES / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        pybabel = [sys.executable, "-m", "babel.messages.frontend"]
        pot = CATALOGUES / "messages.pot"
        subprocess.run(
            [*pybabel, "extract", "-F", "babel.cfg", "-k", "_l", "-o", str(pot), "."],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [*pybabel, "update", "-i", str(pot), "-d", str(CATALOGUES), "--no-fuzzy-matching"],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        po_path = CATALOGUES / "vi" / "LC_MESSAGES" / "messages.po"
        with po_path.open("rb") as handle:
            catalogue = read_po(handle, locale="vi")
        missing = []
        for message in catalogue:
            if not message.id:
                continue
            key = message.id if isinstance(message.id, str) else message.id[0]
            if key in new:
                message.string = new[key]
                message.flags.discard("fuzzy")
            elif not message.string:
                missing.append(key)
        with po_path.open("wb") as handle:
            write_po(handle, catalogue, width=110, omit_header=False)
        subprocess.run(
            [*pybabel, "compile", "-d", str(CATALOGUES)], cwd=ROOT, check=True, capture_output=True
        )
    if missing:
        print("untranslated:", json.dumps(missing, ensure_ascii=False, indent=1))
        return 1
    print("ok: catalogues extracted, updated and compiled")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""What a first visit of the scanner costs on the wire, by encoding, printed as figures (never asserted).

    python bench/scanner.py [--quick]

Built the way the server serves it (``tracer.web.scanner_assets``: hashed names, gzip and Brotli made once):
the page, the service worker and the shell it precaches, each as a browser asking for ``br``, for ``gzip``
only (Chromium over plain HTTP) and for nothing; then the same with jsQR, which only a browser without
BarcodeDetector fetches. HTTP headers (about 300 bytes a response) and the proof bundle (data, not the app)
are not counted. The baseline is the first visit before issue #21: every file as it is, jsQR included.
Target: under 120 KB with Brotli, jsQR included.
"""

from __future__ import annotations

import argparse
import gzip

import common

from tracer.web.scanner_assets import FILES, ON_DEMAND, Asset, build, make_asset

SCANNER = common.ROOT / "scanner_page"
BEFORE = (
    "index.html", "app.css", "app.js", "verify.js", "trust.js", "i18n.js", "vmap.js", "witness.js", "sw.js",
    "manifest.webmanifest", "vendor/jsQR.js", "icons/icon-192.png",
)  # fmt: skip
TARGET = 120 * 1024


def main() -> None:
    argparse.ArgumentParser(description=__doc__).add_argument("--quick", action="store_true")
    bundle = build(SCANNER)
    page = make_asset("index.html", bundle.rewrite((SCANNER / "index.html").read_text()).encode())
    worker = make_asset("sw.js", (SCANNER / "sw.js").read_bytes())
    shell = [page, worker, *(bundle.assets[bundle.names[name]] for name in FILES if name not in ON_DEMAND)]
    jsqr = bundle.assets[bundle.names["vendor/jsQR.js"]]
    before = sum((SCANNER / name).stat().st_size for name in BEFORE)

    def size(assets: list[Asset], encoding: str) -> int:
        return sum(len(asset.encoded_as(encoding)) for asset in assets)

    print(f"scanner first visit (bytes of bodies; before issue #21: {before:,} as they are, jsQR included)")
    print(f"  {'encoding':10} {'app':>9} {'+ jsQR':>9}")
    for encoding in ("br", "gzip", "identity"):
        app, with_jsqr = size(shell, encoding), size([*shell, jsqr], encoding)
        print(f"  {encoding:10} {app:>9,} {with_jsqr:>9,}")
        for figure, value in (("first visit", app), ("first visit with jsQR", with_jsqr)):
            judged = encoding == "br"
            common.report("scanner", f"{figure}, {encoding}", value, "bytes", baseline="before #21",
                          baseline_value=before, target="< 120 KB" if judged else None,
                          met=(value < TARGET) if judged else None)  # fmt: skip
    alone = len(gzip.compress((SCANNER / "vendor/jsQR.js").read_bytes(), 9))
    print(f"  gzip of jsQR alone: {alone:,}; {len(shell)} files at a first visit, jsQR and the Ed25519 "
          "fallback only on demand")  # fmt: skip


if __name__ == "__main__":
    main()

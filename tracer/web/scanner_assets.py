"""The scanner's static files as served: content-hashed names, precompressed (gzip and Brotli), immutable.

Built once per process from ``scanner_page/`` (no build step in the repository): every file gets the name
``stem.<12 hex of its SHA-256>.ext``, and the references between them (``import ... from "./verify.js"``, the
manifest's icons, the page's ``<script>`` and ``<link>``) are rewritten to those names first, leaves first,
so a file's hash covers the names it points to: a changed ``verify.js`` changes ``app.js``'s name too. A
hashed name's bytes never change, so it is served with ``Cache-Control: immutable`` for a year; the page and
the service worker (which lists the names to precache) are revalidated on every visit instead.

Content negotiation follows RFC 9110 section 12.5.3: Brotli (RFC 7932) when ``Accept-Encoding`` accepts
``br``, else gzip (RFC 1952), else the bytes as they are, always with ``Vary: Accept-Encoding``.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from werkzeug.datastructures import Accept

try:
    import brotli
except ImportError:  # pragma: no cover - requirements.txt pins it; without it, gzip only
    brotli = None

TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".webmanifest": "application/manifest+json",
    ".html": "text/html",
}
COMPRESSIBLE = {".js", ".css", ".svg", ".webmanifest", ".html"}
# Files of scanner_page/ served under hashed names (the page and the service worker are served apart).
FILES = (
    "app.css", "app.js", "bytes.js", "decode.js", "i18n.js", "outbox.js", "tiles.js", "trust.js", "verify.js",
    "vmap.js", "witness.js", "vendor/jsQR.js", "vendor/noble-ed25519.js", "manifest.webmanifest",
    "icons/icon-192.png", "icons/icon-512.png",
)  # fmt: skip
# Fetched only when needed (no BarcodeDetector; no WebCrypto Ed25519), then kept by the service worker
# (cache-first under their hashed names), so a phone that needed one has it offline from then on.
ON_DEMAND = ("vendor/jsQR.js", "vendor/noble-ed25519.js")
HASH_CHARS = 12


@dataclass(frozen=True)
class Asset:
    """One file as served: its bytes, and the same gzipped and in Brotli when it is text worth it."""

    name: str  # the hashed name under /scan/
    content_type: str
    raw: bytes
    gzip: bytes | None
    brotli: bytes | None

    def encoded_as(self, encoding: str) -> bytes:
        """The body for one encoding ("br", "gzip", "identity"), the bytes as they are when not made."""
        made = {"br": self.brotli, "gzip": self.gzip}.get(encoding)
        return self.raw if made is None else made

    def encoded(self, accept: Accept | None) -> tuple[bytes, str | None]:
        """(body, Content-Encoding or None) for a request's ``Accept-Encoding``."""
        if accept is not None:
            if self.brotli is not None and accept.quality("br") > 0:
                return self.brotli, "br"
            if self.gzip is not None and accept.quality("gzip") > 0:
                return self.gzip, "gzip"
        return self.raw, None


@dataclass(frozen=True)
class Bundle:
    """Every hashed asset by its served name, and the source name -> served name map."""

    assets: dict[str, Asset]
    names: dict[str, str]

    def url(self, source: str) -> str:
        return f"/scan/{self.names[source]}"

    def precache(self) -> list[str]:
        """What the service worker fetches at install: everything but the on-demand fallbacks."""
        return [self.url(name) for name in FILES if name not in ON_DEMAND]

    @property
    def version(self) -> str:
        """A short hash of every served name: the service worker's cache name changes with any file."""
        joined = "\n".join(sorted(self.assets)).encode()
        return hashlib.sha256(joined).hexdigest()[:HASH_CHARS]

    def rewrite(self, text: str) -> str:
        """``text`` (the page) with every ``/scan/NAME`` of a hashed asset replaced by its served name."""
        return _replace(text, {f"/scan/{source}": self.url(source) for source in self.names})


def make_asset(name: str, raw: bytes) -> Asset:
    suffix = Path(name).suffix
    packed_gzip = packed_brotli = None
    if suffix in COMPRESSIBLE:
        packed_gzip = gzip.compress(raw, compresslevel=9, mtime=0)
        if brotli is not None:
            packed_brotli = brotli.compress(raw, quality=11)
    return Asset(name, TYPES[suffix], raw, packed_gzip, packed_brotli)


def hashed_name(source: str, raw: bytes) -> str:
    path = Path(source)
    digest = hashlib.sha256(raw).hexdigest()[:HASH_CHARS]
    return str(path.with_name(f"{path.stem}.{digest}{path.suffix}"))


def _references(source: str) -> dict[str, str]:
    """How another file of FILES may be named from ``source``: "./x.js" beside it, "/scan/x" anywhere."""
    folder = Path(source).parent
    found: dict[str, str] = {}
    for other in FILES:
        found[f"/scan/{other}"] = other
        relative = Path(other)
        if relative.parent == folder:
            found[f"./{relative.name}"] = other
        elif folder == Path(".") and str(relative.parent) != ".":
            found[f"./{other}"] = other
    return found


def _replace(text: str, mapping: dict[str, str]) -> str:
    if not mapping:
        return text
    pattern = re.compile("|".join(re.escape(key) for key in sorted(mapping, key=len, reverse=True)))
    return pattern.sub(lambda match: mapping[match.group(0)], text)


def _pointed(source: str, text: str) -> Iterable[tuple[str, str]]:
    """(reference as written, the file it names) for every quoted reference in ``text``."""
    for written, target in _references(source).items():
        if target != source and (f'"{written}"' in text or f"'{written}'" in text):
            yield written, target


def build(folder: Path) -> Bundle:
    """Hash, rewrite and compress FILES of ``folder`` (leaves first; a cycle of references is an error)."""
    texts = {name: (folder / name).read_bytes() for name in FILES}
    names: dict[str, str] = {}
    assets: dict[str, Asset] = {}
    pending = set(FILES)
    while pending:
        ready = []
        for name in sorted(pending):
            suffix = Path(name).suffix
            if suffix not in COMPRESSIBLE:
                ready.append((name, texts[name]))
                continue
            text = texts[name].decode("utf-8")
            pointed = dict(_pointed(name, text))
            if any(target in pending for target in pointed.values()):
                continue
            mapping = {}
            for written, target in pointed.items():
                served = names[target]
                mapping[written] = (
                    f"/scan/{served}" if written.startswith("/scan/") else _relative(name, served)
                )
            quoted = {f'"{k}"': f'"{v}"' for k, v in mapping.items()} | {
                f"'{k}'": f"'{v}'" for k, v in mapping.items()
            }
            ready.append((name, _replace(text, quoted).encode("utf-8")))
        if not ready:
            raise RuntimeError(f"the scanner's files refer to each other in a cycle: {sorted(pending)}")
        for name, raw in ready:
            names[name] = hashed_name(name, raw)
            assets[names[name]] = make_asset(names[name], raw)
            pending.discard(name)
    return Bundle(assets, names)


def _relative(source: str, served: str) -> str:
    folder = Path(source).parent
    target = Path(served)
    if target.parent == folder:
        return f"./{target.name}"
    return f"./{target}"

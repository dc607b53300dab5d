"""Photo files kept by their SHA-256 (``<sha256>.<ext>``) in one folder, written whole or not at all.

A file is trusted only when its bytes hash to its name: ``intact`` checks that (remembering the answer for a
file whose size and modification time have not changed), so a file replaced on disk is never served or shown.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Iterable
from pathlib import Path

from tracer.photos.images import Variant

__all__ = ["NAME", "PhotoStore"]

NAME = re.compile(r"(?P<sha256>[0-9a-f]{64})\.(?P<ext>jpg|webp)")


class PhotoStore:
    """The folder of product photos (``instance/product-photos``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._checked: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()

    def path(self, name: str) -> Path | None:
        """The file of ``name`` (``<sha256>.<ext>``), or None if the name is not one."""
        return self.folder / name if NAME.fullmatch(name) else None

    def put(self, variants: Iterable[Variant]) -> list[Path]:
        """Write the files not already kept (each to a temporary name, then renamed); the new paths, for
        ``discard`` if what they belong to is not saved after all."""
        self.folder.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        try:
            for variant in variants:
                target = self.folder / variant.name
                if target.exists() and self.intact(variant.name):
                    continue
                temporary = self.folder / f".{variant.name}.{os.getpid()}.{threading.get_ident()}.tmp"
                temporary.write_bytes(variant.data)
                temporary.replace(target)
                written.append(target)
        except OSError:
            self.discard(written)
            raise
        return written

    def discard(self, paths: Iterable[Path]) -> None:
        for path in paths:
            path.unlink(missing_ok=True)

    def intact(self, name: str) -> bool:
        """Whether the file ``name`` exists and its bytes hash to the SHA-256 its name says."""
        match = NAME.fullmatch(name)
        path = self.path(name)
        if match is None or path is None:
            return False
        try:
            stat = path.stat()
        except OSError:
            return False
        stamp = (stat.st_size, stat.st_mtime_ns)
        with self._lock:
            if self._checked.get(name) == stamp:
                return True
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            return False
        if digest != match["sha256"]:
            return False
        with self._lock:
            self._checked[name] = stamp
        return True


def app_store() -> PhotoStore:
    """The current app's store of product photos, ``instance/product-photos``."""
    from flask import current_app

    store = current_app.extensions.get("product_photos")
    if store is None:
        store = current_app.extensions["product_photos"] = PhotoStore(
            Path(current_app.instance_path) / "product-photos"
        )
    return store

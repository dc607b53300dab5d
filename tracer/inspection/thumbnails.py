"""Small copies of inspection and report photos for the dashboard's lists:
``instance/photos/thumbs/<sha256>.jpg``, made once from the stored photo
(``tracer.inspection.dashboard.store_photo``), at most ``SIDE`` pixels a side.

The originals were checked when stored (type, magic bytes, 900 KB); Pillow's decompression-bomb limit is
lowered to ``MAX_PIXELS`` here all the same, and a photo that does not decode gets no thumbnail (None).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from PIL import Image, UnidentifiedImageError

SIDE = 240
MAX_PIXELS = 40_000_000  # 40 megapixels: more than any phone photo under 900 KB decodes to
DIGEST = re.compile(r"[0-9a-f]{64}")
EXTENSIONS = ("jpg", "png", "webp")


def original(folder: Path, digest: str) -> Path | None:
    """The stored photo with this SHA-256, whatever its type; None if there is none."""
    if not DIGEST.fullmatch(digest):
        return None
    for extension in EXTENSIONS:
        path = folder / f"{digest}.{extension}"
        if path.is_file():
            return path
    return None


def thumbnail(folder: Path, digest: str) -> Path | None:
    """The thumbnail of the photo ``digest`` (made now if missing); None if no such photo decodes."""
    source = original(folder, digest)
    if source is None:
        return None
    target = folder / "thumbs" / f"{digest}.jpg"
    if target.is_file():
        return target
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(source) as image:
            image.draft("RGB", (SIDE, SIDE))
            image.thumbnail((SIDE, SIDE))
            small = image.convert("RGB")
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError, ValueError):
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{digest}.{os.getpid()}.tmp")
    small.save(temporary, "JPEG", quality=80)
    temporary.replace(target)
    return target

"""A signed photo as a page shows it: a ``<picture>`` with WebP and JPEG at each signed width (``srcset``),
lazy-loaded, its width and height set so nothing moves when it arrives; shown only when every file its signed
entry names is on disk and hashes to its signed SHA-256 (``tracer.photos.store``)."""

from __future__ import annotations

from dataclasses import dataclass

from tracer.photos.images import SignedPhoto, Variant
from tracer.photos.store import PhotoStore

__all__ = ["ShownPhoto", "shown_photo"]

SIZES = "(max-width: 480px) 100vw, 320px"


@dataclass(frozen=True, slots=True)
class ShownPhoto:
    webp: str  # srcset: "/photos/<sha>.webp 320w, ..."
    jpeg: str
    src: str  # the smallest JPEG: what a browser without srcset loads
    width: int
    height: int
    og: str  # the largest JPEG, as an absolute URL (Open Graph)
    sha256: str  # the master's, as signed
    sizes: str = SIZES


def shown_photo(photo: SignedPhoto | None, public_url: str, store: PhotoStore) -> ShownPhoto | None:
    """``photo`` as a page shows it; None if it is None or any of its files is missing or not intact."""
    if photo is None or not all(store.intact(v.name) for v in photo.files()):
        return None
    webp, jpeg = photo.of_type("image/webp"), photo.of_type("image/jpeg")
    if not webp or not jpeg:
        return None

    def srcset(variants: list[Variant]) -> str:
        return ", ".join(f"/photos/{v.name} {v.width}w" for v in variants)

    small = jpeg[0]
    return ShownPhoto(srcset(webp), srcset(jpeg), f"/photos/{small.name}", small.width, small.height,
                      f"{public_url}/photos/{jpeg[-1].name}", photo.sha256)  # fmt: skip

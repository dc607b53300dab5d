"""An uploaded photo, checked and re-encoded (issue #20, item 3): what comes in is never what is served.

Checks, in this order, each refusal an ``InvalidInput`` on the field ``photo`` with a ``Message`` id:

1. size: at most ``MAX_UPLOAD_BYTES``; not empty;
2. type by the magic bytes (never the file name or the Content-Type the browser claims): JPEG ``FF D8 FF``,
   PNG's 8-byte signature, WebP ``RIFF....WEBP`` (``sniff``, also used for inspection and report photos);
3. nothing else in the file: no ZIP end-of-central-directory record near its end and no HTML or script
   markup, so a polyglot (a JPEG that is also a ZIP or a web page) is refused, not quietly cleaned;
4. pixels: the header's width x height at most ``MAX_PIXELS`` before any pixel is decoded (a decompression
   bomb: a small PNG of a huge blank image), with Pillow's own ``DecompressionBombError`` as a second guard;
5. the whole image decodes (a truncated file is refused: Pillow's ``LOAD_TRUNCATED_IMAGES`` stays off).

Then it is re-encoded from its pixels alone: the EXIF orientation applied (``ImageOps.exif_transpose``), then
a new image with no metadata at all (EXIF with its GPS position, XMP, ICC, comments are dropped), transparency
flattened on white, the long side at most ``MASTER_EDGE``. The master is a JPEG; its SHA-256 is the photo's
identity in the signed product entry. From it come the served widths (``WIDTHS`` that fit) in WebP and JPEG.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

from tracer.platform.errors import InvalidInput
from tracer.platform.messages import Message

__all__ = [
    "MAX_PIXELS",
    "MAX_UPLOAD_BYTES",
    "WIDTHS",
    "Photo",
    "SignedPhoto",
    "Variant",
    "check_upload",
    "prepare",
    "sniff",
]

MAX_UPLOAD_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 48-megapixel phone's photo is 8000x6000: sharp enough, after its own downscale
MIN_EDGE = 64
MASTER_EDGE = 2048
WIDTHS = (320, 640, 1280)
MEDIA_TYPES = {"jpeg": "image/jpeg", "webp": "image/webp"}
EXTENSIONS = {"image/jpeg": "jpg", "image/webp": "webp"}
_MAGIC = (("jpeg", b"\xff\xd8\xff"), ("png", b"\x89PNG\r\n\x1a\n"))
_PILLOW_FORMATS = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}
_MARKUP = re.compile(
    rb"<(?:!doctype|html|head|body|script|svg|iframe|object|embed|\?xml)[\s>/]", re.IGNORECASE
)
_ZIP_END = b"PK\x05\x06"  # a ZIP archive's end-of-central-directory record, in its last 64 KiB + 22 bytes


@dataclass(frozen=True, slots=True)
class Variant:
    """One served file: a width in one format, named by its SHA-256."""

    width: int
    height: int
    media_type: str  # image/webp or image/jpeg
    sha256: str
    data: bytes = b""

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.media_type]

    @property
    def name(self) -> str:
        return f"{self.sha256}.{self.extension}"


@dataclass(frozen=True, slots=True)
class Photo:
    """A re-encoded photo: its master (whose SHA-256 is signed) and the variants served."""

    master: Variant
    variants: tuple[Variant, ...]


@dataclass(frozen=True, slots=True)
class SignedPhoto:
    """A photo as its product's signed entry names it: the master's SHA-256 and the served variants."""

    sha256: str
    width: int
    height: int
    variants: tuple[Variant, ...]

    @property
    def master(self) -> Variant:
        return Variant(self.width, self.height, "image/jpeg", self.sha256)

    def files(self) -> tuple[Variant, ...]:
        return (self.master, *self.variants)

    def of_type(self, media_type: str) -> list[Variant]:
        return sorted((v for v in self.variants if v.media_type == media_type), key=lambda v: v.width)


def sniff(data: bytes) -> str | None:
    """``jpeg``, ``png`` or ``webp`` by the file's first bytes; None for anything else."""
    for kind, magic in _MAGIC:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def check_upload(data: bytes) -> str:
    """Steps 1 to 3 (size, magic bytes, nothing besides the image): the kind, or InvalidInput."""
    if not data:
        raise InvalidInput(Message.PHOTO_EMPTY, field="photo")
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidInput(Message.PHOTO_TOO_LARGE, field="photo", limit=MAX_UPLOAD_BYTES // (1024 * 1024))
    kind = sniff(data)
    if kind is None:
        raise InvalidInput(Message.PHOTO_TYPE, field="photo")
    if _ZIP_END in data[-(65536 + 22) :] or _MARKUP.search(data) is not None:
        raise InvalidInput(Message.PHOTO_NOT_ONLY_IMAGE, field="photo")
    return kind


def _decode(data: bytes, kind: str) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[_PILLOW_FORMATS[kind]])
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise InvalidInput(Message.PHOTO_TOO_MANY_PIXELS, field="photo", pixels=width * height,
                                   limit=MAX_PIXELS)  # fmt: skip
            if kind == "jpeg":  # decode at the scale the master needs: less memory for a 40-megapixel photo
                image.draft("RGB", (MASTER_EDGE, MASTER_EDGE))
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidInput(
            Message.PHOTO_TOO_MANY_PIXELS, field="photo", pixels="?", limit=MAX_PIXELS
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError):  # Pillow's ways of saying "damaged or truncated"
        raise InvalidInput(Message.PHOTO_UNREADABLE, field="photo") from None
    if min(width, height) < MIN_EDGE:
        raise InvalidInput(Message.PHOTO_TOO_SMALL, field="photo", width=width, height=height, least=MIN_EDGE)
    return image


def _pixels_only(image: Image.Image) -> Image.Image:
    """The upright pixels in RGB, transparency flattened on white, in a new image that carries no metadata."""
    try:
        upright = ImageOps.exif_transpose(image)
    except Exception:  # an unreadable EXIF block: the pixels as stored  # noqa: BLE001
        upright = image
    if upright.mode in ("RGBA", "LA", "PA") or (upright.mode == "P" and "transparency" in upright.info):
        rgba = upright.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        upright = flat
    clean = Image.new("RGB", upright.size)
    clean.paste(upright.convert("RGB"))
    return clean


def _encode(image: Image.Image, media_type: str) -> Variant:
    out = io.BytesIO()
    if media_type == "image/webp":
        image.save(out, "WEBP", quality=78, method=4)
    else:
        image.save(out, "JPEG", quality=84, optimize=True, progressive=True)
    data = out.getvalue()
    return Variant(image.width, image.height, media_type, hashlib.sha256(data).hexdigest(), data)


def _scaled(image: Image.Image, width: int) -> Image.Image:
    if width >= image.width:
        return image
    height = max(1, round(image.height * width / image.width))
    return image.resize((width, height), Image.Resampling.LANCZOS)


def prepare(data: bytes) -> Photo:
    """The upload ``data`` checked (all five steps) and re-encoded: master and variants, not yet stored."""
    kind = check_upload(data)
    image = _pixels_only(_decode(data, kind))
    image.thumbnail((MASTER_EDGE, MASTER_EDGE), Image.Resampling.LANCZOS)
    master = _encode(image, "image/jpeg")
    widths = [w for w in WIDTHS if w < image.width] or [image.width]
    if image.width < WIDTHS[-1] and image.width not in widths and len(widths) < len(WIDTHS):
        widths.append(image.width)
    variants = tuple(_encode(_scaled(image, w), t) for w in widths for t in ("image/webp", "image/jpeg"))
    return Photo(master, variants)

"""Label content and the sheet layouts labels are printed on.

Sizes are ISO 216 A4 sheets of die-cut labels (3 x 8 of 70 x 37 mm, 4 x 10 of
52.5 x 29.7 mm) and a 50 x 30 mm thermal roll (one label per page). Each label has the
QR code (GS1 Digital Link URI, ISO/IEC 18004) on the left with its 4-module quiet zone
inside ``qr_mm``; under it, for typing by hand, the short address (host and serial with
its check character, ``trace.example.vn/JDSF-GHMK-4169-Q``) or the serial alone; on the
right the product's name, its net content, lot, expiry and OCOP stars, and at the foot
the prompt to scan. Error correction is M, or Q where the symbol itself is under 2 cm
across.

The net content is printed as Vietnamese labels write it (Nghị định 43/2017/NĐ-CP):
"Khối lượng tịnh" for a mass, "Thể tích thực" for a volume, "Định lượng" otherwise.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from tracer.codes.qr import ECLevel

__all__ = ["LABEL_LAYOUTS", "PROMPT", "Label", "LabelError", "Layout", "get_layout"]

MM = 72 / 25.4  # PDF points per millimetre
PROMPT = "Quét mã để truy xuất nguồn gốc"
_MAX_NAME = 120
_MAX_NET = 50  # as the packaging event allows
_MAX_ADDRESS = 80
_MASS = re.compile(r"(?i)(?<![^\W\d_])(mg|g|gr|gam|kg|kilogam)\.?$")
_VOLUME = re.compile(r"(?i)(?<![^\W\d_])(ml|l|lít|lit|cl)\.?$")


class LabelError(ValueError):
    """A label that cannot be printed, or an unknown layout; the message names the field."""


@dataclass(frozen=True, slots=True)
class Label:
    """What one package's label shows. Text is kept in Unicode NFC."""

    uri: str
    product_name: str
    lot: str
    serial: str
    expiry: date | None = None
    stars: int | None = None
    net_content: str | None = None  # as packed, e.g. "500 g" (the packaging event's ``net_content``)
    short_address: str | None = None  # to type by hand: host and printed serial, without a scheme

    def __post_init__(self) -> None:
        for field in ("uri", "short_address"):
            value = getattr(self, field)
            if value is None and field == "short_address":
                continue
            if not value or not value.isascii() or any(c.isspace() or not c.isprintable() for c in value):
                raise LabelError(f"{field}: must be a non-empty ASCII URI without spaces, got {value!r}")
        for field in ("product_name", "lot", "serial", "net_content"):
            value = getattr(self, field)
            if value is None and field == "net_content":
                continue
            value = unicodedata.normalize("NFC", " ".join(str(value).split()))
            if not value:
                raise LabelError(f"{field}: must not be empty")
            object.__setattr__(self, field, value)
        for field, limit in (("product_name", _MAX_NAME), ("net_content", _MAX_NET),
                             ("short_address", _MAX_ADDRESS)):  # fmt: skip
            value = getattr(self, field)
            if value is not None and len(value) > limit:
                raise LabelError(f"{field}: at most {limit} characters, got {len(value)}")
        if self.stars is not None and self.stars not in (3, 4, 5):
            raise LabelError(f"stars: only 3, 4 or 5-star OCOP products show stars, got {self.stars}")

    @property
    def net_line(self) -> str | None:
        """The net content as the label prints it, named for what it measures."""
        if self.net_content is None:
            return None
        if _MASS.search(self.net_content):
            return f"Khối lượng tịnh: {self.net_content}"
        if _VOLUME.search(self.net_content):
            return f"Thể tích thực: {self.net_content}"
        return f"Định lượng: {self.net_content}"


@dataclass(frozen=True, slots=True)
class Layout:
    """A page of ``cols`` x ``rows`` labels; lengths in millimetres, type sizes in points."""

    name: str
    page_w: float
    page_h: float
    cols: int
    rows: int
    label_w: float
    label_h: float
    margin_left: float
    margin_top: float
    pad: float
    qr_mm: float
    ec: ECLevel
    name_pt: float
    info_pt: float
    serial_pt: float
    prompt_pt: float

    @property
    def per_page(self) -> int:
        return self.cols * self.rows

    def origin(self, slot: int) -> tuple[float, float]:
        """Top-left corner of label ``slot`` (row-major) in mm from the page's top-left."""
        row, col = divmod(slot, self.cols)
        return self.margin_left + col * self.label_w, self.margin_top + row * self.label_h


LABEL_LAYOUTS: Mapping[str, Layout] = MappingProxyType(
    {
        # Symbol ~23 mm at version 4: level M.
        "a4-3x8": Layout("a4-3x8", 210, 297, 3, 8, 70, 37, 0, 0.5, 2.5, 29.0, "M", 9, 7.5, 7, 6.5),
        # Symbols ~18-19 mm (under 2 cm): level Q.
        "a4-4x10": Layout("a4-4x10", 210, 297, 4, 10, 52.5, 29.7, 0, 0, 2.0, 23.0, "Q", 7.5, 6.5, 6, 5.5),
        "roll-50x30": Layout("roll-50x30", 50, 30, 1, 1, 50, 30, 0, 0, 2.0, 23.5, "Q", 7.5, 6.5, 6.5, 5.5),
    }
)


def get_layout(name: str) -> Layout:
    """The layout called ``name``, or ``LabelError`` listing the known ones."""
    try:
        return LABEL_LAYOUTS[name]
    except KeyError:
        known = ", ".join(sorted(LABEL_LAYOUTS))
        raise LabelError(f"layout: unknown {name!r}, expected one of {known}") from None

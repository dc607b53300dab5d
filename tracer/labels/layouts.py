"""Label content and the sheet layouts labels are printed on.

Sizes are ISO 216 A4 sheets of die-cut labels (3 x 8 of 70 x 37 mm, 4 x 10 of
52.5 x 29.7 mm) and a 50 x 30 mm thermal roll (one label per page). Each label has the
QR code (GS1 Digital Link URI, ISO/IEC 18004) on the left with its 4-module quiet zone
inside ``qr_mm``, the serial printed under it for typing by hand, and the text on the
right. Error correction is M, or Q where the symbol itself is under 2 cm across.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from tracer.codes.qr import ECLevel

__all__ = ["LABEL_LAYOUTS", "Label", "LabelError", "Layout", "get_layout"]

MM = 72 / 25.4  # PDF points per millimetre
_MAX_NAME = 120


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

    def __post_init__(self) -> None:
        if not self.uri or not self.uri.isascii() or any(c.isspace() for c in self.uri):
            raise LabelError(f"uri: must be a non-empty ASCII URI without spaces, got {self.uri!r}")
        for field in ("product_name", "lot", "serial"):
            value = unicodedata.normalize("NFC", " ".join(str(getattr(self, field)).split()))
            if not value:
                raise LabelError(f"{field}: must not be empty")
            object.__setattr__(self, field, value)
        if len(self.product_name) > _MAX_NAME:
            raise LabelError(f"product_name: at most {_MAX_NAME} characters, got {len(self.product_name)}")
        if self.stars is not None and self.stars not in (3, 4, 5):
            raise LabelError(f"stars: only 3, 4 or 5-star OCOP products show stars, got {self.stars}")


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
        "a4-3x8": Layout("a4-3x8", 210, 297, 3, 8, 70, 37, 0, 0.5, 2.5, 29.0, "M", 9, 7.5, 7),
        # Symbols ~18-19 mm (under 2 cm): level Q.
        "a4-4x10": Layout("a4-4x10", 210, 297, 4, 10, 52.5, 29.7, 0, 0, 2.0, 23.0, "Q", 7.5, 6.5, 6),
        "roll-50x30": Layout("roll-50x30", 50, 30, 1, 1, 50, 30, 0, 0, 2.0, 23.5, "Q", 7.5, 6.5, 6.5),
    }
)


def get_layout(name: str) -> Layout:
    """The layout called ``name``, or ``LabelError`` listing the known ones."""
    try:
        return LABEL_LAYOUTS[name]
    except KeyError:
        known = ", ".join(sorted(LABEL_LAYOUTS))
        raise LabelError(f"layout: unknown {name!r}, expected one of {known}") from None

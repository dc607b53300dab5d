"""Charts drawn on the server as inline SVG: no script, a few hundred bytes, readable on a slow phone.

The SVG scales to the screen width (``viewBox``), carries a ``<title>`` and a text summary for screen
readers, and escapes every label. Colours come from presentation attributes, not ``style`` attributes, so
a Content-Security-Policy without ``unsafe-inline`` allows it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from markupsafe import Markup, escape

WIDTH = 320
HEIGHT = 120
BASE = 100  # y of the axis; labels go below it
BAR_COLOUR = "#1f7a3a"


def _nice_top(peak: int) -> int:
    """A round top for the axis: 1, 2, 5, 10, 20, 50 ..."""
    scale = 1
    while True:
        for step in (1, 2, 5):
            if step * scale >= peak:
                return step * scale
        scale *= 10


def bars_by_day(counts: Sequence[tuple[date, int]], *, title: str) -> Markup:
    """A bar per day; the first, middle and last days are labelled dd/mm, the peak is written on the axis."""
    if not counts:
        return Markup("")
    peak = max(n for _day, n in counts)
    top = _nice_top(max(peak, 1))
    slot = WIDTH / len(counts)
    bar = max(slot * 0.7, 1.0)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="chart-title" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="chart-title">{escape(title)}</title>',
        f'<line x1="0" y1="{BASE}" x2="{WIDTH}" y2="{BASE}" stroke="#9aa59d" stroke-width="1"/>',
        f'<text x="2" y="10" font-size="9" fill="#5d6b62">{top}</text>',
        f'<line x1="0" y1="12" x2="{WIDTH}" y2="12" stroke="#e3e7e1" stroke-width="1"/>',
    ]
    for i, (day, n) in enumerate(counts):
        height = (BASE - 12) * n / top
        x = i * slot + (slot - bar) / 2
        label = f"{day.strftime('%d/%m/%Y')}: {n}"
        parts.append(
            f'<rect x="{x:.1f}" y="{BASE - height:.1f}" width="{bar:.1f}" height="{height:.1f}" '
            f'fill="{BAR_COLOUR}"><title>{escape(label)}</title></rect>'
        )
        if i in (0, len(counts) // 2, len(counts) - 1):
            anchor = "start" if i == 0 else ("end" if i == len(counts) - 1 else "middle")
            tx = i * slot + {"start": 0.0, "end": slot, "middle": slot / 2}[anchor]
            parts.append(
                f'<text x="{tx:.1f}" '
                f'y="{BASE + 12}" font-size="9" text-anchor="{anchor}" fill="#5d6b62">'
                f"{escape(day.strftime('%d/%m'))}</text>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - built here from escaped labels and numbers


def bars_by_label(counts: Sequence[tuple[str, int]], *, title: str, empty_label: str) -> Markup:
    """Horizontal bars, one per label (e.g. province), longest first."""
    if not counts:
        return Markup("")
    peak = max(n for _label, n in counts) or 1
    row = 22
    height = row * len(counts) + 4
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="chart-prov" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="chart-prov">{escape(title)}</title>'
    ]
    for i, (label, n) in enumerate(counts):
        y = i * row + 2
        width = (WIDTH - 150) * n / peak
        parts.append(
            f'<text x="0" y="{y + 14}" font-size="11" fill="#1d2a22">{escape(label or empty_label)}</text>'
            f'<rect x="120" y="{y + 3}" width="{width:.1f}" height="14" fill="{BAR_COLOUR}"/>'
            f'<text x="{124 + width:.1f}" y="{y + 14}" font-size="11" fill="#1d2a22">{n}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - built here from escaped labels and numbers

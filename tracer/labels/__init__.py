"""Printable package labels: QR code, the short address and serial with its check character, product name,
net content, lot, expiry, OCOP stars and the prompt to scan.

``write_labels_pdf`` streams label sheets (``LABEL_LAYOUTS``) to a PDF; see ``pdf``.
"""

from tracer.labels.layouts import LABEL_LAYOUTS, Label, LabelError, Layout
from tracer.labels.pdf import write_labels_pdf

__all__ = ["LABEL_LAYOUTS", "Label", "LabelError", "Layout", "write_labels_pdf"]

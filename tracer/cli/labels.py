"""``labels``: a lot's package labels as a PDF: ``python -m tracer labels LOT --layout a4-3x8 -o x.pdf``."""

from __future__ import annotations

import os
from pathlib import Path

import click

from tracer.labels import LABEL_LAYOUTS, LabelError, write_labels_pdf
from tracer.labels.printed import lot_labels
from tracer.platform import clock, db
from tracer.platform.errors import InvalidInput
from tracer.platform.services import services


@click.command("labels")
@click.argument("lot_id")
@click.option("--layout", type=click.Choice(sorted(LABEL_LAYOUTS)), default="a4-3x8", show_default=True,
              help="label sheet: A4 3x8 or 4x10 die-cut sheets, or a 50x30 mm thermal roll")  # fmt: skip
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="the PDF file to write")  # fmt: skip
def print_labels(lot_id: str, layout: str, output: Path) -> None:
    """Write the labels of every package of LOT_ID (QR code, serial, name, lot, expiry, stars) as a PDF."""
    settings = services().settings
    today = clock.today()
    labels = lot_labels(session=db.session(), organisation_id=None, lot_id=lot_id,
                        public_url=settings.public_url, today=today)  # fmt: skip
    partial = output.with_name(f".{output.name}.{os.getpid()}.part")
    try:
        with partial.open("wb") as handle:
            pages = write_labels_pdf(labels, layout, handle)
        partial.replace(output)  # all or nothing: never leave half a PDF under the asked name
    except LabelError as error:
        raise InvalidInput(str(error)) from None
    finally:
        partial.unlink(missing_ok=True)
    click.echo(f"ok: {len(labels)} labels on {pages} pages ({layout}) -> {output}")

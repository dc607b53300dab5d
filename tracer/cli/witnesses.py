"""``witness-link POLICY [--svg FILE]``: the scanner link (and its QR code) that installs a witness policy
on an inspector's phone, for the programme office to print (docs/operations.md, "Witnesses")."""

from __future__ import annotations

from pathlib import Path

import click

from tracer.codes.qr import encode_qr
from tracer.ledger.policy import provisioning_link
from tracer.platform.services import services


@click.command("witness-link")
@click.argument("policy", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--svg", "svg_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="also write the link as a QR code (SVG) to print")  # fmt: skip
def witness_link(policy: Path, svg_path: Path | None) -> None:
    """Print the scanner link that installs the witness policy in POLICY (witness, quorum, freshness)."""
    link = provisioning_link(services().settings.public_url, policy.read_text(encoding="utf-8"))
    if svg_path is not None:
        svg_path.write_text(encode_qr(link, "L").svg(), encoding="utf-8")
    click.echo(link)

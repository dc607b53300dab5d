"""``ledger verify-package FILE --key VKEY``: check a package proof bundle offline, as the scanner does."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from tracer.ledger.errors import VerificationError
from tracer.proofs.verdict import verify_package_bundle


@click.command("verify-package")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--key", "key", required=True, help="the log's verifier key (name+keyid+base64), pinned")
@click.option("--today", "today", default=None, help="judge certificate validity on this day (yyyy-mm-dd)")
def verify_package(path: str, key: str, today: str | None) -> None:
    """Verify a package bundle (GET /api/v1/packages/SERIAL/proof): public data only, no database."""
    try:
        bundle = json.loads(Path(path).read_text(encoding="utf-8"))
        day = date.fromisoformat(today) if today else None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise VerificationError(f"cannot read package bundle {path}: {exc}") from exc
    verdict = verify_package_bundle(bundle, key, today=day)
    cp = verdict.checkpoint
    click.echo(
        f"OK: package {verdict.serial} of lot {verdict.lot_id} verified against {cp.origin} "
        f"(checkpoint size {cp.size}, {verdict.entries} entries): {verdict.status.upper()}"
    )
    for reason in verdict.reasons:
        click.echo(f"  {reason}")
    for advice in verdict.advice:
        click.echo(f"  note (not signed, not part of the verdict): {advice}")

"""``backup FILE`` and ``restore FILE``: the whole database, online."""

from __future__ import annotations

from pathlib import Path

import click

from tracer.platform import backup as backups
from tracer.platform import db, journal


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup(file: Path) -> None:
    """Write a consistent backup of the running database to FILE (a new file)."""
    size = backups.backup(db.engine(), file)
    click.echo(f"ok: backup written to {file} ({size} bytes)")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="do not ask before replacing the database's contents")
def restore(file: Path, yes: bool) -> None:
    """Replace the database's contents with the backup in FILE, then verify the ledger."""
    if not yes:
        click.confirm(f"Replace every row of {db.engine().url.render_as_string()} with {file}?", abort=True)
    backups.restore(db.engine(), file)
    with db.engine().connect() as conn:
        report = journal.store().verify_store(conn)
    click.echo(
        f"ok: restored from {file}; ledger verified: "
        f"{report.entries} entries, {report.checkpoints} checkpoints"
    )

"""``ledger verify | verify-bundle | checkpoint`` and ``rebuild``: audit the log and the projections derived
from it, rebuild from it."""

from __future__ import annotations

import click

from tracer.ledger.connection import lock_state
from tracer.platform import db, journal


@click.group("ledger")
def ledger() -> None:
    """The tamper-evident log."""


@ledger.command("verify")
@click.option("--no-projections", is_flag=True, help="check the log only, not the tables derived from it")
def verify(no_projections: bool) -> None:
    """Re-derive every hash and signature and check every checkpoint against the next, replay the
    verifiable map and check every checkpoint's map root and the stored map; then rebuild every projection
    from the ledger in a transaction that is rolled back and compare it with the live tables."""
    with db.engine().connect() as conn:
        report = journal.store().verify_store(conn)
    line = f"ok: {report.entries} entries, {report.checkpoints} checkpoints"
    if report.map_checkpoints:
        line += f" ({report.map_checkpoints} commit to the verifiable map, recomputed from the entries)"
    if not no_projections:
        from tracer.events.audit import audit_projections

        projections = audit_projections(db.engine())  # with the profile pointers, before their files
        line += "; " + _photo_files()
        line += f"; {projections.tables} projection tables ({projections.rows} rows) match the ledger"
    click.echo(line)


def _photo_files() -> str:
    """Every product photo file named by a signed profile hashes to its signed SHA-256."""
    from sqlmodel import Session

    from tracer.events.profile_audit import check_files
    from tracer.ledger.errors import VerificationError
    from tracer.photos.store import app_store

    with Session(db.engine()) as session:
        problem = check_files(session, app_store())
    if problem is not None:
        raise VerificationError(problem)
    return "product photo files match their signatures"


@ledger.command("checkpoint")
def checkpoint() -> None:
    """Print the latest signed checkpoint, with the witnesses' cosignatures kept for it."""
    with db.engine().connect() as conn:
        click.echo(journal.cosigned_checkpoint(conn), nl=False)


@ledger.command("key")
def key() -> None:
    """Print the log's C2SP verifier key (what witnesses, scanners and auditors pin)."""
    with db.engine().connect() as conn:
        click.echo(journal.store().verifier_key(conn))


@ledger.command("verify-bundle")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--key", "key", required=True, help="the log's verifier key (name+keyid+base64)")
def verify_bundle(path: str, key: str) -> None:
    """Check a proof bundle offline: no database, public data only."""
    from tracer.ledger.verify import verify_bundle_cli

    click.echo(verify_bundle_cli(path, key))


@click.command("rebuild")
def rebuild() -> None:
    """Drop every projection and rebuild it from the ledger."""
    from tracer.events.projection import rebuild as replay

    with db.writer() as session:
        lock_state(session.connection())
        applied = replay(session, list(journal.iter_entries(session.connection())))
    click.echo(f"ok: rebuilt projections from {applied} events")

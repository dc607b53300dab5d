"""``python -m tracer witness init|key|serve --config FILE``: run a witness (no database of the service,
no settings of it: the witness's own TOML file, key and SQLite file)."""

from __future__ import annotations

from pathlib import Path

import click

from tracer.ledger.errors import LedgerError
from tracer.witness.app import create_witness_app, make_witness
from tracer.witness.config import WitnessConfig

CONFIG = click.option(
    "--config",
    "config_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="its TOML file",
)


def _load(config_path: Path) -> WitnessConfig:
    try:
        return WitnessConfig.load(config_path)
    except LedgerError as error:
        raise click.ClickException(str(error)) from None


@click.group("witness")
def witness() -> None:
    """A C2SP tlog-witness for the logs named in its configuration."""


@witness.command("init")
@CONFIG
def init(config_path: Path) -> None:
    """Make the witness's Ed25519 key (once) and print its verifier key."""
    config = _load(config_path)
    made = config.create_key()

    try:
        click.echo(("made a key; " if made else "") + "verifier key: " + make_witness(config).verifier_key)
    except LedgerError as error:
        raise click.ClickException(str(error)) from None


@witness.command("key")
@CONFIG
def key(config_path: Path) -> None:
    """Print the witness's verifier key (type 0x04), to give to logs and verifiers."""

    try:
        click.echo(make_witness(_load(config_path)).verifier_key)
    except LedgerError as error:
        raise click.ClickException(str(error)) from None


@witness.command("serve")
@CONFIG
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8100, show_default=True, type=click.IntRange(1, 65535))
@click.option("--verify-map", is_flag=True, help="recompute each log's verifiable map before cosigning")
def serve(config_path: Path, host: str, port: int, verify_map: bool) -> None:
    """Serve POST /add-checkpoint (threaded werkzeug; behind gunicorn: tracer.witness.wsgi:app)."""
    from werkzeug.serving import run_simple

    try:
        app = create_witness_app(_load(config_path), verify_map=verify_map)
    except LedgerError as error:
        raise click.ClickException(str(error)) from None
    run_simple(host, port, app, threaded=True)

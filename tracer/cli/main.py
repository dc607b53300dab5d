"""The ``tracer`` command: the command modules beside this one, assembled (each module defines its
commands and knows nothing of the group).

The app is the one Flask's ``ScriptInfo`` loads: under ``flask tracer`` or a test runner that app, under
``python -m tracer`` the factory that ``tracer.__main__`` hands in.
"""

from __future__ import annotations

import click
from flask.cli import ScriptInfo

from tracer.cli import accounts, audit, backup, data, labels, ledger, proofs, setup, witnesses
from tracer.cli.group import TracerGroup


@click.group(cls=TracerGroup)
@click.pass_context
def cli(ctx: click.Context) -> None:
    """OCOP Tracer administration."""
    info = ctx.find_object(ScriptInfo)
    if info is None:
        raise click.UsageError("no app to run against: start with `python -m tracer` or `flask tracer`")
    ctx.with_resource(info.load_app().app_context())


for command in (
    accounts.token,
    audit.audit,
    accounts.user,
    backup.backup,
    backup.restore,
    data.load_demo,
    ledger.ledger,
    ledger.rebuild,
    setup.init,
    labels.print_labels,
    witnesses.witness_link,
):
    cli.add_command(command)

ledger.ledger.add_command(proofs.verify_package)

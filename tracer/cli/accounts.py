"""``token create`` and ``user create``: accounts from the command line."""

from __future__ import annotations

import click

from tracer.accounts import tokens
from tracer.accounts.users import create_user, user_by_email
from tracer.cli.group import ID, TEXT
from tracer.platform import db


@click.group("token")
def token() -> None:
    """API tokens."""


@token.command("create")
@click.option("--user", "email", required=True, help="the e-mail of the token's user")
@click.option("--name", default="cli", show_default=True, type=TEXT)
def create(email: str, name: str) -> None:
    """Create an API token; the token is the last line printed (shown once)."""
    with db.writer() as session:
        user = user_by_email(session=session, email=email)
        plaintext, row = tokens.create_token(session=session, user=user, name=name)
    click.echo(f"token {row.id} for {user.email} ({user.role}); keep it now, it is not shown again:")
    click.echo(plaintext)


@click.group("user")
def user() -> None:
    """Accounts."""


@user.command("create")
@click.option("--email", required=True, type=TEXT)
@click.option("--name", "full_name", required=True, type=TEXT)
@click.option("--role", required=True, type=click.Choice(["producer", "inspector", "authority", "admin"]))
@click.option("--organisation", "organisation_id", type=ID, default=None)
@click.password_option()
def create_account(email: str, full_name: str, role: str, organisation_id: int | None, password: str) -> None:
    """Create a user (the password is asked for twice)."""
    with db.writer() as session:
        account = create_user(
            session=session,
            email=email,
            full_name=full_name,
            role=role,
            password=password,
            organisation_id=organisation_id,
        )
    click.echo(f"ok: user {account.id} {account.email} ({account.role})")

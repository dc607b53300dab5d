"""What every demo case records with: accounts, organisations, products and events, through the same domain
functions as the API and forms, in the caller's session, with dates relative to today."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session

from tracer.accounts.actors import SYSTEM, Actor
from tracer.accounts.users import actor_for, create_user
from tracer.events import commands as c
from tracer.events.dispatch import record
from tracer.events.onboarding import NewOrganisation, NewProduct, create_product, onboard_organisation
from tracer.models.accounts import Role
from tracer.models.organisations import Organisation


@dataclass
class DemoResult:
    accounts: list[tuple[str, str, str]] = field(default_factory=list)  # (e-mail, password, role)
    lots: dict[str, str] = field(default_factory=dict)
    packages: dict[str, list[str]] = field(default_factory=dict)


def password() -> str:
    """A fresh password for a demo account, printed once with the accounts."""
    return "ocop-" + secrets.token_urlsafe(9)


@dataclass
class Kit:
    session: Session
    today: date
    small: bool  # fewer packages per lot (tests)
    company_prefix: str | None = None  # GTINs for products without one are allotted under it
    result: DemoResult = field(default_factory=DemoResult)

    def ago(self, days: int) -> date:
        return self.today - timedelta(days=days)

    def account(self, email: str, name: str, role: Role, org: int | None = None) -> Actor:
        secret = password()
        user = create_user(
            session=self.session, email=email, full_name=name, role=role, password=secret, organisation_id=org
        )
        self.result.accounts.append((email, secret, role.value))
        return actor_for(user)

    def org(self, **fields: Any) -> Organisation:
        return onboard_organisation(session=self.session, actor=SYSTEM, command=NewOrganisation(**fields))

    def product(self, owner: Organisation, **fields: Any) -> int:
        assert owner.id is not None
        made = create_product(
            session=self.session, actor=SYSTEM, organisation_id=owner.id, command=NewProduct(**fields),
            company_prefix=self.company_prefix,
        )  # fmt: skip
        assert made.id is not None
        return made.id

    def go(self, actor: Actor, command: c.Command) -> dict[str, Any]:
        """Record ``command`` as ``actor`` (signed, appended, projected); the event's body."""
        return record(session=self.session, actor=actor, command=command).body

"""The identity a domain function acts for: a user with a role, in an organisation, by password or token."""

from __future__ import annotations

from dataclasses import dataclass

from tracer.models.accounts import Role
from tracer.platform.errors import Forbidden


@dataclass(frozen=True)
class Actor:
    user_id: int
    email: str
    role: Role
    organisation_id: int | None
    token_id: int | None = None

    def require(self, *roles: Role) -> None:
        """Raise Forbidden unless this actor has one of ``roles``."""
        if self.role not in roles:
            allowed = ", ".join(r.value for r in roles)
            raise Forbidden(f"role {self.role.value!r} may not do this (needs {allowed})")

    def require_organisation(self) -> int:
        if self.organisation_id is None:
            raise Forbidden("this account does not belong to an organisation")
        return self.organisation_id

    @property
    def signer_owner(self) -> str:
        """Whose key signs this actor's events in the ledger."""
        if self.role in (Role.AUTHORITY, Role.ADMIN):
            return "authority"
        if self.role is Role.INSPECTOR:
            return f"user:{self.user_id}"
        return f"org:{self.require_organisation()}"


# The service itself, acting for the programme office from the command line (init, demo, onboarding).
SYSTEM = Actor(user_id=0, email="system@localhost", role=Role.ADMIN, organisation_id=None)

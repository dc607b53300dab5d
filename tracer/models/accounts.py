"""People and machines that act: users with roles, their login sessions and their hashed API tokens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from tracer.models.types import UTCDateTime, utcnow


class Role(StrEnum):
    PRODUCER = "producer"  # a member of a producing organisation
    INSPECTOR = "inspector"  # quản lý thị trường
    AUTHORITY = "authority"  # the OCOP programme office
    ADMIN = "admin"


class User(SQLModel, table=True):
    __tablename__ = "users"
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=200, unique=True, index=True)
    full_name: str = Field(max_length=200)
    role: str = Field(max_length=20)  # a Role value
    organisation_id: int | None = Field(default=None, foreign_key="organisations.id", index=True)
    password_hash: str = Field(max_length=200)
    failed_logins: int = 0  # failed sign-ins since the last successful one: the owner is told at sign-in
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class LoginSession(SQLModel, table=True):
    """A signed-in browser: the session cookie holds a random key whose SHA-256 is kept here. Signing out
    deletes the row, so a copied or replayed cookie opens nothing afterwards."""

    __tablename__ = "login_sessions"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    key_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ApiToken(SQLModel, table=True):
    """A bearer token: shown once, stored as its SHA-256, scoped to its user's organisation and role."""

    __tablename__ = "api_tokens"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=16)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    role: str = Field(max_length=20)
    organisation_id: int | None = Field(default=None, foreign_key="organisations.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

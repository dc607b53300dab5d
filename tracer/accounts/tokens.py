"""API bearer tokens: random, shown once, stored as SHA-256, scoped to the user's organisation and role.

Who makes them: only the user, signed in with a password (``mint_token``). Nobody makes tokens for someone
else (a token acts with its user's signing key: the programme office minting one for an inspector could sign
inspections as that inspector), and a token cannot make or revoke tokens (a leaked token cannot entrench
itself, nor revoke its owner's others). The command line (``tracer token create``) is the operator's.
A password change revokes all of the user's tokens (``revoke_all``).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.sql.elements import ClauseElement
from sqlmodel import Session, col
from sqlmodel import select as select_model

from tracer.accounts.actors import Actor
from tracer.models.accounts import ApiToken, Role, User
from tracer.models.types import utcnow
from tracer.platform.errors import Forbidden, InvalidInput, NotFound, Unauthenticated
from tracer.platform.fastread import FastReader
from tracer.platform.messages import Message

PREFIX = "oct_"
LAST_USED_GRANULARITY = timedelta(minutes=5)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def mint_token(*, session: Session, actor: Actor, name: str) -> tuple[str, ApiToken]:
    """A new token for ``actor``'s own account: Forbidden when ``actor`` acts through a token."""
    if actor.token_id is not None:
        raise Forbidden(Message.TOKEN_CANNOT_MINT)
    user = session.get(User, actor.user_id)
    if user is None:
        raise NotFound(f"no user {actor.user_id}")
    return create_token(session=session, user=user, name=name)


def create_token(*, session: Session, user: User, name: str = "api") -> tuple[str, ApiToken]:
    """A new token for ``user``; returns the plaintext (shown once) and the stored row. Not for web or API
    requests (they use ``mint_token``): for the operator's command line and tests."""
    if not user.active:
        raise InvalidInput(Message.USER_DISABLED, field="user", email=user.email)
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput(Message.TOKEN_NAME_REQUIRED, field="name")
    plaintext = PREFIX + secrets.token_urlsafe(32)
    assert user.id is not None
    row = ApiToken(
        user_id=user.id,
        name=name,
        prefix=plaintext[:10],
        token_hash=_digest(plaintext),
        role=user.role,
        organisation_id=user.organisation_id,
    )
    session.add(row)
    session.flush()
    return plaintext, row


_FIND: ClauseElement = (
    select(
        col(ApiToken.id),
        col(ApiToken.role),
        col(ApiToken.organisation_id),
        col(ApiToken.revoked_at),
        col(ApiToken.last_used_at),
        col(User.id).label("user_id"),
        col(User.email),
        col(User.active),
    )
    .select_from(ApiToken)
    .join(User, col(User.id) == col(ApiToken.user_id), isouter=True)
    .where(col(ApiToken.token_hash) == bindparam("digest"))
)


def authenticate(*, reader: FastReader, session: Session, plaintext: str) -> Actor:
    """The actor behind a bearer token; Unauthenticated when unknown, revoked or its user is disabled.

    Every request reads the token afresh (a revocation holds from the next request on), with one indexed
    statement on the thread's ``FastReader`` connection; ``session`` writes the last-used time, at most
    every ``LAST_USED_GRANULARITY``."""
    if not plaintext.startswith(PREFIX) or len(plaintext) > 100:
        raise Unauthenticated("the bearer token is malformed")
    row = reader.first(_FIND, {"digest": _digest(plaintext)})
    if row is None:
        raise Unauthenticated("the bearer token is not known")
    if row["revoked_at"] is not None:
        raise Unauthenticated("the bearer token has been revoked")
    if row["user_id"] is None or not row["active"]:
        raise Unauthenticated("the token's user is disabled")
    now = utcnow()
    if row["last_used_at"] is None or now - row["last_used_at"] > LAST_USED_GRANULARITY:
        _touch(session, row["id"], now)
    return Actor(
        user_id=row["user_id"],
        email=row["email"],
        role=Role(row["role"]),
        organisation_id=row["organisation_id"],
        token_id=row["id"],
    )


def _touch(session: Session, token_id: int, now: datetime) -> None:
    try:
        session.execute(update(ApiToken).where(col(ApiToken.id) == token_id).values(last_used_at=now))
        session.commit()
    except OperationalError:  # bookkeeping only: a read-only or full database must not refuse reads
        session.rollback()


def revoke_token(*, session: Session, token_id: int, by: Actor) -> ApiToken:
    """Revoke one token: the user's own, or anyone's by the programme office or an admin; never through a
    token."""
    if by.token_id is not None:
        raise Forbidden(Message.TOKEN_CANNOT_REVOKE)
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFound(f"no token {token_id}")
    if by.role not in (Role.ADMIN, Role.AUTHORITY) and row.user_id != by.user_id:
        raise NotFound(f"no token {token_id}")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)
        session.flush()
    return row


def revoke_all(*, session: Session, user_id: int) -> None:
    """Revoke every live token of ``user_id`` (a password change)."""
    session.execute(
        update(ApiToken)
        .where(col(ApiToken.user_id) == user_id, col(ApiToken.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )


def tokens_of(*, session: Session, user_id: int) -> list[ApiToken]:
    query = select_model(ApiToken).where(ApiToken.user_id == user_id).order_by(col(ApiToken.id))
    return list(session.exec(query))

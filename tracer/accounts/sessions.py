"""Login sessions kept in the database: the browser's signed cookie holds a random key, the table its SHA-256.

A session is valid while its row exists and is younger than ``LIFETIME``; every request looks it up, so
signing out (the row is deleted) or changing the password (the user's other rows are deleted) ends a session
on the server, whatever copy of the cookie is replayed later. A stolen table gives no usable cookie.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from tracer.models.accounts import LoginSession, User
from tracer.models.types import utcnow

LIFETIME = timedelta(hours=12)  # as the cookie's (PERMANENT_SESSION_LIFETIME in create_app)
KEY_LENGTH = 43  # characters of secrets.token_urlsafe(32)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def open_session(*, session: Session, user_id: int) -> str:
    """A new login session for ``user_id``; returns the key for the cookie. The user's expired rows go."""
    now = utcnow()
    session.execute(
        delete(LoginSession).where(
            col(LoginSession.user_id) == user_id, col(LoginSession.created_at) <= now - LIFETIME
        )
    )
    key = secrets.token_urlsafe(32)
    session.add(LoginSession(user_id=user_id, key_hash=_digest(key), created_at=now))
    session.flush()
    return key


def session_user(*, session: Session, user_id: int, key: str) -> User | None:
    """The active user of a live session ``key`` belonging to ``user_id``; None otherwise."""
    if not isinstance(key, str) or len(key) != KEY_LENGTH:
        return None
    query = (
        select(User)
        .join(LoginSession, col(LoginSession.user_id) == col(User.id))
        .where(
            col(LoginSession.key_hash) == _digest(key),
            col(LoginSession.user_id) == user_id,
            col(LoginSession.created_at) > utcnow() - LIFETIME,
            col(User.active).is_(True),
        )
    )
    return session.exec(query).first()


def end_session(*, session: Session, key: str) -> None:
    """Sign out: the session ``key`` opens nothing from now on."""
    if isinstance(key, str):
        session.execute(delete(LoginSession).where(col(LoginSession.key_hash) == _digest(key)))


def end_other_sessions(*, session: Session, user_id: int, keep: str | None) -> int:
    """End every session of ``user_id`` except ``keep`` (all of them when None); returns how many ended."""
    query = delete(LoginSession).where(col(LoginSession.user_id) == user_id)
    if keep is not None:
        query = query.where(col(LoginSession.key_hash) != _digest(keep))
    result = session.execute(query)
    return int(getattr(result, "rowcount", 0) or 0)

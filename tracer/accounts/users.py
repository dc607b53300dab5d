"""Users: creation with validated e-mail and role, and password login with lock-out after failures."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import Session, select

from tracer.accounts.actors import Actor
from tracer.accounts.passwords import DUMMY_HASH, hash_password, verify_password
from tracer.models.accounts import Role, User
from tracer.models.organisations import Organisation
from tracer.models.types import utcnow
from tracer.platform.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from tracer.platform.messages import Message

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if len(email) > 200 or not EMAIL.match(email):
        raise InvalidInput(Message.BAD_EMAIL, field="email")
    return email


def create_user(
    *,
    session: Session,
    email: str,
    full_name: str,
    role: Role | str,
    password: str,
    organisation_id: int | None = None,
) -> User:
    email = normalise_email(email)
    try:
        role = Role(role)
    except ValueError:
        raise InvalidInput(Message.UNKNOWN_ROLE, field="role", role=role) from None
    full_name = full_name.strip()
    if not full_name or len(full_name) > 200:
        raise InvalidInput(Message.NAME_REQUIRED, field="full_name")
    if role is Role.PRODUCER and organisation_id is None:
        raise InvalidInput(Message.PRODUCER_WITHOUT_ORGANISATION, field="organisation_id")
    if organisation_id is not None and session.get(Organisation, organisation_id) is None:
        raise InvalidInput(Message.NO_ORGANISATION, field="organisation_id", org=organisation_id)
    if session.exec(select(User).where(User.email == email)).first() is not None:
        raise Conflict(Message.ACCOUNT_EXISTS, field="email", email=email)
    user = User(
        email=email,
        full_name=full_name,
        role=role.value,
        organisation_id=organisation_id,
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    return user


def actor_for(user: User) -> Actor:
    assert user.id is not None
    return Actor(
        user_id=user.id, email=user.email, role=Role(user.role), organisation_id=user.organisation_id
    )


def user_by_email(*, session: Session, email: str) -> User:
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        raise NotFound(f"no user {email}", field="email")
    return user


def login(*, session: Session, email: str, password: str) -> User:
    """The user for these credentials. Five failures in a row lock the account for 15 minutes."""
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    now = utcnow()
    if user is None:
        verify_password(DUMMY_HASH, password)
        raise Unauthenticated(Message.WRONG_LOGIN)
    if user.locked_until is not None and user.locked_until > now:
        raise Unauthenticated(Message.LOCKED_OUT)
    if not user.active or not verify_password(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILURES:
            user.locked_until = now + LOCK_FOR
            user.failed_logins = 0
        session.add(user)
        session.commit()
        raise Unauthenticated(Message.WRONG_LOGIN)
    user.failed_logins = 0
    user.locked_until = None
    session.add(user)
    session.commit()
    return user


def change_password(*, session: Session, user: User, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current):
        raise InvalidInput(Message.WRONG_PASSWORD, field="current_password")
    user.password_hash = hash_password(new)
    session.add(user)
    session.flush()

"""Users: creation with validated e-mail and role, password checks slowed by ``tracer.accounts.throttle``
(never a lock-out), and password changes that end the user's other sessions and tokens."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from tracer.accounts.actors import Actor
from tracer.accounts.devices import Device
from tracer.accounts.passwords import DUMMY_HASH, hash_password, verify_password
from tracer.accounts.sessions import end_other_sessions
from tracer.accounts.throttle import LoginThrottle, Source
from tracer.accounts.tokens import revoke_all
from tracer.models.accounts import Role, User
from tracer.models.organisations import Organisation
from tracer.models.types import utcnow
from tracer.platform.errors import Conflict, InvalidInput, NotFound
from tracer.platform.messages import Message

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


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


@dataclass(frozen=True)
class LoginCheck:
    """The outcome of ``check_login``: ``user`` when the password was right; ``slowed`` when the throttle
    refused the attempt unchecked. Callers give every failure the same answer."""

    user: User | None
    slowed: bool = False


def check_login(
    *,
    session: Session,
    throttle: LoginThrottle,
    email: str,
    password: str,
    network: str,
    device: Device | None,
) -> LoginCheck:
    """Check a password for ``email``, unless ``throttle`` (``tracer.accounts.throttle``) slows this
    source down. Failures: unknown e-mail, wrong password, disabled account, slowed. ``network`` is the
    client's (``tracer.platform.ratelimit.client_network``), ``device`` its browser's device cookie, if
    any. Writes nothing to the database: the caller records the outcome (``record_failure``,
    ``record_success``)."""
    email = email.strip().lower()
    user = None
    if len(email) <= 200 and "\x00" not in email:
        user = session.exec(select(User).where(User.email == email)).first()
    if device is not None and user is not None and device.user_id == user.id:
        source = Source(f"device:{device.id}", trusted=True)
    else:
        source = Source(f"net:{network}")
    if not throttle.allows(email=email, source=source):
        return LoginCheck(user=None, slowed=True)
    if user is None:
        verify_password(DUMMY_HASH, password)  # the same time as for a real account
        checked = False
    else:
        checked = verify_password(user.password_hash, password) and user.active
    if not checked:
        throttle.failed(email=email, source=source)
        return LoginCheck(user=None)
    throttle.succeeded(email=email, source=source)
    return LoginCheck(user=user)


def record_failure(*, session: Session, email: str) -> None:
    """Count a failed sign-in on the account ``email`` (if there is one), for its owner to be told."""
    email = email.strip().lower()
    if len(email) > 200 or "\x00" in email:
        return
    session.execute(
        update(User).where(col(User.email) == email).values(failed_logins=col(User.failed_logins) + 1)
    )


@dataclass(frozen=True)
class SinceLastSignIn:
    """What the owner is told on signing in: failed attempts since the previous sign-in, and when that was."""

    failures: int
    previous: datetime | None


def record_success(*, session: Session, user_id: int) -> SinceLastSignIn:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}")
    told = SinceLastSignIn(failures=user.failed_logins, previous=user.last_login_at)
    user.failed_logins = 0
    user.last_login_at = utcnow()
    session.add(user)
    session.flush()
    return told


def change_password(
    *, session: Session, user: User, current: str, new: str, keep_session: str | None
) -> None:
    """Set a new password. Every API token of the user is revoked and every other login session ends (only
    ``keep_session``, the one making the change, goes on): whoever learnt the old password keeps nothing."""
    if not verify_password(user.password_hash, current):
        raise InvalidInput(Message.WRONG_PASSWORD, field="current_password")
    user.password_hash = hash_password(new)
    session.add(user)
    assert user.id is not None
    revoke_all(session=session, user_id=user.id)
    end_other_sessions(session=session, user_id=user.id, keep=keep_session)
    session.flush()

"""Who is asking: the actor behind a request, from a bearer token (API clients) or a login session (web).

A view calls ``current_actor(Role.PRODUCER, ...)`` once; it raises Unauthenticated (401) when nobody is
signed in and Forbidden (403) for a role not allowed. A session cookie used on the JSON API must come with
the page's CSRF token in ``X-CSRFToken`` for any write, since cookies travel with cross-site requests and
bearer tokens do not.
"""

from __future__ import annotations

from flask import g, request, session
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from tracer.accounts import tokens
from tracer.accounts.actors import Actor
from tracer.accounts.users import actor_for
from tracer.models.accounts import Role, User
from tracer.platform import db, ratelimit
from tracer.platform.errors import Forbidden, Unauthenticated

SESSION_USER = "uid"
SESSION_STAMP = "pw"  # a slice of the password hash: changing the password ends other sessions
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def sign_in(user: User) -> None:
    """Start a login session for ``user`` (a fresh session: no fixation)."""
    session.clear()
    session[SESSION_USER] = user.id
    session[SESSION_STAMP] = user.password_hash[-16:]
    session.permanent = True


def sign_out() -> None:
    session.clear()


def _from_session() -> Actor | None:
    user_id = session.get(SESSION_USER)
    if user_id is None:
        return None
    user = db.session().get(User, user_id)
    if user is None or not user.active or user.password_hash[-16:] != session.get(SESSION_STAMP):
        session.clear()
        return None
    return actor_for(user)


def _from_bearer() -> Actor | None:
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise Unauthenticated("the Authorization header must be 'Bearer <token>'")
    actor = tokens.authenticate(reader=db.reader(), session=db.session(), plaintext=credentials.strip())
    ratelimit.enforce(ratelimit.token_limit(), key=f"token:{actor.token_id}")
    return actor


def optional_actor() -> Actor | None:
    """The signed-in actor, or None. Bearer tokens win over a session cookie."""
    if "actor" not in g:
        actor = _from_bearer()
        if actor is None:
            actor = _from_session()
            if actor is not None and request.path.startswith("/api/") and request.method not in SAFE_METHODS:
                _check_csrf_header()
        g.actor = actor
    return g.actor


def current_actor(*roles: Role) -> Actor:
    """The signed-in actor, who must have one of ``roles`` (any role when none are given)."""
    actor = optional_actor()
    if actor is None:
        raise Unauthenticated("sign in, or send an API token as 'Authorization: Bearer <token>'")
    if roles and actor.role not in roles:
        raise Forbidden(
            f"role {actor.role.value!r} may not do this (needs {', '.join(r.value for r in roles)})"
        )
    return actor


def _check_csrf_header() -> None:
    try:
        validate_csrf(request.headers.get("X-CSRFToken", ""))
    except (ValidationError, CSRFError):
        raise Forbidden("a write with a session cookie needs the page's CSRF token in X-CSRFToken") from None

"""Who is asking: the actor behind a request, from a bearer token (API clients) or a login session (web).

A view calls ``current_actor(Role.PRODUCER, ...)`` once; it raises Unauthenticated (401) when nobody is
signed in and Forbidden (403) for a role not allowed. A session cookie used on the JSON API must come with
the page's CSRF token in ``X-CSRFToken`` for any write, since cookies travel with cross-site requests and
bearer tokens do not.

A login session lives in the database (``tracer.accounts.sessions``): the signed cookie carries the user id
and the session's random key, and every request checks the key against its row, so ``sign_out`` and a
password change end sessions on the server. ``password_sign_in`` is the only way in with a password; its
failures all get one answer (``Message.WRONG_LOGIN``).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, after_this_request, current_app, g, request, session
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from tracer.accounts import devices, sessions, tokens, users
from tracer.accounts.actors import Actor
from tracer.accounts.throttle import LoginThrottle
from tracer.accounts.users import SinceLastSignIn, actor_for
from tracer.models.accounts import Role, User
from tracer.platform import db, ratelimit
from tracer.platform.errors import Forbidden, Unauthenticated
from tracer.platform.messages import Message

SESSION_USER = "uid"
SESSION_KEY = "sk"  # the key of this session's row in login_sessions
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class SignedIn:
    user: User
    since_last: SinceLastSignIn


def password_sign_in(email: str, password: str) -> SignedIn:
    """Check a password (slowed per account and source, never locked), record the outcome and start a
    login session. Unauthenticated with ``Message.WRONG_LOGIN`` for every kind of failure."""
    secret = current_app.config["SECRET_KEY"]
    device = devices.read(secret=secret, value=request.cookies.get(_device_cookie()))
    check = users.check_login(
        session=db.session(),
        throttle=LoginThrottle(ratelimit.limiter()),
        email=email,
        password=password,
        network=ratelimit.client_network(),
        device=device,
    )
    user = check.user
    if user is None or user.id is None:
        if not check.slowed:  # a slowed attempt costs the attacker nothing, so it writes nothing either
            with db.writer() as write:
                users.record_failure(session=write, email=email)
        raise Unauthenticated(Message.WRONG_LOGIN)
    with db.writer() as write:
        since_last = users.record_success(session=write, user_id=user.id)
        key = sessions.open_session(session=write, user_id=user.id)
    _start(user.id, key)
    if device is None or device.user_id != user.id:
        _remember_device(devices.issue(secret=secret, user_id=user.id))
    return SignedIn(user=user, since_last=since_last)


def _start(user_id: int, key: str) -> None:
    """A fresh cookie session (no fixation) bound to the login session ``key``."""
    session.clear()
    session[SESSION_USER] = user_id
    session[SESSION_KEY] = key
    session.permanent = True
    g.pop("actor", None)


def _device_cookie() -> str:
    return "__Host-" + devices.COOKIE if current_app.config["SESSION_COOKIE_SECURE"] else devices.COOKIE


def _remember_device(value: str) -> None:
    @after_this_request
    def _set(response: Response) -> Response:
        response.set_cookie(
            _device_cookie(),
            value,
            max_age=int(devices.LIFETIME.total_seconds()),
            path="/",
            secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
            httponly=True,
            samesite="Lax",
        )
        return response


def session_key() -> str | None:
    """The key of this request's login session, if it has one."""
    key = session.get(SESSION_KEY)
    return key if isinstance(key, str) else None


def sign_out() -> None:
    """End this login session on the server, then forget the cookie."""
    key = session_key()
    if key is not None:
        with db.writer() as write:
            sessions.end_session(session=write, key=key)
    session.clear()
    g.pop("actor", None)


def _from_session() -> Actor | None:
    user_id, key = session.get(SESSION_USER), session_key()
    if user_id is None and key is None:
        return None
    user = None
    if type(user_id) is int and key is not None:
        user = sessions.session_user(session=db.session(), user_id=user_id, key=key)
    if user is None:
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

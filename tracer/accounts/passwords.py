"""Password hashing with Argon2id (argon2-cffi's RFC 9106 low-memory profile)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import RFC_9106_LOW_MEMORY

from tracer.platform.errors import InvalidInput
from tracer.platform.messages import Message

_hasher = PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY)
MIN_LENGTH = 10


def hash_password(password: str) -> str:
    check_strength(password)
    return _hasher.hash(password)


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise InvalidInput(Message.PASSWORD_TOO_SHORT, field="password", n=MIN_LENGTH)
    if len(password) > 200:
        raise InvalidInput(Message.PASSWORD_TOO_LONG, field="password", n=200)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# A hash to verify against when the e-mail is unknown, so that timing does not reveal which accounts exist.
DUMMY_HASH = _hasher.hash("not-a-real-password-0")

"""Typed settings, built once from TRACER_* environment variables (``Settings.from_env()``).

Development needs no configuration: secrets that are not given are generated once and kept under
``instance/`` (mode 0600), and the database defaults to an SQLite file there. Production sets every
variable explicitly; secrets never live in the repository.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = ROOT / "instance"


class SettingsError(ValueError):
    """A configuration value is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    master_key: bytes = field(repr=False)
    public_url: str
    log_origin: str
    instance_path: Path
    behind_tls: bool = False
    max_request_bytes: int = 1_000_000
    scan_warning_threshold: int = 50  # distinct visiting networks in 30 days before the copy warning
    copy_sources: int = 3  # distinct networks each of two far places needs before the copy warning
    proxy_hops: int = 0  # reverse proxies in front (nginx: 1); their X-Forwarded-* headers are trusted
    login_limit: tuple[int, int] = (10, 60)  # sign-in attempts per client address: (count, seconds)
    token_limit: tuple[int, int] = (600, 60)  # API requests per token: (count, seconds)
    # unknown-code scans recorded per network prefix (/24, /64): (count, seconds); the page is answered anyway
    unknown_code_limit: tuple[int, int] = (60, 3600)
    # The programme's GS1 Company Prefix: a product registered without a GTIN is allotted one under it, so
    # that its packages get GS1 Digital Links; None: no allotment (such packages get /p/{serial} codes).
    gs1_company_prefix: str | None = None
    # rate-limit counters shared by every worker and host (None: kept in the process); may hold a password
    redis_url: str | None = field(default=None, repr=False)
    # witnesses asked to cosign each new checkpoint (c2sp.org/tlog-witness): "<cosigner vkey> <URL prefix>"
    witnesses: tuple[str, ...] = ()
    witness_interval: int = 2  # seconds between the background cosigner's looks (0: no background thread)
    witness_timeout: int = 5  # seconds a witness may take to answer

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        env = os.environ if environ is None else environ
        instance = Path(env.get("TRACER_INSTANCE_PATH", str(DEFAULT_INSTANCE)))
        public_url = env.get("TRACER_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
        parts = urlsplit(public_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise SettingsError(f"TRACER_PUBLIC_URL must be an http(s) URL, got {public_url!r}")
        values: dict[str, object] = {
            "database_url": env.get("TRACER_DATABASE_URL") or f"sqlite:///{instance / 'tracer.platform.db'}",
            "secret_key": env.get("TRACER_SECRET_KEY") or _instance_secret(instance, "secret_key"),
            "master_key": _master_key(
                env.get("TRACER_MASTER_KEY") or _instance_secret(instance, "master_key")
            ),
            "public_url": public_url,
            "log_origin": env.get("TRACER_LOG_ORIGIN") or f"{parts.netloc}/ocop-log",
            "instance_path": instance,
            "behind_tls": parts.scheme == "https",
            "max_request_bytes": _int(env, "TRACER_MAX_REQUEST_BYTES", 1_000_000),
            "scan_warning_threshold": _int(env, "TRACER_SCAN_WARNING_THRESHOLD", 50),
            "copy_sources": _int(env, "TRACER_COPY_SOURCES", 3, minimum=2),
            "proxy_hops": _int(env, "TRACER_PROXY_HOPS", 0, minimum=0),
            "login_limit": _rate(env, "TRACER_LOGIN_LIMIT", (10, 60)),
            "token_limit": _rate(env, "TRACER_TOKEN_LIMIT", (600, 60)),
            "unknown_code_limit": _rate(env, "TRACER_UNKNOWN_CODE_LIMIT", (60, 3600)),
            "gs1_company_prefix": _company_prefix(env.get("TRACER_GS1_COMPANY_PREFIX", "")),
            "redis_url": _redis_url(env, "TRACER_REDIS_URL"),
            "witnesses": _witnesses(env.get("TRACER_WITNESSES", "")),
            "witness_interval": _int(env, "TRACER_WITNESS_INTERVAL", 2, minimum=0),
            "witness_timeout": _int(env, "TRACER_WITNESS_TIMEOUT", 5),
        }
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]


def _witnesses(raw: str) -> tuple[str, ...]:
    """Witnesses separated by ';' or new lines, each ``<cosigner vkey> <http(s) URL prefix>``."""
    found = []
    for item in raw.replace("\n", ";").split(";"):
        if not item.strip():
            continue
        parts = item.split()
        if len(parts) != 2 or parts[0].count("+") < 2 or urlsplit(parts[1]).scheme not in ("http", "https"):
            raise SettingsError(
                f"TRACER_WITNESSES: each witness is '<vkey> <http(s) URL>', got {item.strip()!r}"
            )
        found.append(" ".join(parts))
    return tuple(found)


def _company_prefix(raw: str) -> str | None:
    """A GS1 Company Prefix for GTIN-13s: 6 to 12 digits (General Specifications 1.4.4); empty: none."""
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and 6 <= len(raw) <= 12):
        raise SettingsError(f"TRACER_GS1_COMPANY_PREFIX must be a GS1 Company Prefix (6-12 digits): {raw!r}")
    return raw


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, got {raw!r}")
    return value


def _rate(env: Mapping[str, str], name: str, default: tuple[int, int]) -> tuple[int, int]:
    """A rate limit written COUNT/SECONDS, e.g. ``600/60``."""
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    count, slash, seconds = raw.strip().partition("/")
    if not (slash and count.isdigit() and seconds.isdigit() and int(count) >= 1 and int(seconds) >= 1):
        raise SettingsError(f"{name} must be COUNT/SECONDS with both at least 1, e.g. 600/60; got {raw!r}")
    return int(count), int(seconds)


def _redis_url(env: Mapping[str, str], name: str) -> str | None:
    """A Redis URL (``redis://``, ``rediss://`` or ``unix://``), or None when not set."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return None
    if urlsplit(raw).scheme not in ("redis", "rediss", "unix"):
        raise SettingsError(f"{name} must be a redis://, rediss:// or unix:// URL, got {raw!r}")
    return raw


def _master_key(text: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.encode("ascii") + b"=" * (-len(text) % 4))
    except (binascii.Error, UnicodeEncodeError):
        raise SettingsError("TRACER_MASTER_KEY must be url-safe base64 of 32 bytes") from None
    if len(key) != 32:
        raise SettingsError(f"TRACER_MASTER_KEY must decode to 32 bytes, got {len(key)}")
    return key


def _instance_secret(instance: Path, name: str) -> str:
    """A development secret kept in ``instance/NAME``, made on first use."""
    path = instance / name
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        value = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")
        tmp = instance / f".{name}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(value)
        try:
            os.link(tmp, path)  # atomic: of several workers starting at once, one secret wins
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text(encoding="ascii").strip()

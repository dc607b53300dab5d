"""The app's services: one typed, frozen object built once in ``create_app`` and found through ``services()``.

The platform's own parts are fields (settings, engine, fast reader, ledger store, CSRF, rate limiter).
An area's per-app object (the scan recorder, the group committer, the origin caches, the OpenAPI
document) is made on first use by that area and kept here under its class:
``services().made(ScanRecorder, make)`` returns the one ``ScanRecorder`` of this app, typed, without the
platform importing the areas above it. This is the small version of warehouse's
``register_service_factory``/``find_service``: services are found by type, never by a string key, and
nothing casts.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from flask import current_app
from flask.sansio.app import App
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.engine import Engine

from config.settings import Settings
from tracer.ledger.store import LedgerStore
from tracer.platform.fastread import FastReader

if TYPE_CHECKING:  # ratelimit finds its limiter here: a runtime import would be a cycle
    from tracer.platform.ratelimit import RateLimiter

T = TypeVar("T")

_KEY = "tracer"  # the one entry of app.extensions this app uses


@dataclass(frozen=True)
class Services:
    settings: Settings
    engine: Engine
    reader: FastReader
    ledger: LedgerStore
    csrf: CSRFProtect
    limiter: RateLimiter
    _made: dict[type, Any] = field(default_factory=dict, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)  # a factory may need another

    def made(self, kind: type[T], make: Callable[[Services], T]) -> T:
        """This app's one ``kind``, made by ``make`` on first use (once per process, under a re-entrant lock:
        ``make`` may ask for another service)."""
        found = self._made.get(kind)
        if found is None:
            with self._lock:
                found = self._made.get(kind)
                if found is None:
                    found = self._made[kind] = make(self)
        assert isinstance(found, kind)
        return found

    def existing(self, kind: type[T]) -> T | None:
        """This app's ``kind`` if it was made (shutdown and tests flush what exists, and make nothing)."""
        found = self._made.get(kind)
        assert found is None or isinstance(found, kind)
        return found

    def install(self, app: App) -> None:
        app.extensions[_KEY] = self


def services(app: App | None = None) -> Services:
    """The services of ``app``, or of the current app."""
    found = (app if app is not None else current_app).extensions[_KEY]
    assert isinstance(found, Services)
    return found

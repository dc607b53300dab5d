"""OCOP Tracer: traceability for Vietnam's OCOP programme. ``create_app`` is the only thing defined here."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from flask import Flask

if TYPE_CHECKING:
    from config.settings import Settings


def create_app(settings: Settings | None = None) -> Flask:
    from config.settings import Settings

    settings = settings or Settings.from_env()
    app = Flask(__name__, instance_path=str(settings.instance_path.resolve()))
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        TRACER_SETTINGS=settings,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.behind_tls,
        SESSION_COOKIE_NAME="__Host-session" if settings.behind_tls else "session",
        # The cookie is written only when the session changes, and a login lasts 12 hours at most: a cookie
        # re-sent on every response lets parallel requests overwrite each other's session (and CSRF token).
        SESSION_REFRESH_EACH_REQUEST=False,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        JSON_SORT_KEYS=False,
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    _register_extensions(app, settings)
    _register_blueprints(app)
    _register_error_handlers(app)
    _register_commands(app)
    _wrap_wsgi(app, settings)
    _check_ledger(app)
    return app


def _wrap_wsgi(app: Flask, settings: Settings) -> None:
    """WSGI layers around Flask: the origin pages' fast path, then (outermost) the proxy's headers."""
    from tracer.resolver.fastpath import OriginFastPath

    app.wsgi_app = OriginFastPath(app.wsgi_app, app)  # type: ignore[method-assign]
    if settings.proxy_hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]


def _register_extensions(app: Flask, settings: Settings) -> None:
    from flask_wtf.csrf import CSRFProtect

    from tracer.events.subjects import subjects_of
    from tracer.platform import db, guard, i18n, journal, security
    from tracer.platform.fastread import FastReader
    from tracer.platform.ratelimit import RateLimiter
    from tracer.platform.services import Services

    guard.init_app(app)  # first: bounded <int:> in every URL rule, control characters refused before any view
    engine = db.make_engine(settings.database_url)
    db.init_app(app)
    i18n.init_app(app)
    security.init_app(app, behind_tls=settings.behind_tls)
    app.config.update(WTF_CSRF_TIME_LIMIT=None, WTF_CSRF_SSL_STRICT=settings.behind_tls)
    Services(
        settings=settings,
        engine=engine,
        reader=FastReader(engine),  # closed with the engine's dispose()
        ledger=journal.make_store(settings, subjects_of),
        csrf=CSRFProtect(app),
        limiter=RateLimiter.from_settings(settings),
    ).install(app)
    from tracer.platform import cosigning

    cosigning.init_app(app)  # witnesses asked in the background, when configured


def _register_blueprints(app: Flask) -> None:
    from tracer.api.epcis_rest import bp as epcis_rest  # /epcis/: the EPCIS 2.0 REST query interface
    from tracer.api.labels import bp as api_labels  # /api/v1: label sheets (PDF) and QR codes
    from tracer.api.proofs import bp as api_proofs  # /api/v1/packages/<serial>/proof
    from tracer.api.tiles import bp as log_tiles  # /log/: C2SP tlog-tiles and the cosigned checkpoint
    from tracer.api.v1 import bp as api_v1  # /api/v1: events, listings, ledger, EPCIS, tokens, OpenAPI
    from tracer.platform.health import bp as health
    from tracer.resolver.routes import bp as resolver  # GS1 resolver: /01/..., /p/..., origin pages
    from tracer.web.account import bp as account  # /login, /logout, /account/password
    from tracer.web.catalogue import bp as catalogue  # /products
    from tracer.web.diary import bp as diary  # /console/zones/<id>: a zone's farm diary
    from tracer.web.inspector import bp as inspector  # /inspector
    from tracer.web.pages import bp as pages
    from tracer.web.photos import bp as photos  # /photos/<sha256>.<ext>, product photo and shops forms
    from tracer.web.places import bp as places  # /console/places: communes by new or old name
    from tracer.web.producer import bp as console  # /console
    from tracer.web.programme import bp as programme  # /programme
    from tracer.web.reports import bp as reports  # /report
    from tracer.web.scanner import bp as scanner  # /scan

    for blueprint in (health, pages, catalogue, reports, photos, api_v1, api_proofs, api_labels, log_tiles,
                      epcis_rest, account, console, diary, places, programme, scanner, inspector,
                      resolver):  # fmt: skip
        app.register_blueprint(blueprint)


def _register_error_handlers(app: Flask) -> None:
    from tracer.platform import problems

    problems.register(app)


def _register_commands(app: Flask) -> None:
    from tracer.cli.main import cli

    app.cli.add_command(cli, name="tracer")


def _check_ledger(app: Flask) -> None:
    """Refuse to start if the stored root does not match the latest signed checkpoint."""
    from tracer.platform import journal
    from tracer.platform.services import services

    journal.check_head_at_startup(services(app).engine, services(app).settings)

"""OCOP Tracer: traceability for Vietnam's OCOP programme. ``create_app`` is the only thing defined here."""

from __future__ import annotations

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
        JSON_SORT_KEYS=False,
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["tracer.settings"] = settings
    if settings.proxy_hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    _register_extensions(app, settings)
    _register_blueprints(app)
    _register_error_handlers(app)
    _register_commands(app)
    from tracer.api.ledger import check_head_at_startup

    check_head_at_startup(app)  # a stored root that does not match the signed checkpoint: refuse to start
    return app


def _register_extensions(app: Flask, settings: Settings) -> None:
    from flask_wtf.csrf import CSRFProtect

    from tracer import db, i18n, security

    db.init_app(app, settings.database_url)
    i18n.init_app(app)
    security.init_app(app, behind_tls=settings.behind_tls)
    app.config.update(WTF_CSRF_TIME_LIMIT=None, WTF_CSRF_SSL_STRICT=settings.behind_tls)
    csrf = CSRFProtect(app)
    app.extensions["tracer.csrf"] = csrf


def _register_blueprints(app: Flask) -> None:
    from tracer.health import bp as health
    from tracer.web.pages import bp as pages

    app.register_blueprint(health)
    app.register_blueprint(pages)
    from tracer.api.v1 import bp as api_v1  # /api/v1: events, listings, ledger, EPCIS, tokens, OpenAPI

    app.register_blueprint(api_v1)
    from tracer.web.account import bp as account
    from tracer.web.producer import bp as console
    from tracer.web.programme import bp as programme

    app.register_blueprint(account)
    app.register_blueprint(console)
    app.register_blueprint(programme)
    from tracer.api.proofs import bp as api_proofs

    app.register_blueprint(api_proofs)
    from tracer.scanner import bp as scanner

    app.register_blueprint(scanner)
    from tracer.web.inspector import bp as inspector

    app.register_blueprint(inspector)
    from tracer.api.labels import bp as api_labels  # /api/v1: label sheets (PDF) and QR codes
    from tracer.resolver.routes import bp as resolver  # GS1 resolver: /01/..., /p/..., origin pages

    app.register_blueprint(api_labels)
    app.register_blueprint(resolver)


def _register_error_handlers(app: Flask) -> None:
    from tracer import problems

    problems.register(app)


def _register_commands(app: Flask) -> None:
    from tracer.cli.base import cli, register_commands

    register_commands()
    app.cli.add_command(cli, name="tracer")

"""The JSON API's version 1: one parent blueprint at ``/api/v1`` holding the API's blueprints.

Bearer-token clients need no CSRF token, so the API's blueprints are exempt from CSRFProtect; a write made
with a login-session cookie is still checked (``X-CSRFToken``) by ``tracer.accounts.auth``.
"""

from __future__ import annotations

from flask import Blueprint
from flask.sansio.blueprints import BlueprintSetupState

from tracer.api import epcis, events, ledger, openapi, reads, tokens
from tracer.platform.services import services

bp = Blueprint("api_v1", __name__, url_prefix="/api/v1")
CHILDREN = (events.bp, reads.bp, ledger.bp, epcis.bp, tokens.bp, openapi.bp)
for child in CHILDREN:
    bp.register_blueprint(child)


@bp.record_once
def _exempt_from_csrf(state: BlueprintSetupState) -> None:
    csrf = services(state.app).csrf
    for child in CHILDREN:
        csrf.exempt(child)

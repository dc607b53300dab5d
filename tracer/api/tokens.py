"""API tokens (RFC 6750 bearer tokens) of the signed-in user: ``POST /api/v1/tokens`` (the token is shown
once), ``GET /api/v1/tokens``, ``DELETE /api/v1/tokens/{id}`` (a revoked token then gets 401).

Making and revoking need a login session (cookie and ``X-CSRFToken``): a bearer token gets 403 for both
(``tracer.accounts.tokens``), so a leaked token cannot make itself new ones or revoke its owner's others.
"""

from __future__ import annotations

from flask import Blueprint, Response
from pydantic import ValidationError

from tracer.accounts import tokens
from tracer.accounts.auth import current_actor
from tracer.api import schemas
from tracer.api.http import answer, json_body, path_int
from tracer.events.dispatch import invalid_input
from tracer.platform import db
from tracer.platform.errors import Forbidden, InvalidInput
from tracer.platform.messages import Message

bp = Blueprint("tokens", __name__)


@bp.post("/tokens")
def create() -> Response:
    actor = current_actor()
    if actor.token_id is not None:  # before reading the body: the answer is 403 whatever it holds
        raise Forbidden(Message.TOKEN_CANNOT_MINT)
    data = json_body()
    if not isinstance(data, dict):
        raise InvalidInput("the body must be a JSON object")
    try:
        command = schemas.TokenCreate.model_validate(data)
    except ValidationError as error:
        raise invalid_input(error) from None
    with db.writer() as session:
        plaintext, row = tokens.mint_token(session=session, actor=actor, name=command.name)
        created = schemas.TokenCreated.model_validate({**row.model_dump(), "token": plaintext})
    return answer(created, 201, {"Location": f"/api/v1/tokens/{created.id}", "Cache-Control": "no-store"})


@bp.get("/tokens")
def listing() -> Response:
    actor = current_actor()
    rows = tokens.tokens_of(session=db.session(), user_id=actor.user_id)
    return answer(
        {"items": [schemas.TokenPublic.model_validate(r).model_dump(mode="json") for r in rows], "next": None}
    )


@bp.delete("/tokens/<token_id>")
def revoke(token_id: str) -> Response:
    actor = current_actor()
    number = path_int(token_id, "token")
    with db.writer() as session:
        row = tokens.revoke_token(session=session, token_id=number, by=actor)
        revoked = schemas.TokenPublic.model_validate(row)
    return answer(revoked)

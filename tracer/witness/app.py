"""The witness's WSGI app: ``POST /add-checkpoint`` (c2sp.org/tlog-witness) and ``GET /`` (who it is).

Answers are plain text, as the protocol has them: the cosignature line (200), the last cosigned size
(409, ``text/x.tlog.size``), or a one-line reason (400, 403, 404, 422). Nothing else of the service.
"""

from __future__ import annotations

from flask import Flask, Response, request

from tracer.witness.config import WitnessConfig
from tracer.witness.state import WitnessState
from tracer.witness.witness import MAX_BODY, SIZE_TYPE, Refusal, Witness

TEXT = "text/plain; charset=utf-8"


def make_witness(config: WitnessConfig) -> Witness:
    return Witness(config.name, config.private_key(), config.logs, WitnessState(config.database))


def create_witness_app(config: WitnessConfig | None = None, witness: Witness | None = None) -> Flask:
    """The app of the witness ``config`` describes (or of ``witness``, already made)."""
    if witness is None:
        if config is None:
            raise ValueError("a witness app needs a configuration or a witness")
        witness = make_witness(config)
    app = Flask("tracer.witness")
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    made = witness

    @app.post("/add-checkpoint")
    def add_checkpoint() -> Response:
        try:
            line = made.add_checkpoint(request.get_data(cache=False))
        except Refusal as refusal:
            if refusal.status == 409 and refusal.size is not None:
                return Response(f"{refusal.size}\n", status=409, content_type=SIZE_TYPE)
            return Response(refusal.reason + "\n", status=refusal.status, content_type=TEXT)
        return Response(line, status=200, content_type=TEXT)

    @app.get("/")
    def about() -> Response:
        logs = "".join(f"log {key}\n" for key in made.logs.values())
        return Response(f"witness {made.verifier_key}\n{logs}", content_type=TEXT)

    @app.errorhandler(413)
    def too_large(_: Exception) -> Response:
        return Response(f"the request body is larger than {MAX_BODY} bytes\n", status=413, content_type=TEXT)

    return app

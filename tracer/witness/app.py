"""The witness's WSGI app: ``POST /add-checkpoint`` (c2sp.org/tlog-witness) and ``GET /`` (who it is).

Answers are plain text, as the protocol has them: the cosignature line (200), the last cosigned size
(409, ``text/x.tlog.size``), or a one-line reason (400, 403, 404, 422). Nothing else of the service.
"""

from __future__ import annotations

from flask import Flask, Response, request

from tracer.witness.config import ConfigError, WitnessConfig
from tracer.witness.mapcheck import MapChecker, http_tiles, load_rule
from tracer.witness.state import WitnessState
from tracer.witness.witness import MAX_BODY, SIZE_TYPE, Refusal, Witness

TEXT = "text/plain; charset=utf-8"


def make_witness(config: WitnessConfig, verify_map: bool = False) -> Witness:
    """The witness ``config`` describes; ``verify_map`` (or ``verify_map = true`` in it): the map mode."""
    checker = None
    if verify_map or config.verify_map:
        missing = sorted(set(config.logs) - set(config.tiles))
        if missing:
            raise ConfigError(
                f"--verify-map needs the tiles address of {missing[0]!r} ([tiles] in the config)"
            )
        fetches = {origin: http_tiles(url) for origin, url in config.tiles.items()}
        checker = MapChecker(config.mirror, fetches, load_rule(config.map_rule))
    return Witness(config.name, config.private_key(), config.logs, WitnessState(config.database),
                   map_checker=checker)  # fmt: skip


def create_witness_app(
    config: WitnessConfig | None = None, witness: Witness | None = None, verify_map: bool = False
) -> Flask:
    """The app of the witness ``config`` describes (or of ``witness``, already made)."""
    if witness is None:
        if config is None:
            raise ValueError("a witness app needs a configuration or a witness")
        witness = make_witness(config, verify_map)
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
        mode = "verify-map\n" if made.map_checker is not None else ""
        return Response(f"witness {made.verifier_key}\n{logs}{mode}", content_type=TEXT)

    @app.errorhandler(413)
    def too_large(_: Exception) -> Response:
        return Response(f"the request body is larger than {MAX_BODY} bytes\n", status=413, content_type=TEXT)

    return app

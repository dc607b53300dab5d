"""The log as C2SP tlog-tiles under ``/log/`` (c2sp.org/tlog-tiles), static resources a CDN can hold:

- ``/log/checkpoint``: the latest signed checkpoint (with the witnesses' cosignatures it has), cached seconds;
- ``/log/tile/<L>/<N>[.p/<W>]``: Merkle tree tiles, 32-byte hashes, 256 to a full tile;
- ``/log/tile/entries/<N>[.p/<W>]``: entry bundles, each DSSE envelope after its uint16 length.

Full tiles never change (``immutable``, a year); partial tiles are cached a minute. Anything that is not the
canonical name of a tile inside the log is a 404 problem. The JSON endpoints under ``/api/v1/ledger`` stay.
"""

from __future__ import annotations

from flask import Blueprint, Response

from tracer.ledger.tiles import parse_tile_path
from tracer.platform import db, journal

bp = Blueprint("log_tiles", __name__, url_prefix="/log")
IMMUTABLE = "public, max-age=31536000, immutable"
PARTIAL = "public, max-age=60"
CHECKPOINT = "public, max-age=5"


def _public(response: Response, cache: str) -> Response:
    response.headers["Cache-Control"] = cache
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/checkpoint")
def checkpoint() -> Response:
    with db.engine().connect() as conn:
        note = journal.cosigned_checkpoint(conn)
    return _public(Response(note, content_type="text/plain; charset=utf-8"), CHECKPOINT)


@bp.get("/tile/<path:name>")
def tile(name: str) -> Response:
    wanted = parse_tile_path(name)
    with db.engine().connect() as conn:
        data = journal.store().tile(conn, wanted)
    response = Response(data, content_type="application/octet-stream")
    return _public(response, IMMUTABLE if wanted.full else PARTIAL)

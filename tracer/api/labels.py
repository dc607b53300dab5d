"""Label sheets and QR codes: ``GET /api/v1/lots/{id}/labels.pdf`` (the packing producer only) and
``GET /api/v1/packages/{serial}/qr.svg|.png`` (public: the code is printed on the package anyway; a 404
problem for a serial the signed log does not say we issued, even if a ``packages`` row names it).

The PDF is written by ``tracer.labels.write_labels_pdf`` into a spooled temporary file (memory up to 8 MB,
then disk) and streamed from there, so a refused label becomes a clean 422 instead of a truncated download.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import IO, BinaryIO, cast

from flask import Blueprint, Response

from tracer.accounts.auth import current_actor
from tracer.api.http import int_arg, query_arg
from tracer.codes.qr import QRError, qr_png, qr_svg
from tracer.labels import LABEL_LAYOUTS, LabelError, write_labels_pdf
from tracer.labels.printed import lot_labels, package_uri
from tracer.models.accounts import Role
from tracer.platform import clock, db
from tracer.platform.errors import InvalidInput
from tracer.platform.services import services
from tracer.proofs.bundle import issued_package

bp = Blueprint("labels", __name__, url_prefix="/api/v1")

_CHUNK = 64 * 1024
MAX_SCALE = 64  # pixels per module (the OpenAPI document says the same)


def _public_url() -> str:
    return services().settings.public_url


def _stream(handle: IO[bytes]) -> Iterator[bytes]:
    try:
        handle.seek(0)
        while chunk := handle.read(_CHUNK):
            yield chunk
    finally:
        handle.close()


@bp.get("/lots/<lot_id>/labels.pdf")
def lot_labels_pdf(lot_id: str) -> Response:
    actor = current_actor(Role.PRODUCER)
    layout = query_arg("layout") or "a4-3x8"
    if layout not in LABEL_LAYOUTS:
        raise InvalidInput(f"layout must be one of {', '.join(sorted(LABEL_LAYOUTS))}", field="layout")
    labels = lot_labels(session=db.session(), organisation_id=actor.require_organisation(), lot_id=lot_id,
                        public_url=_public_url(), today=clock.today())  # fmt: skip
    handle = cast(BinaryIO, tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024))  # closed by _stream
    try:
        write_labels_pdf(labels, layout, handle)
    except LabelError as error:
        handle.close()
        raise InvalidInput(str(error), field=str(error).split(":", 1)[0]) from None
    size = handle.tell()
    response = Response(_stream(handle), mimetype="application/pdf")
    response.headers["Content-Length"] = str(size)
    response.headers["Content-Disposition"] = f'inline; filename="labels-{lot_id}-{layout}.pdf"'
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response


def _qr_response(body: bytes | str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.cache_control.public = True
    response.cache_control.max_age = 86400  # a package's code never changes
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _issued_uri(serial: str) -> str:
    """The URI printed in package ``serial``'s code; 404 unless the signed log says we issued the serial."""
    session = db.session()
    issued_package(session, serial)
    return package_uri(session, serial, _public_url())


@bp.get("/packages/<serial>/qr.svg")
def package_qr_svg(serial: str) -> Response:
    return _qr_response(qr_svg(_issued_uri(serial)), "image/svg+xml")


@bp.get("/packages/<serial>/qr.png")
def package_qr_png(serial: str) -> Response:
    scale = int_arg("scale", default=8, low=1, high=MAX_SCALE)
    assert scale is not None
    try:
        png = qr_png(_issued_uri(serial), scale=scale)
    except QRError as error:
        raise InvalidInput(str(error), field="scale") from None
    return _qr_response(png, "image/png")

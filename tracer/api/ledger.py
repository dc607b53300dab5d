"""The ledger over HTTP, public and read-only, for verifiers that trust only the log key:

- ``checkpoint``: the latest C2SP signed checkpoint note (``?size=N`` for an older one), text/plain, with the
  witnesses' cosignatures (c2sp.org/tlog-cosignature) kept for it;
- ``entries/{index}``: the DSSE envelope bytes exactly as hashed into the RFC 9162 tree;
- ``proof/inclusion?index=&size=`` and ``proof/consistency?from=&to=``: RFC 9162 proofs, base64 hashes;
- ``bundle/{index}``: a C2SP tlog-proof@v1 with its checkpoint (and the cosignatures kept), checkable offline;
- ``keys``: the log's C2SP verifier key and every signing key with the indexes of its (de)registration.
"""

from __future__ import annotations

from flask import Blueprint, Response

from tracer.api.http import answer, int_arg, query_arg
from tracer.ledger.encoding import b64encode
from tracer.ledger.errors import NotFoundError
from tracer.platform import bounds, db, journal
from tracer.platform.errors import BadParameter

bp = Blueprint("ledger", __name__, url_prefix="/ledger")
MAX_INDEX = 2**62
TEXT = "text/plain; charset=utf-8"


def _index(raw: str, name: str = "index") -> int:
    try:
        return bounds.whole_number(raw, low=0, high=MAX_INDEX)
    except bounds.OutOfBounds as fault:
        raise fault.refusal(BadParameter, name) from None


def _required(name: str, low: int = 0) -> int:
    if query_arg(name) is None:
        raise BadParameter(f"the query parameter {name} is required", field=name)
    value = int_arg(name, low=low, high=MAX_INDEX)
    assert value is not None
    return value


@bp.get("/checkpoint")
def checkpoint() -> Response:
    size = int_arg("size", low=1, high=MAX_INDEX)
    with db.engine().connect() as conn:
        note = journal.cosigned_checkpoint(conn, size)
    return Response(note, mimetype="text/plain", content_type=TEXT)


@bp.get("/entries/<index>")
def entry(index: str) -> Response:
    with db.engine().connect() as conn:
        raw = journal.store().entry(conn, _index(index))
    return Response(raw, content_type="application/json")


@bp.get("/proof/inclusion")
def inclusion() -> Response:
    index, size = _required("index"), _required("size", low=1)
    with db.engine().connect() as conn:
        proof = journal.store().inclusion_proof(conn, index, size)
    return answer({"index": index, "size": size, "hashes": [b64encode(h) for h in proof]})


@bp.get("/proof/consistency")
def consistency() -> Response:
    old, new = _required("from"), _required("to")
    with db.engine().connect() as conn:
        proof = journal.store().consistency_proof(conn, old, new)
    return answer({"from": old, "to": new, "hashes": [b64encode(h) for h in proof]})


@bp.get("/bundle/<index>")
def bundle(index: str) -> Response:
    size = int_arg("size", low=1, high=MAX_INDEX)
    number = _index(index)
    with db.engine().connect() as conn:
        if number >= (size or journal.store().size(conn)):
            raise NotFoundError(f"no entry at index {number} in the log of size {size or 'now'}")
        text = journal.proof_bundle(conn, number, size)
    return Response(text, content_type=TEXT)


@bp.get("/keys")
def keys() -> Response:
    store = journal.store()
    with db.engine().connect() as conn:
        verifier = store.verifier_key(conn)
        infos = store.keys(conn)
    return answer(
        {
            "origin": store.origin,
            "verifier_key": verifier,
            "keys": [
                {
                    "keyid": k.keyid,
                    "owner": k.owner,
                    "role": k.role,
                    "public_key": b64encode(k.public_key),
                    "registered_index": k.registered_index,
                    "revoked_index": k.revoked_index,
                }
                for k in infos
            ],
        }
    )

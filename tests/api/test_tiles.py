"""The log served as C2SP tlog-tiles under ``/log/`` (issue #17, item 4).

The reader here is written from the text of c2sp.org/tlog-tiles and RFC 6962 alone; it imports nothing of
``tracer``'s tile or Merkle code. From the tiles the Flask test client serves, it rebuilds the root of every
checkpoint the log signed (the newest and every older size, partial tiles included), checks each level-1
hash against the level-0 tile under it and each entry bundle against its level-0 tile, and checks the log's
Ed25519 signature on the checkpoint with its own note parser. Bad names are 404 problems, never 500.
"""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from flask import Flask
from flask.testing import FlaskClient

from tracer.ledger.canonical import canonical_json
from tracer.ledger.dsse import sign_envelope
from tracer.platform.services import services

SIZES = (3, 255, 256, 257, 300, 511, 512, 600)  # the checkpoints made beyond the bootstrap's


# -- an independent reader, from the specification's text ---------------------------------------------


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def mth(leaves: list[bytes]) -> bytes:
    """RFC 6962 section 2.1 over leaf hashes."""
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:]))


def index_path(n: int) -> str:
    """ "zero-padded 3-digit path elements. All but the last path element MUST begin with an x"."""
    digits = str(n)
    digits = "0" * (-len(digits) % 3) + digits
    parts = [digits[i : i + 3] for i in range(0, len(digits), 3)]
    return "/".join(["x" + p for p in parts[:-1]] + [parts[-1]])


class Reader:
    def __init__(self, client: FlaskClient, size: int) -> None:
        self.client, self.size = client, size
        self.fetched: set[str] = set()

    def get(self, path: str) -> bytes:
        response = self.client.get("/log/" + path)
        assert response.status_code == 200, (path, response.get_data(as_text=True))
        assert response.content_type == "application/octet-stream"
        self.fetched.add(path)
        return response.get_data()

    def tile(self, level: int, n: int) -> list[bytes]:
        """The tile of the tree of ``self.size``: full if the tree holds it all, else the partial one."""
        width = min(256, self.size // 256**level - n * 256)
        assert width > 0
        data = self.get(f"tile/{level}/{index_path(n)}" + ("" if width == 256 else f".p/{width}"))
        assert len(data) == 32 * width
        return [data[i : i + 32] for i in range(0, len(data), 32)]

    def entries(self, n: int) -> list[bytes]:
        width = min(256, self.size - n * 256)
        data = self.get(f"tile/entries/{index_path(n)}" + ("" if width == 256 else f".p/{width}"))
        out, at = [], 0
        while at < len(data):
            length = int.from_bytes(data[at : at + 2], "big")
            out.append(data[at + 2 : at + 2 + length])
            at += 2 + length
        assert at == len(data) and len(out) == width
        return out

    def subtree(self, lo: int, hi: int) -> bytes:
        """MTH(D[lo:hi]); aligned subtrees of 256**L entries (L >= 1) come from the level-L tile."""
        count = hi - lo
        level = 0
        while 256 ** (level + 1) <= count:
            level += 1
        if level >= 1 and count == 256**level and lo % count == 0:
            position = lo // count
            return self.tile(level, position // 256)[position % 256]
        if count == 1:
            return self.tile(0, lo // 256)[lo % 256]
        k = 1
        while k * 2 < count:
            k *= 2
        return sha256(b"\x01" + self.subtree(lo, lo + k) + self.subtree(lo + k, hi))

    def root(self) -> bytes:
        return self.subtree(0, self.size)


def open_checkpoint(note: str, vkey: str) -> tuple[str, int, bytes]:
    """c2sp.org/signed-note: the text before the last blank line, a line by the log's key verifies it."""
    name, key_hash, key64 = vkey.split("+", 2)
    raw = base64.b64decode(key64)
    assert raw[0] == 1 and sha256(name.encode() + b"\n" + raw)[:4].hex() == key_hash
    text, _, signatures = note.rpartition("\n\n")
    text += "\n"
    good = 0
    for line in signatures.splitlines():
        signer, _, blob = line.removeprefix("\u2014 ").partition(" ")
        sig = base64.b64decode(blob)
        if signer == name and sig[:4].hex() == key_hash:
            Ed25519PublicKey.from_public_bytes(raw[1:]).verify(sig[4:], text.encode())
            good += 1
    assert good == 1
    origin, size, root = text.splitlines()[:3]
    return origin, int(size), base64.b64decode(root)


# -- the log under test ---------------------------------------------------------------------------------


@pytest.fixture
def grown(app: Flask) -> Flask:
    """The app's log grown to 600 entries, one signed checkpoint at each of ``SIZES``."""
    store, engine = services(app).ledger, services(app).engine
    with engine.begin() as conn:
        keyid = store.create_key(conn, "org:7")
        store.append(conn, [store.key_register_envelope(conn, keyid)])
    for size in SIZES:
        with engine.begin() as conn:
            have = store.size(conn)
            key = store.private_key(conn, keyid)
            bodies = [
                canonical_json(
                    {"type": "harvest", "lot": f"L{n:05d}", "note": "gấc Mỹ Cẩm " + "x" * (n % 97)}
                )
                for n in range(have, size)
            ]
            store.append(conn, [sign_envelope(body, key, keyid) for body in bodies])
    return app


def test_an_independent_reader_rebuilds_every_checkpoint_from_tiles(grown: Flask) -> None:
    client = grown.test_client()
    vkey = client.get("/api/v1/ledger/keys").get_json()["verifier_key"]
    served = client.get("/log/checkpoint")
    assert served.status_code == 200 and served.content_type == "text/plain; charset=utf-8"
    assert "max-age=5" in served.headers["Cache-Control"]
    origin, size, root = open_checkpoint(served.get_data(as_text=True), vkey)
    assert (origin, size) == ("trace.example.vn/ocop-log", 600)
    newest = Reader(client, size)
    assert newest.root() == root
    assert {"tile/1/000.p/2", "tile/0/002.p/88"} <= newest.fetched  # level 1 used, not only leaves
    for older in (1, 2, *SIZES):  # every checkpoint the log signed, from its own partial tiles
        note = client.get(f"/api/v1/ledger/checkpoint?size={older}").get_data(as_text=True)
        _, signed_size, signed_root = open_checkpoint(note, vkey)
        assert signed_size == older
        assert Reader(client, signed_size).root() == signed_root, older


def test_tiles_agree_with_each_other_and_with_the_entries(grown: Flask) -> None:
    reader = Reader(grown.test_client(), 600)
    level0 = [reader.tile(0, n) for n in range(3)]
    level1 = reader.tile(1, 0)
    assert level1 == [mth(level0[0]), mth(level0[1])]  # "each hash ... is the MTH of a full tile below"
    for n in range(3):
        assert [sha256(b"\x00" + e) for e in reader.entries(n)] == level0[n]
    assert reader.root() == mth([h for tile in level0 for h in tile])
    assert {"tile/0/000", "tile/0/002.p/88", "tile/1/000.p/2", "tile/entries/002.p/88"} <= reader.fetched


def test_cache_headers_full_tiles_are_immutable(grown: Flask) -> None:
    client = grown.test_client()
    full = client.get("/log/tile/0/000")
    assert full.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert len(full.get_data()) == 8192
    assert client.get("/log/tile/entries/001").headers["Cache-Control"].endswith("immutable")
    partial = client.get("/log/tile/0/002.p/88")
    assert "immutable" not in partial.headers["Cache-Control"]
    assert "max-age=60" in partial.headers["Cache-Control"]
    assert full.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    "path",
    [
        "tile/0/2",  # not zero-padded
        "tile/0/x000/002",  # a leading zero element
        "tile/00/000",  # a level with a leading zero
        "tile/64/000",  # a level beyond 63
        "tile/-1/000",
        "tile/0/000.p/0",  # a width out of range
        "tile/0/000.p/256",
        "tile/0/002.p/088",  # a width with a leading zero
        "tile/0/002.p/89",  # beyond the log of 600
        "tile/0/003",  # a tile beyond the tree
        "tile/0/002",  # the full tile of the last, partial, one
        "tile/1/000",  # a full level-1 tile needs 65536 entries
        "tile/2/000.p/1",
        "tile/entries/003",
        "tile/entries/002.p/89",
        "tile/entries/000.p/5.p/6",
        "tile/0/000/",
        "tile/0/x1/000",
        "tile/0/" + "x999/" * 40 + "999",
        "tile/0/\u0660\u0660\u0661",  # Arabic-Indic digits
        "tile/",
        "tile/0",
        "tile/abc/000",
    ],
)
def test_bad_tile_names_are_404_problems(grown: Flask, path: str) -> None:
    response = grown.test_client().get("/log/" + path)
    assert response.status_code == 404, (path, response.status_code)
    assert response.content_type == "application/problem+json"
    assert response.get_json()["status"] == 404


def test_an_empty_request_for_a_tile_is_not_a_write(grown: Flask) -> None:
    response = grown.test_client().post("/log/tile/0/000")
    assert response.status_code == 405

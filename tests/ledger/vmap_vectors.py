"""The verifiable-map vectors both verifiers are held to: ``tests/vectors/vmap/vectors.json``.

``python -m tests.ledger.vmap_vectors`` rewrites the file; ``test_vmap_vectors.py`` checks that the file is
what this module makes now and that the Python verifiers give each case's verdict, and
``tests/scanner/vmap.test.mjs`` (``node --test``) that ``scanner_page/vmap.js`` gives the same verdicts.
Hashes are hex, proofs base64 (binary form) or JSON (JSON form), indexes JSON numbers (at most 2^53 - 1,
what JavaScript reads exactly).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tracer.ledger.encoding import b64encode
from tracer.ledger.vmap import EMPTY, HASH_SIZE, key_hash, map_extension, map_value
from tracer.ledger.vmap_memory import MemoryMap, map_from_entries
from tracer.ledger.vmap_proof import MapProof, Terminal

PATH = Path(__file__).resolve().parents[1] / "vectors" / "vmap" / "vectors.json"
Entries = list[tuple[int, bytes]]


def entry_leaf(n: int) -> bytes:
    """The RFC 9162 leaf hash of the made-up entry ``entry n``."""
    return hashlib.sha256(b"\x00" + b"entry %d" % n).digest()


def three() -> dict[str, Entries]:
    """The known-answer map: three keys, five entries."""
    return {
        "lot:L1": [(0, entry_leaf(0)), (3, entry_leaf(3))],
        "product:7": [(1, entry_leaf(1))],
        "key:abc": [(2, entry_leaf(2)), (4, entry_leaf(4))],
    }


def sixty() -> dict[str, Entries]:
    """Sixty lots with one to three entries each, interleaved in the log."""
    out: dict[str, Entries] = {}
    for n in range(150):
        key = f"lot:G{(n * 37) % 60:03d}"
        if len(out.get(key, [])) < 3:
            out.setdefault(key, []).append((1000 + n, entry_leaf(1000 + n)))
    return out


MAPS: dict[str, Callable[[], dict[str, Entries]]] = {
    "three": three,
    "sixty": sixty,
    "single": lambda: {"org:3": [(9007199254740991, entry_leaf(7))]},  # 2^53 - 1: the largest index JS reads
    "empty": dict,
}


def _hex(data: bytes) -> str:
    return data.hex()


def _entries_json(entries: Entries) -> list[list[Any]]:
    return [[index, _hex(leaf)] for index, leaf in entries]


def _flip(data: bytes, at: int, mask: int = 1) -> bytes:
    out = bytearray(data)
    out[at] ^= mask
    return bytes(out)


def _absent_key(memory: MemoryMap, terminal: Terminal) -> str:
    """The first ``lot:X<n>`` whose absence proof ends at ``terminal``."""
    for n in range(10_000):
        if memory.prove(f"lot:X{n}").proof.terminal == terminal:
            return f"lot:X{n}"
    raise AssertionError(f"no absent key ends at {terminal.name}")


def _case(
    name: str, map_name: str, check: str, key: str, valid: bool, code: str | None, **fields: Any
) -> dict:
    return {"name": name, "map": map_name, "check": check, "key": key, **fields, "valid": valid, "code": code}


def cases() -> list[dict[str, Any]]:
    """Every case: valid proofs in both forms, then each way a proof, value, root or list can be wrong."""
    out: list[dict[str, Any]] = []
    memories = {name: map_from_entries(make()) for name, make in MAPS.items()}
    for map_name, memory in memories.items():
        for key, entries in list(MAPS[map_name]().items())[:: 6 if map_name == "sixty" else 1]:
            proof = memory.prove(key).proof
            value = _hex(map_value(entries))
            out.append(_case(f"{map_name} {key} inclusion", map_name, "inclusion", key, True, None,
                             value=value, proof=proof.to_base64()))  # fmt: skip
            out.append(_case(f"{map_name} {key} inclusion, JSON form", map_name, "inclusion", key, True, None,
                             value=value, proof_json=proof.to_json()))  # fmt: skip
            out.append(_case(f"{map_name} {key} entries", map_name, "entries", key, True, None,
                             entries=_entries_json(entries), proof=proof.to_base64()))  # fmt: skip
    for map_name in ("three", "sixty", "single", "empty"):
        memory = memories[map_name]
        for terminal in (Terminal.EMPTY, Terminal.OTHER):
            if map_name == "empty" and terminal == Terminal.OTHER:
                continue
            if map_name == "single" and terminal == Terminal.EMPTY:
                continue
            key = _absent_key(memory, terminal)
            proof = memory.prove(key).proof
            label = f"{map_name} {key} absent ({terminal.name.lower()})"
            out.append(_case(label, map_name, "absence", key, True, None, proof=proof.to_base64()))
            out.append(
                _case(label + ", JSON form", map_name, "absence", key, True, None, proof_json=proof.to_json())
            )
            out.append(_case(label + ", as entries", map_name, "entries", key, True, None,
                             entries=[], proof=proof.to_base64()))  # fmt: skip
    out += _tampered(memories)
    return out


def _tampered(memories: dict[str, MemoryMap]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    memory, lists = memories["sixty"], sixty()
    key = max(lists, key=lambda k: memory.prove(k).proof.depth)  # the deepest: every part of a proof present
    entries = lists[key]
    proof = memory.prove(key).proof
    raw, value = proof.to_bytes(), map_value(entries)
    root = memory.root
    assert proof.depth >= 3, proof

    def inclusion(
        name: str, code: str, *, data: bytes = raw, val: bytes = value, k: str = key, **f: Any
    ) -> None:
        out.append(
            _case(name, "sixty", "inclusion", k, False, code, value=_hex(val), proof=b64encode(data), **f)
        )

    inclusion("value with one bit flipped", "root", val=_flip(value, 31))
    inclusion("root with one bit flipped", "root", root=_hex(_flip(root, 0, 0x80)))
    inclusion("first sibling with one bit flipped", "root", data=_flip(raw, 3 + (proof.depth + 7) // 8))
    inclusion("last byte of the proof flipped", "root", data=_flip(raw, len(raw) - 1))
    inclusion("another key's inclusion with this proof", "root", k=next(k for k in lists if k != key))
    inclusion("terminal byte says empty", "kind", data=bytes([1]) + raw[1:])
    inclusion("terminal byte 3", "malformed", data=bytes([3]) + raw[1:])
    inclusion("depth one more", "malformed", data=raw[:1] + (proof.depth + 1).to_bytes(2, "big") + raw[3:])
    inclusion("depth 257", "malformed", data=raw[:1] + (257).to_bytes(2, "big") + raw[3:])
    inclusion("a trailing byte", "malformed", data=raw + b"\x00")
    inclusion("last byte cut", "malformed", data=raw[:-1])
    inclusion("only the header", "malformed", data=raw[:2])
    if proof.depth % 8:
        inclusion("a bitmap bit past the depth", "malformed", data=_flip(raw, 3 + proof.depth // 8, 1))
    deeper = bytes([0]) + (proof.depth + 1).to_bytes(2, "big") + raw[3:]  # bitmap grows by a zero bit
    if proof.depth % 8 == 0:
        deeper = deeper[:3] + raw[3 : 3 + proof.depth // 8] + b"\x00" + raw[3 + proof.depth // 8 :]
    inclusion("an empty sibling next to the terminal", "malformed", data=deeper)
    listed_empty = _listed_empty(proof)
    inclusion("the empty hash listed as a sibling", "malformed", data=listed_empty)
    inclusion("value of 31 bytes", "malformed", val=value[:31])
    inclusion("a map key with a space", "malformed", k="lot: G001")

    def absence(name: str, code: str, k: str, data: bytes, **f: Any) -> None:
        out.append(_case(name, "sixty", "absence", k, False, code, proof=b64encode(data), **f))

    absence("an inclusion proof as an absence proof", "kind", key, raw)
    absent_empty = _absent_key(memory, Terminal.EMPTY)
    empty_raw = memory.prove(absent_empty).proof.to_bytes()
    absence(
        "absent key, root with one bit flipped", "root", absent_empty, empty_raw, root=_hex(_flip(root, 31))
    )
    absence("a present key's path claimed empty", "root", key, bytes([1]) + raw[1:])
    absent_other = _absent_key(memory, Terminal.OTHER)
    other = memory.prove(absent_other).proof
    other_raw = other.to_bytes()
    absence("other leaf's value flipped", "root", absent_other, _flip(other_raw, len(other_raw) - 1))
    absence("other leaf's key off the path", "key", absent_other, _flip(other_raw, len(other_raw) - 64, 0x80))
    absence("other leaf missing its value", "malformed", absent_other, other_raw[:-32])
    self_other = MapProof(Terminal.OTHER, proof.siblings, key_hash(key), value).to_bytes()
    absence("the other leaf is the key itself", "key", key, self_other)

    def listed(name: str, code: str, items: list[list[Any]], k: str = key) -> None:
        out.append(_case(name, "sixty", "entries", k, False, code, entries=items, proof=b64encode(raw)))

    good = _entries_json(entries)
    listed("an entry left out", "root", good[1:])
    listed("the last entry left out", "root", good[:-1])
    listed("an entry added", "root", [*good, [5000, _hex(entry_leaf(5000))]])
    listed(
        "a leaf hash changed",
        "root",
        [good[0], [good[1][0], _hex(_flip(bytes.fromhex(good[1][1]), 0))], *good[2:]],
    )
    listed("an index changed", "root", [[good[0][0] - 1, good[0][1]], *good[1:]])
    listed("entries out of order", "malformed", [good[1], good[0], *good[2:]])
    listed("an entry twice", "malformed", [good[0], *good])
    listed("a negative index", "malformed", [[-1, good[0][1]], *good[1:]])
    listed("an index that is not an integer", "malformed", [[1.5, good[0][1]], *good[1:]])
    listed("a leaf hash of 31 bytes", "malformed", [[good[0][0], good[0][1][:62]], *good[1:]])
    listed("no entries for a present key", "kind", [])

    def json_form(name: str, obj: Any) -> None:
        out.append(
            _case(name, "sixty", "inclusion", key, False, "malformed", value=_hex(value), proof_json=obj)
        )

    good_json = proof.to_json()
    json_form("JSON: an extra field", {**good_json, "extra": 1})
    json_form("JSON: depth missing", {k: v for k, v in good_json.items() if k != "depth"})
    json_form("JSON: depth as text", {**good_json, "depth": str(proof.depth)})
    json_form("JSON: depth true", {**good_json, "depth": True})
    json_form("JSON: siblings out of order", {**good_json, "siblings": good_json["siblings"][::-1]})
    json_form("JSON: a sibling past the depth", {**good_json, "depth": good_json["siblings"][-1][0] - 1})
    json_form(
        "JSON: the empty hash listed",
        {**good_json, "siblings": [[1, b64encode(EMPTY)], *good_json["siblings"][1:]]},
    )
    json_form("JSON: unknown terminal", {**good_json, "terminal": "maybe"})
    first_depth, first_hash = good_json["siblings"][0]
    json_form("JSON: a sibling hash not canonical base64", {**good_json, "siblings": [
        [first_depth, _noncanonical(first_hash)], *good_json["siblings"][1:]]})  # fmt: skip
    json_form(
        "JSON: other field on an inclusion proof", {**good_json, "other": {"key_hash": "", "value": ""}}
    )
    json_form("JSON: not an object", [good_json])
    return out


def _noncanonical(text: str) -> str:
    """Base64 of 32 bytes with its unused low bits set: lenient decoders read the same bytes."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    last = alphabet.index(text[-2])
    return text[:-2] + alphabet[(last & ~3) | 1] + "="


def _listed_empty(proof: MapProof) -> bytes:
    """``proof`` encoded with its first empty sibling listed (the bitmap bit set, E among the hashes)."""
    at = proof.siblings.index(EMPTY)
    raw = proof.to_bytes()
    bitmap = bytearray(raw[3 : 3 + (proof.depth + 7) // 8])
    bitmap[at >> 3] |= 0x80 >> (at & 7)
    before = sum(1 for s in proof.siblings[:at] if s != EMPTY)
    hashes = raw[3 + len(bitmap) :]
    return raw[:3] + bytes(bitmap) + hashes[: HASH_SIZE * before] + EMPTY + hashes[HASH_SIZE * before :]


KEYS_OK = ["lot:L1", "product:7", "org:3", "key:0123456789abcdef", "lot:GAC-2026-001", "a:!", "x-y:~"]
KEYS_BAD = [
    "", "lot", "lot:", ":L1", "LOT:L1", "lot: L1", "lot:L1 ", " lot:L1", "lot:L\u00ea", "lot:L1\x00",
    "lot:L1\n", "lot:" + "x" * 197, "abcdefghijklmnopq:1", "1ot:L1", "lot_x:1",
]  # fmt: skip


def document() -> dict[str, Any]:
    """The whole vectors file."""
    maps = {
        name: {"entries": {k: _entries_json(v) for k, v in make().items()}} for name, make in MAPS.items()
    }
    for name, make in MAPS.items():
        maps[name]["root"] = _hex(map_from_entries(make()).root)
    some_root = bytes.fromhex(maps["three"]["root"])
    return {
        "about": "Verifiable-map vectors (docs/verifiable-map.md), written by tests/ledger/vmap_vectors.py. "
        "A case's root is its map's root unless it gives one; an invalid case names the failing check.",
        "empty": _hex(EMPTY),
        "keys": [{"map_key": k, "key_hash": _hex(key_hash(k))} for k in KEYS_OK],
        "bad_keys": KEYS_BAD,
        "values": [
            {"entries": _entries_json(v), "value": _hex(map_value(v))}
            for v in ([(0, entry_leaf(0))], three()["lot:L1"], three()["key:abc"], MAPS["single"]()["org:3"])
        ],
        "extensions": [
            {"lines": [map_extension(some_root)], "root": _hex(some_root)},
            {"lines": ["witness x", map_extension(some_root)], "root": _hex(some_root)},
            {"lines": [], "root": None},
            {"lines": [map_extension(some_root)] * 2, "root": None},
            {"lines": ["map " + b64encode(some_root[:31])], "root": None},
            {"lines": ["map " + b64encode(some_root)[:-1]], "root": None},
            {"lines": ["map  " + b64encode(some_root)], "root": None},
            {"lines": ["map"], "root": None},
        ],
        "maps": maps,
        "cases": cases(),
    }


def render() -> str:
    return json.dumps(document(), indent=1, ensure_ascii=True) + "\n"


if __name__ == "__main__":
    PATH.parent.mkdir(parents=True, exist_ok=True)
    PATH.write_text(render(), encoding="utf-8")
    print(f"wrote {PATH}")

"""The witness-policy vectors both verifiers are held to: ``tests/vectors/witness/vectors.json``.

``python -m tests.witness.witness_vectors`` rewrites the file; ``test_policy_vectors.py`` checks that the file
is what this module makes now and that ``tracer.ledger.policy`` gives each case's answer, and
``tests/scanner/witness.test.mjs`` (``node --test``) that ``scanner_page/witness.js`` gives the same answers.
Keys come from fixed seeds and Ed25519 signatures are deterministic, so the file never changes by itself.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tracer.ledger.checkpoint import Checkpoint, sign_checkpoint
from tracer.ledger.cosignature import cosign, format_cosigner_key
from tracer.ledger.merkle import leaf_hash, root_hash
from tracer.ledger.note import sign_note

PATH = Path(__file__).resolve().parents[1] / "vectors" / "witness" / "vectors.json"
ORIGIN = "trace.example.vn/ocop-log"
T0 = 1_780_000_000
DAY = 86400


def key(seed: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(seed.encode()).digest())


LOG = key("log")
WITNESSES = [(f"witness{n}.example.vn/ocop", key(f"witness {n}")) for n in range(3)]


def vkey(n: int) -> str:
    name, private = WITNESSES[n]
    return format_cosigner_key(name, private.public_key().public_bytes_raw())


def note(size: int) -> str:
    root = root_hash([leaf_hash(b"entry %d" % i) for i in range(size)])
    return sign_checkpoint(
        Checkpoint(ORIGIN, size, root, ("map AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",)), LOG
    )


def body(size: int) -> str:
    text = note(size)
    return text[: text.rfind("\n\n") + 1]


def line(n: int, size: int, at: int) -> str:
    name, private = WITNESSES[n]
    return cosign(body(size), name, private, at)


def flipped(text: str) -> str:
    name, blob = text.rstrip("\n").removeprefix("\u2014 ").split(" ")
    raw = bytearray(base64.b64decode(blob))
    raw[-1] ^= 1
    return f"\u2014 {name} {base64.b64encode(bytes(raw)).decode()}\n"


def policy(quorum: int, freshness: int | None = DAY, witnesses: tuple[int, ...] = (0, 1, 2)) -> str:
    lines = [
        "# the programme office's witnesses",
        *(f"witness {vkey(n)}" for n in witnesses),
        f"quorum {quorum}",
    ]
    if freshness is not None:
        lines.append(f"freshness {freshness}")
    return "\n".join(lines) + "\n"


def cases() -> list[dict[str, Any]]:
    n5 = note(5)
    log_line_by_witness_name = sign_note(body(5), WITNESSES[0][0], LOG).split("\n\n")[1]  # a 0x01 line
    made = [
        ("log signature alone", n5, policy(2), T0, False, [], [], "quorum"),
        (
            "two of three, fresh",
            n5 + line(0, 5, T0) + line(1, 5, T0 + 10),
            policy(2),
            T0 + 60,
            True,
            [0, 1],
            [],
            None,
        ),
        (
            "three of three",
            n5 + line(0, 5, T0) + line(1, 5, T0) + line(2, 5, T0),
            policy(3),
            T0,
            True,
            [0, 1, 2],
            [],
            None,
        ),
        ("one of two", n5 + line(2, 5, T0), policy(2), T0, False, [2], [], "quorum"),
        (
            "all stale a day later",
            n5 + line(0, 5, T0) + line(1, 5, T0),
            policy(2),
            T0 + DAY + 1,
            False,
            [],
            [0, 1],
            "stale",
        ),
        (
            "one fresh one stale",
            n5 + line(0, 5, T0) + line(1, 5, T0 + 7200),
            policy(2, 3600),
            T0 + 7200,
            False,
            [1],
            [0],
            "stale",
        ),
        (
            "the default freshness is a day",
            n5 + line(0, 5, T0),
            policy(1, None),
            T0 + DAY,
            True,
            [0],
            [],
            None,
        ),
        (
            "a forged line",
            n5 + flipped(line(0, 5, T0)) + line(1, 5, T0),
            policy(2),
            T0,
            False,
            [1],
            [],
            "quorum",
        ),
        (
            "a line moved from another checkpoint",
            n5 + line(0, 4, T0) + line(1, 5, T0),
            policy(2),
            T0,
            False,
            [1],
            [],
            "quorum",
        ),
        (
            "the same witness twice",
            n5 + line(0, 5, T0) + line(0, 5, T0 + 5),
            policy(2),
            T0 + 5,
            False,
            [0],
            [],
            "quorum",
        ),
        (
            "dated in the future",
            n5 + line(0, 5, T0 + 301) + line(1, 5, T0 + 300),
            policy(2),
            T0,
            False,
            [1],
            [],
            "quorum",
        ),
        (
            "a witness not in the policy",
            n5 + line(0, 5, T0) + line(2, 5, T0),
            policy(2, DAY, (0, 1)),
            T0,
            False,
            [0],
            [],
            "quorum",
        ),
        (
            "a log-key line under a witness's name",
            n5 + log_line_by_witness_name + line(1, 5, T0),
            policy(1),
            T0,
            True,
            [1],
            [],
            None,
        ),
    ]
    return [
        {
            "name": name,
            "note": text,
            "policy": policy_text,
            "now": now,
            "satisfied": satisfied,
            "fresh": sorted(WITNESSES[n][0] for n in fresh),
            "stale": sorted(WITNESSES[n][0] for n in stale),
            "code": code,
        }
        for name, text, policy_text, now, satisfied, fresh, stale, code in made
    ]


def bad_policies() -> list[dict[str, str]]:
    return [
        {"name": "no quorum", "policy": f"witness {vkey(0)}\n", "error": "quorum must be 1 to 1"},
        {"name": "quorum above n", "policy": policy(4), "error": "quorum must be 1 to 3"},
        {
            "name": "a log key, not a cosigner key",
            "policy": "witness " + note(1).split("\n")[-2] + "\nquorum 1\n",
            "error": "line 1",
        },
        {
            "name": "twice",
            "policy": f"witness {vkey(0)}\nwitness {vkey(0)}\nquorum 1\n",
            "error": "named twice",
        },
        {
            "name": "unknown directive",
            "policy": f"witness {vkey(0)}\nquorum 1\nmaybe 3\n",
            "error": "unknown directive",
        },
        {"name": "zero freshness", "policy": policy(1, 0), "error": "at least 1 second"},
    ]


def document() -> dict[str, Any]:
    return {
        "about": "witness-policy vectors, made by python -m tests.witness.witness_vectors",
        "cases": cases(),
        "bad_policies": bad_policies(),
    }


def text() -> str:
    return json.dumps(document(), ensure_ascii=False, indent=1) + "\n"


if __name__ == "__main__":
    PATH.write_text(text(), encoding="utf-8")

"""The witness side of c2sp.org/tlog-witness through the witness's own WSGI app: every answer the spec
defines, a split view refused, and cosignatures that an independent verifier accepts."""

from __future__ import annotations

import base64
import os
import stat
import threading

from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import Flask

from tests.witness import independent
from tests.witness.conftest import ORIGIN, MemoryLog
from tracer.witness.cli import witness as witness_cli
from tracer.witness.config import WitnessConfig
from tracer.witness.state import WitnessState


def body(old: int, proof: list[bytes], note: str) -> bytes:
    lines = [f"old {old}", *(base64.b64encode(h).decode() for h in proof)]
    return ("\n".join(lines) + "\n\n" + note).encode()


def add(app: Flask, log: MemoryLog, old: int, size: int | None = None) -> tuple[int, str, str]:
    response = app.test_client().post("/add-checkpoint", data=body(old, log.proof(old, size), log.note(size)))
    return response.status_code, response.content_type, response.get_data(as_text=True)


def vkey_of(app: Flask) -> str:
    first = app.test_client().get("/").get_data(as_text=True).splitlines()[0]
    return first.removeprefix("witness ")


def test_a_cosignature_verifies_independently_and_grows_with_the_log(
    witness_app: Flask, honest: MemoryLog
) -> None:
    status, kind, answer = add(witness_app, honest, 0)
    assert (status, kind) == (200, "text/plain; charset=utf-8")
    assert answer.startswith("\u2014 ") and answer.endswith("\n")
    assert independent.verify(honest.note() + answer, vkey_of(witness_app)) > 1_700_000_000
    honest.add("ship to Co.opmart Trà Vinh", "inspect")
    status, _, answer = add(witness_app, honest, 3)  # with a consistency proof from 3 to 5
    assert status == 200
    independent.verify(honest.note() + answer, vkey_of(witness_app))
    status, _, answer = add(witness_app, honest, 5)  # the same checkpoint again: same root, cosigned again
    assert status == 200


def test_a_split_view_is_refused(
    witness_app: Flask, honest: MemoryLog, witness_config: WitnessConfig
) -> None:
    assert add(witness_app, honest, 0)[0] == 200  # the witness has seen the honest log at size 3
    split = MemoryLog(honest.key, honest.entries[:2])  # same origin, same key: another history
    split.add("package 24 (no recall)")
    status, kind, answer = add(witness_app, split, 3)
    assert (status, kind, answer) == (409, "text/x.tlog.size", "3\n")  # same size, another root
    split.add("ship")
    status, _, answer = add(witness_app, split, 3)  # a proof from the split tree cannot reach the honest root
    assert status == 422 and "consistency" in answer
    status, _, answer = add(witness_app, split, 0)
    assert (status, answer) == (409, "3\n")
    state = WitnessState(witness_config.database)
    assert state.size_of(ORIGIN) == 3
    assert [s for s, _ in state.refusals(ORIGIN)] == [409, 422, 409]  # kept as evidence


def test_every_refusal_the_specification_defines(witness_app: Flask, honest: MemoryLog) -> None:
    client = witness_app.test_client()
    stranger = MemoryLog(Ed25519PrivateKey.generate())
    stranger.add("x")
    note = stranger.note().replace(ORIGIN, "other.example/log")
    assert client.post("/add-checkpoint", data=body(0, [], note)).status_code == 404  # unknown origin
    forged = MemoryLog(stranger.key, honest.entries)  # the right origin, not the log's key
    assert add(witness_app, forged, 0)[0] == 403
    above = client.post("/add-checkpoint", data=body(4, [bytes(32)], honest.note()))
    assert above.status_code == 400  # old size above the checkpoint's
    assert add(witness_app, honest, 1)[0] == 409  # it never cosigned: its size is 0
    assert add(witness_app, honest, 0)[0] == 200
    honest.add("more")
    status, _, _ = add(witness_app, honest, 1)
    assert status == 409
    bad = honest.proof(3)
    bad[0] = bytes(32)
    response = client.post("/add-checkpoint", data=body(3, bad, honest.note()))
    assert response.status_code == 422
    note = honest.note().encode()
    for garbage in (b"", b"old 03\n\n" + note, b"old 3\nnot base64!\n\n" + note, b"new 3\n\n" + note,
                    b"\xff\xfe", b"old 0\n\nnot a checkpoint\n"):  # fmt: skip
        assert client.post("/add-checkpoint", data=garbage).status_code == 400, garbage
    too_long = body(3, [bytes(32)] * 64, honest.note())
    assert client.post("/add-checkpoint", data=too_long).status_code == 400
    assert client.get("/add-checkpoint").status_code == 405
    assert client.post("/add-checkpoint", data=b"x" * 70_000).status_code == 413


def test_concurrent_requests_never_roll_the_log_back(witness_app: Flask, honest: MemoryLog,
                                                     witness_config: WitnessConfig) -> None:  # fmt: skip
    assert add(witness_app, honest, 0)[0] == 200
    honest.add(*(f"entry {n}" for n in range(20)))
    answers: list[int] = []
    sizes = list(range(4, 24))

    def submit(size: int) -> None:
        answers.append(add(witness_app, honest, 3, size=size)[0])

    threads = [threading.Thread(target=submit, args=(s,)) for s in sizes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers.count(200) == 1 and answers.count(409) == len(sizes) - 1  # one winner from size 3
    assert WitnessState(witness_config.database).size_of(ORIGIN) in sizes


def test_the_cli_keeps_its_key_private_and_stable(witness_config: WitnessConfig) -> None:
    assert stat.S_IMODE(os.stat(witness_config.key_file).st_mode) == 0o600
    config_path = witness_config.key_file.parent / "witness.toml"
    first = CliRunner().invoke(witness_cli, ["key", "--config", str(config_path)]).output
    again = CliRunner().invoke(witness_cli, ["init", "--config", str(config_path)]).output
    assert "made a key" not in again and first.strip() in again
    broken = witness_config.key_file.parent / "broken.toml"
    broken.write_text('name = "has space"\n', encoding="utf-8")
    result = CliRunner().invoke(witness_cli, ["key", "--config", str(broken)])
    assert result.exit_code == 1 and "name" in result.output

"""The origin page says when independent witnesses last confirmed the ledger (issue #17 item 3): the newest
cosignature's time in Vietnam time, the same on the scan fast path and through Flask; nothing before any."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask

from tests.resolver.conftest import Pkg
from tests.witness.conftest import write_config
from tracer.platform.cosigning import Cosigner
from tracer.platform.services import services
from tracer.witness.app import create_witness_app, make_witness
from tracer.witness.config import WitnessConfig

VI = {"Accept-Language": "vi-VN,vi;q=0.9", "Sec-Fetch-Dest": "document", "Sec-Fetch-Mode": "navigate"}


def test_the_origin_page_shows_when_witnesses_confirmed_the_ledger(
    demo_app: Flask, gac: Pkg, tmp_path: Path
) -> None:
    found = services(demo_app)
    with found.engine.connect() as conn:
        log_key = found.ledger.verifier_key(conn)
    config = WitnessConfig.load(write_config(tmp_path / "w", [log_key]))
    witness = create_witness_app(config).test_client()

    def post(url: str, body: bytes, timeout: float) -> tuple[int, bytes]:
        answer = witness.post("/add-checkpoint", data=body)
        return answer.status_code, answer.get_data()

    settings = replace(
        found.settings, witnesses=(f"{make_witness(config).verifier_key} http://witness.invalid",)
    )
    before = datetime.now(UTC)
    assert Cosigner(found.engine, found.ledger, settings, post=post).run_once(now=0) == {
        config.name: "cosigned"
    }
    fast = demo_app.test_client().get(gac.path, headers=VI).get_data(as_text=True)
    slow = demo_app.test_client().get(gac.path + "?lang=vi", headers=VI).get_data(as_text=True)
    sentences = [page.split('id="witnessed">')[1].split("</p>")[0] for page in (fast, slow)]
    assert sentences[0] == sentences[1]
    assert sentences[0].startswith("Được 1 nhân chứng độc lập xác nhận lúc ")
    assert sentences[0].endswith("(giờ Việt Nam), sổ cái " + sentences[0].rsplit("sổ cái ", 1)[1])
    shown = datetime.strptime(sentences[0].split("lúc ")[1].split(" (")[0], "%H:%M ngày %d/%m/%Y")
    vietnam = (before + timedelta(hours=7)).replace(tzinfo=None, second=0, microsecond=0)
    assert timedelta(0) <= shown - vietnam <= timedelta(minutes=2)


def test_no_sentence_before_any_cosignature(demo_app: Flask, gac: Pkg) -> None:
    page = demo_app.test_client().get(gac.path, headers=VI).get_data(as_text=True)
    assert 'id="witnessed"' not in page and "Điểm kiểm tra sổ cái mới nhất" in page

"""``python -m tracer witness-link POLICY --svg FILE``: the link (and QR code) the programme office prints to
install a witness policy on inspectors' phones; the QR is read back by a real decoder (zxing-cpp)."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import zxingcpp
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image, ImageDraw

from tracer.ledger.cosignature import format_cosigner_key
from tracer.ledger.policy import WitnessPolicy


def raster(svg: str) -> Image.Image:
    side = int(re.search(r'width="(\d+)"', svg).group(1))  # type: ignore[union-attr]
    image = Image.new("L", (side, side), 255)
    draw = ImageDraw.Draw(image)
    for x, y, w, h in re.findall(r'<rect x="(\d+)" y="(\d+)" width="(\d+)" height="(\d+)"/>', svg):
        draw.rectangle((int(x), int(y), int(x) + int(w) - 1, int(y) + int(h) - 1), fill=0)
    return image


def test_the_link_installs_the_policy_and_its_qr_reads_back(runner: CliRunner, tmp_path: Path) -> None:
    keys = [
        format_cosigner_key(
            f"witness{n}.example.vn/ocop", Ed25519PrivateKey.generate().public_key().public_bytes_raw()
        )
        for n in range(3)
    ]
    text = (
        "# Văn phòng Điều phối OCOP\n"
        + "".join(f"witness {k}\n" for k in keys)
        + "quorum 2\nfreshness 86400\n"
    )
    policy = tmp_path / "policy.txt"
    policy.write_text(text, encoding="utf-8")
    result = runner.invoke(args=["tracer", "witness-link", str(policy), "--svg", str(tmp_path / "qr.svg")])
    assert result.exit_code == 0, result.output
    link = result.output.strip()
    assert link.startswith("https://trace.example.vn/scan#witnesses=")
    assert base64.urlsafe_b64decode(link.split("=", 1)[1]).decode() == text
    assert WitnessPolicy.parse(text).quorum == 2
    [read] = zxingcpp.read_barcodes(raster((tmp_path / "qr.svg").read_text(encoding="utf-8")))
    assert read.text == link
    policy.write_text("quorum 2\n", encoding="utf-8")
    refused = runner.invoke(args=["tracer", "witness-link", str(policy)])
    assert refused.exit_code == 1 and "quorum must be 1 to 0" in refused.output

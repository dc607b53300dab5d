"""Dried Lục Ngạn lychee from Bắc Giang, whose OCOP certificate has expired."""

from __future__ import annotations

from decimal import Decimal

from tracer.accounts.actors import Actor
from tracer.demo.kit import Kit
from tracer.events import commands as c
from tracer.models.accounts import Role


def load(kit: Kit, authority: Actor) -> None:
    """Onboard the producer, record the case's events, and note its lots in ``kit.result``."""
    lychee_firm = kit.org(
        name="Công ty Cổ phần Nông sản Lục Ngạn",
        kind="dn",
        commune="Thị trấn Chũ",
        district="Huyện Lục Ngạn",
        province="Bắc Giang",
    )
    lychee_member = kit.account("nongsan.lucngan@example.vn", "Hoàng Văn Đức", Role.PRODUCER, lychee_firm.id)
    dried = kit.product(
        lychee_firm,
        name="Vải thiều sấy khô Lục Ngạn",
        ocop_group="thuc_pham",
        unit="túi",
        shelf_life_days=365,
    )
    orchard = kit.go(
        lychee_member,
        c.RegisterZone(
            name="Vườn vải thiều Hồng Giang",
            commune="Xã Hồng Giang",
            district="Huyện Lục Ngạn",
            province="Bắc Giang",
            crop="Vải thiều",
            certifications=["VietGAP", "GlobalGAP"],
            area_ha=Decimal("12"),
        ),
    )["zone"]
    lychee = kit.go(
        lychee_member,
        c.Harvest(
            zone_id=orchard["id"],
            name="Vải thiều tươi",
            quantity=Decimal("5000"),
            unit="kg",
            harvested_on=kit.ago(150),
        ),
    )["lot"]
    dried_lot = kit.go(
        lychee_member,
        c.Transform(
            step="Sấy khô",
            processed_on=kit.ago(145),
            inputs=[c.TransformInput(lot_id=lychee["id"], quantity=Decimal("5000"))],
            outputs=[
                c.TransformOutput(name="Vải sấy khô", quantity=Decimal("1000"), unit="kg", product_id=dried)
            ],
        ),
    )["outputs"][0]
    kit.go(
        authority,
        c.Certify(
            product_id=dried,
            stars=4,
            decision_no="321/QĐ-UBND",
            issuing_level="tinh",
            issued_on=kit.ago(1200),
        ),
    )
    kit.go(
        lychee_member,
        c.Package(
            lot_id=dried_lot["id"],
            product_id=dried,
            count=10 if kit.small else 40,
            net_content="500 g",
            quantity_used=Decimal("20"),
            packed_on=kit.ago(140),
        ),
    )
    kit.result.lots["lychee"] = dried_lot["id"]

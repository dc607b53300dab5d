"""Tinh bột nghệ (turmeric starch) from Cầu Kè, Trà Vinh: a 3-star product."""

from __future__ import annotations

from decimal import Decimal

from tracer.accounts.actors import Actor
from tracer.demo.kit import Kit
from tracer.events import commands as c
from tracer.models.accounts import Role


def load(kit: Kit, authority: Actor) -> None:
    """Onboard the producer, record the case's events, and note its lots in ``kit.result``."""
    turmeric_coop = kit.org(
        name="Hợp tác xã Nghệ Cầu Kè",
        kind="htx",
        commune="Xã Hòa Ân",
        district="Huyện Cầu Kè",
        province="Trà Vinh",
    )
    turmeric_member = kit.account("htx.nghe@example.vn", "Thạch Thị Sa Ra", Role.PRODUCER, turmeric_coop.id)
    starch = kit.product(
        turmeric_coop, name="Tinh bột nghệ Cầu Kè", ocop_group="thao_duoc", unit="hũ", shelf_life_days=730
    )
    field_zone = kit.go(
        turmeric_member,
        c.RegisterZone(
            name="Ruộng nghệ ấp Ô Tưng",
            commune="Xã Hòa Ân",
            district="Huyện Cầu Kè",
            province="Trà Vinh",
            crop="Nghệ vàng",
            area_ha=Decimal("3"),
            latitude=Decimal("9.8790"),
            longitude=Decimal("106.0600"),
        ),
    )["zone"]
    roots = kit.go(
        turmeric_member,
        c.Harvest(
            zone_id=field_zone["id"],
            name="Củ nghệ tươi",
            quantity=Decimal("2000"),
            unit="kg",
            harvested_on=kit.ago(25),
        ),
    )["lot"]
    starch_lot = kit.go(
        turmeric_member,
        c.Transform(
            step="Xay, lọc và sấy tinh bột",
            processed_on=kit.ago(21),
            inputs=[c.TransformInput(lot_id=roots["id"], quantity=Decimal("2000"))],
            outputs=[
                c.TransformOutput(name="Tinh bột nghệ", quantity=Decimal("80"), unit="kg", product_id=starch)
            ],
        ),
    )["outputs"][0]
    kit.go(
        authority,
        c.Certify(
            product_id=starch,
            stars=3,
            decision_no="456/QĐ-UBND",
            issuing_level="tinh",
            issued_on=kit.ago(400),
        ),
    )
    kit.go(
        turmeric_member,
        c.Package(
            lot_id=starch_lot["id"],
            product_id=starch,
            count=10 if kit.small else 60,
            net_content="100 g",
            quantity_used=Decimal("6"),
            packed_on=kit.ago(20),
        ),
    )
    kit.result.lots["turmeric"] = starch_lot["id"]

"""Cacao from Đắk Lắk: a household grows and ships beans; a cooperative receives, ferments and grinds them
into cacao powder (two processing steps, one step back across organisations)."""

from __future__ import annotations

from decimal import Decimal

from tracer.accounts.actors import Actor
from tracer.demo.kit import Kit
from tracer.events import commands as c
from tracer.models.accounts import Role


def load(kit: Kit, authority: Actor) -> None:
    """Onboard the producer, record the case's events, and note its lots in ``kit.result``."""
    household = kit.org(
        name="Hộ ông Y Kông Niê",
        kind="hkd",
        commune="Xã Ea Kly",
        district="Huyện Krông Pắc",
        province="Đắk Lắk",
    )
    farmer = kit.account("ho.ykong@example.vn", "Y Kông Niê", Role.PRODUCER, household.id)
    coop = kit.org(
        name="Hợp tác xã Cacao Ea Kly",
        kind="htx",
        registration_no="6000123456",
        commune="Xã Ea Kly",
        district="Huyện Krông Pắc",
        province="Đắk Lắk",
    )
    coop_member = kit.account("htx.cacao@example.vn", "H'Nga Byă", Role.PRODUCER, coop.id)
    cacao_powder = kit.product(
        coop,
        name="Bột cacao nguyên chất Ea Kly",
        ocop_group="thuc_pham",
        gtin="8935049500025",
        unit="hộp",
        shelf_life_days=365,
    )
    garden = kit.go(
        farmer,
        c.RegisterZone(
            name="Vườn cacao buôn Ea Kly",
            commune="Xã Ea Kly",
            district="Huyện Krông Pắc",
            province="Đắk Lắk",
            latitude=Decimal("12.7050"),
            longitude=Decimal("108.2900"),
            area_ha=Decimal("2.1"),
            crop="Cacao",
        ),
    )["zone"]
    beans = kit.go(
        farmer,
        c.Harvest(
            zone_id=garden["id"],
            name="Hạt cacao tươi",
            quantity=Decimal("800"),
            unit="kg",
            harvested_on=kit.ago(60),
        ),
    )["lot"]
    kit.go(farmer, c.Ship(lot_id=beans["id"], shipped_on=kit.ago(58), to_organisation_id=coop.id))
    kit.go(coop_member, c.Receive(lot_id=beans["id"], received_on=kit.ago(58)))
    fermented = kit.go(
        coop_member,
        c.Transform(
            step="Lên men và sấy",
            facility="Nhà sấy HTX Ea Kly",
            processed_on=kit.ago(50),
            inputs=[c.TransformInput(lot_id=beans["id"], quantity=Decimal("800"))],
            outputs=[c.TransformOutput(name="Hạt cacao lên men sấy khô", quantity=Decimal("300"), unit="kg")],
        ),
    )
    powder = kit.go(
        coop_member,
        c.Transform(
            step="Rang và nghiền bột",
            processed_on=kit.ago(45),
            inputs=[c.TransformInput(lot_id=fermented["outputs"][0]["id"], quantity=Decimal("300"))],
            outputs=[
                c.TransformOutput(
                    name="Bột cacao", quantity=Decimal("240"), unit="kg", product_id=cacao_powder
                )
            ],
        ),
    )
    kit.go(
        authority,
        c.Certify(
            product_id=cacao_powder,
            stars=4,
            decision_no="2345/QĐ-UBND",
            issuing_level="tinh",
            issued_on=kit.ago(200),
        ),
    )
    kit.go(
        coop_member,
        c.Package(
            lot_id=powder["outputs"][0]["id"],
            product_id=cacao_powder,
            count=12 if kit.small else 100,
            net_content="200 g",
            quantity_used=Decimal("20"),
            packed_on=kit.ago(44),
        ),
    )
    kit.result.lots["cacao_powder"] = powder["outputs"][0]["id"]

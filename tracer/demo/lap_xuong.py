"""Lạp xưởng from Cần Đước, Long An: the pork lot is recalled, so every package made from it is recalled."""

from __future__ import annotations

from decimal import Decimal

from tracer.accounts.actors import Actor
from tracer.demo.kit import Kit
from tracer.events import commands as c
from tracer.models.accounts import Role


def load(kit: Kit, authority: Actor) -> None:
    """Onboard the producer, record the case's events, and note its lots in ``kit.result``."""
    sausage_maker = kit.org(
        name="Công ty TNHH Lạp xưởng Cần Đước",
        kind="dn",
        registration_no="1101234567",
        commune="Thị trấn Cần Đước",
        district="Huyện Cần Đước",
        province="Long An",
    )
    maker = kit.account("laxuong.canduoc@example.vn", "Phạm Thị Lan", Role.PRODUCER, sausage_maker.id)
    sausage = kit.product(
        sausage_maker,
        name="Lạp xưởng tươi Cần Đước",
        ocop_group="thuc_pham",
        gtin="8935049500032",
        unit="gói",
        shelf_life_days=90,
    )
    farm = kit.go(
        maker,
        c.RegisterZone(
            name="Trại heo Long Hựu",
            commune="Xã Long Hựu Đông",
            district="Huyện Cần Đước",
            province="Long An",
            crop="Heo thịt",
            latitude=Decimal("10.5410"),
            longitude=Decimal("106.6120"),
        ),
    )["zone"]
    pork = kit.go(
        maker,
        c.Harvest(
            zone_id=farm["id"],
            name="Thịt heo nạc",
            quantity=Decimal("300"),
            unit="kg",
            harvested_on=kit.ago(20),
        ),
    )["lot"]
    links = kit.go(
        maker,
        c.Transform(
            step="Xay, nhồi và phơi",
            processed_on=kit.ago(19),
            inputs=[c.TransformInput(lot_id=pork["id"], quantity=Decimal("300"))],
            outputs=[
                c.TransformOutput(
                    name="Lạp xưởng tươi", quantity=Decimal("200"), unit="kg", product_id=sausage
                )
            ],
        ),
    )["outputs"][0]
    kit.go(
        authority,
        c.Certify(
            product_id=sausage,
            stars=3,
            decision_no="987/QĐ-UBND",
            issuing_level="tinh",
            issued_on=kit.ago(500),
        ),
    )
    kit.go(
        maker,
        c.Package(
            lot_id=links["id"],
            product_id=sausage,
            count=10 if kit.small else 50,
            net_content="500 g",
            quantity_used=Decimal("25"),
            packed_on=kit.ago(18),
        ),
    )
    kit.go(maker, c.Recall(lot_ids=[pork["id"]], reason="Kiểm nghiệm phát hiện vượt ngưỡng nitrit cho phép"))
    kit.result.lots["sausage_recalled"] = links["id"]

"""Gấc oil from the garden at ấp số 2, xã Mỹ Cẩm, huyện Càng Long, tỉnh Trà Vinh: harvest, cold pressing,
4 stars, 100 ml bottles, shipped to the OCOP shop in Trà Vinh."""

from __future__ import annotations

from decimal import Decimal

from tracer.accounts.actors import Actor
from tracer.demo.kit import Kit
from tracer.events import commands as c
from tracer.models.accounts import Role


def load(kit: Kit, authority: Actor) -> None:
    """Onboard the producer, record the case's events, and note its lots in ``kit.result``."""
    my_cam = kit.org(
        name="Hợp tác xã Nông nghiệp Mỹ Cẩm",
        kind="htx",
        registration_no="2107000123",
        address="Ấp số 2",
        commune="Xã Mỹ Cẩm",
        district="Huyện Càng Long",
        province="Trà Vinh",
        phone="0294 3880 123",
    )
    gac_oil = kit.product(
        my_cam,
        name="Dầu gấc Mỹ Cẩm",
        ocop_group="thuc_pham",
        gtin="8935049500018",
        unit="chai",
        shelf_life_days=540,
        description="Dầu gấc ép lạnh từ quả gấc chín vườn ấp số 2, xã Mỹ Cẩm.",
    )
    producer = kit.account("htx.mycam@example.vn", "Lê Văn Tâm", Role.PRODUCER, my_cam.id)
    zone = kit.go(
        producer,
        c.RegisterZone(
            name="Vườn gấc ấp số 2",
            address="Ấp số 2",
            commune="Xã Mỹ Cẩm",
            district="Huyện Càng Long",
            province="Trà Vinh",
            latitude=Decimal("9.9870"),
            longitude=Decimal("106.1895"),
            area_ha=Decimal("4.5"),
            crop="Gấc",
            certifications=["VietGAP"],
            polygon={
                "type": "Polygon",
                "coordinates": [
                    [
                        [106.1880, 9.9860],
                        [106.1912, 9.9860],
                        [106.1912, 9.9882],
                        [106.1880, 9.9882],
                        [106.1880, 9.9860],
                    ]
                ],
            },
        ),
    )["zone"]
    fruit = kit.go(
        producer,
        c.Harvest(
            zone_id=zone["id"],
            name="Quả gấc chín",
            quantity=Decimal("1200"),
            unit="kg",
            harvested_on=kit.ago(40),
        ),
    )["lot"]
    oil = kit.go(
        producer,
        c.Transform(
            step="Ép dầu gấc",
            facility="Xưởng ép HTX Mỹ Cẩm",
            processed_on=kit.ago(38),
            inputs=[c.TransformInput(lot_id=fruit["id"], quantity=Decimal("1200"))],
            outputs=[
                c.TransformOutput(
                    name="Dầu gấc nguyên chất", quantity=Decimal("60"), unit="lít", product_id=gac_oil
                )
            ],
        ),
    )["outputs"][0]
    kit.go(
        authority,
        c.Certify(
            product_id=gac_oil,
            stars=4,
            decision_no="1868/QĐ-UBND",
            issuing_level="tinh",
            issued_on=kit.ago(300),
        ),
    )
    kit.go(
        producer,
        c.Package(
            lot_id=oil["id"],
            product_id=gac_oil,
            count=24 if kit.small else 200,
            net_content="100 ml",
            quantity_used=Decimal("20"),
            packed_on=kit.ago(35),
        ),
    )
    kit.go(
        producer,
        c.Ship(
            lot_id=oil["id"],
            shipped_on=kit.ago(30),
            sale_point=c.SalePoint(
                name="Cửa hàng OCOP Trà Vinh", address="12 Nguyễn Thị Minh Khai", province="Trà Vinh"
            ),
        ),
    )
    kit.result.lots["gac_oil"] = oil["id"]
    kit.result.lots["gac_fruit"] = fruit["id"]

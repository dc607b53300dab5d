"""Demo data: the programme's real cases, loaded through the same domain functions as the API and forms.

Gấc from the garden at ấp số 2, xã Mỹ Cẩm, Càng Long (Trà Vinh) pressed into gấc oil; cacao from Đắk Lắk
fermented by a cooperative; lạp xưởng from Long An (one lot recalled); tinh bột nghệ from Trà Vinh (3 stars);
dried Lục Ngạn lychee from Bắc Giang (its certificate expired). Dates are relative to today, so every
rule (nothing in the future, packaging after processing) holds whenever it is loaded.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlmodel import Session, select

from tracer.accounts.actors import SYSTEM, Actor
from tracer.accounts.users import actor_for, create_user
from tracer.events import commands as c
from tracer.events.dispatch import record
from tracer.events.onboarding import (
    NewOrganisation,
    NewProduct,
    create_product,
    onboard_organisation,
    register_inspector,
)
from tracer.events.rules import today
from tracer.models.accounts import Role
from tracer.models.organisations import Organisation, OrgKind


@dataclass
class DemoResult:
    accounts: list[tuple[str, str, str]] = field(default_factory=list)  # (e-mail, password, role)
    lots: dict[str, str] = field(default_factory=dict)
    packages: dict[str, list[str]] = field(default_factory=dict)


def _password() -> str:
    return "ocop-" + secrets.token_urlsafe(9)


def already_loaded(session: Session) -> bool:
    return (
        session.exec(select(Organisation).where(Organisation.kind != OrgKind.AUTHORITY)).first() is not None
    )


def load(session: Session, *, small: bool = False) -> DemoResult:
    """Load every demo case into ``session`` (the caller commits). ``small`` packs fewer packages."""
    result = DemoResult()
    days = today()

    def ago(n: int) -> date:
        return days - timedelta(days=n)

    def account(email: str, name: str, role: Role, org: int | None = None) -> Actor:
        password = _password()
        user = create_user(
            session=session, email=email, full_name=name, role=role, password=password, organisation_id=org
        )
        result.accounts.append((email, password, role.value))
        return actor_for(user)

    def org(**fields: Any) -> Organisation:
        return onboard_organisation(session=session, actor=SYSTEM, command=NewOrganisation(**fields))

    def product(owner: Organisation, **fields: Any) -> int:
        assert owner.id is not None
        made = create_product(
            session=session, actor=SYSTEM, organisation_id=owner.id, command=NewProduct(**fields)
        )
        assert made.id is not None
        return made.id

    def go(actor: Actor, command: c.Command) -> dict[str, Any]:
        return record(session=session, actor=actor, command=command).body

    office = org(
        name="Văn phòng Điều phối Chương trình OCOP tỉnh Trà Vinh",
        kind="authority",
        commune="Phường 1",
        district="Thành phố Trà Vinh",
        province="Trà Vinh",
    )
    account("admin@example.vn", "Quản trị hệ thống", Role.ADMIN)
    authority = account("vanphong@ocop.example.vn", "Nguyễn Thị Hồng Nhung", Role.AUTHORITY, office.id)
    inspector_password = _password()
    register_inspector(
        session=session,
        actor=SYSTEM,
        email="thanhtra@qltt.example.vn",
        full_name="Trần Văn Minh",
        password=inspector_password,
    )
    result.accounts.append(("thanhtra@qltt.example.vn", inspector_password, Role.INSPECTOR.value))

    # 1. Gấc oil from the garden at ấp số 2, xã Mỹ Cẩm, huyện Càng Long, tỉnh Trà Vinh.
    my_cam = org(
        name="Hợp tác xã Nông nghiệp Mỹ Cẩm",
        kind="htx",
        registration_no="2107000123",
        address="Ấp số 2",
        commune="Xã Mỹ Cẩm",
        district="Huyện Càng Long",
        province="Trà Vinh",
        phone="0294 3880 123",
    )
    gac_oil = product(
        my_cam,
        name="Dầu gấc Mỹ Cẩm",
        ocop_group="thuc_pham",
        gtin="8935049500018",
        unit="chai",
        shelf_life_days=540,
        description="Dầu gấc ép lạnh từ quả gấc chín vườn ấp số 2, xã Mỹ Cẩm.",
    )
    producer = account("htx.mycam@example.vn", "Lê Văn Tâm", Role.PRODUCER, my_cam.id)
    zone = go(
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
    fruit = go(
        producer,
        c.Harvest(
            zone_id=zone["id"], name="Quả gấc chín", quantity=Decimal("1200"), unit="kg", harvested_on=ago(40)
        ),
    )["lot"]
    oil = go(
        producer,
        c.Transform(
            step="Ép dầu gấc",
            facility="Xưởng ép HTX Mỹ Cẩm",
            processed_on=ago(38),
            inputs=[c.TransformInput(lot_id=fruit["id"], quantity=Decimal("1200"))],
            outputs=[
                c.TransformOutput(
                    name="Dầu gấc nguyên chất", quantity=Decimal("60"), unit="lít", product_id=gac_oil
                )
            ],
        ),
    )["outputs"][0]
    go(
        authority,
        c.Certify(
            product_id=gac_oil, stars=4, decision_no="1868/QĐ-UBND", issuing_level="tinh", issued_on=ago(300)
        ),
    )
    go(
        producer,
        c.Package(
            lot_id=oil["id"],
            product_id=gac_oil,
            count=24 if small else 200,
            net_content="100 ml",
            quantity_used=Decimal("20"),
            packed_on=ago(35),
        ),
    )
    go(
        producer,
        c.Ship(
            lot_id=oil["id"],
            shipped_on=ago(30),
            sale_point=c.SalePoint(
                name="Cửa hàng OCOP Trà Vinh", address="12 Nguyễn Thị Minh Khai", province="Trà Vinh"
            ),
        ),
    )
    result.lots["gac_oil"] = oil["id"]
    result.lots["gac_fruit"] = fruit["id"]

    # 2. Cacao from Đắk Lắk: a household grows and ships beans; a cooperative ferments them into cacao powder.
    household = org(
        name="Hộ ông Y Kông Niê",
        kind="hkd",
        commune="Xã Ea Kly",
        district="Huyện Krông Pắc",
        province="Đắk Lắk",
    )
    farmer = account("ho.ykong@example.vn", "Y Kông Niê", Role.PRODUCER, household.id)
    coop = org(
        name="Hợp tác xã Cacao Ea Kly",
        kind="htx",
        registration_no="6000123456",
        commune="Xã Ea Kly",
        district="Huyện Krông Pắc",
        province="Đắk Lắk",
    )
    coop_member = account("htx.cacao@example.vn", "H'Nga Byă", Role.PRODUCER, coop.id)
    cacao_powder = product(
        coop,
        name="Bột cacao nguyên chất Ea Kly",
        ocop_group="thuc_pham",
        gtin="8935049500025",
        unit="hộp",
        shelf_life_days=365,
    )
    garden = go(
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
    beans = go(
        farmer,
        c.Harvest(
            zone_id=garden["id"],
            name="Hạt cacao tươi",
            quantity=Decimal("800"),
            unit="kg",
            harvested_on=ago(60),
        ),
    )["lot"]
    go(farmer, c.Ship(lot_id=beans["id"], shipped_on=ago(58), to_organisation_id=coop.id))
    go(coop_member, c.Receive(lot_id=beans["id"], received_on=ago(58)))
    fermented = go(
        coop_member,
        c.Transform(
            step="Lên men và sấy",
            facility="Nhà sấy HTX Ea Kly",
            processed_on=ago(50),
            inputs=[c.TransformInput(lot_id=beans["id"], quantity=Decimal("800"))],
            outputs=[c.TransformOutput(name="Hạt cacao lên men sấy khô", quantity=Decimal("300"), unit="kg")],
        ),
    )
    powder = go(
        coop_member,
        c.Transform(
            step="Rang và nghiền bột",
            processed_on=ago(45),
            inputs=[c.TransformInput(lot_id=fermented["outputs"][0]["id"], quantity=Decimal("300"))],
            outputs=[
                c.TransformOutput(
                    name="Bột cacao", quantity=Decimal("240"), unit="kg", product_id=cacao_powder
                )
            ],
        ),
    )
    go(
        authority,
        c.Certify(
            product_id=cacao_powder,
            stars=4,
            decision_no="2345/QĐ-UBND",
            issuing_level="tinh",
            issued_on=ago(200),
        ),
    )
    go(
        coop_member,
        c.Package(
            lot_id=powder["outputs"][0]["id"],
            product_id=cacao_powder,
            count=12 if small else 100,
            net_content="200 g",
            quantity_used=Decimal("20"),
            packed_on=ago(44),
        ),
    )
    result.lots["cacao_powder"] = powder["outputs"][0]["id"]

    # 3. Lạp xưởng from Long An: one lot recalled.
    sausage_maker = org(
        name="Công ty TNHH Lạp xưởng Cần Đước",
        kind="dn",
        registration_no="1101234567",
        commune="Thị trấn Cần Đước",
        district="Huyện Cần Đước",
        province="Long An",
    )
    maker = account("laxuong.canduoc@example.vn", "Phạm Thị Lan", Role.PRODUCER, sausage_maker.id)
    sausage = product(
        sausage_maker,
        name="Lạp xưởng tươi Cần Đước",
        ocop_group="thuc_pham",
        gtin="8935049500032",
        unit="gói",
        shelf_life_days=90,
    )
    farm = go(
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
    pork = go(
        maker,
        c.Harvest(
            zone_id=farm["id"], name="Thịt heo nạc", quantity=Decimal("300"), unit="kg", harvested_on=ago(20)
        ),
    )["lot"]
    links = go(
        maker,
        c.Transform(
            step="Xay, nhồi và phơi",
            processed_on=ago(19),
            inputs=[c.TransformInput(lot_id=pork["id"], quantity=Decimal("300"))],
            outputs=[
                c.TransformOutput(
                    name="Lạp xưởng tươi", quantity=Decimal("200"), unit="kg", product_id=sausage
                )
            ],
        ),
    )["outputs"][0]
    go(
        authority,
        c.Certify(
            product_id=sausage, stars=3, decision_no="987/QĐ-UBND", issuing_level="tinh", issued_on=ago(500)
        ),
    )
    go(
        maker,
        c.Package(
            lot_id=links["id"],
            product_id=sausage,
            count=10 if small else 50,
            net_content="500 g",
            quantity_used=Decimal("25"),
            packed_on=ago(18),
        ),
    )
    go(maker, c.Recall(lot_ids=[pork["id"]], reason="Kiểm nghiệm phát hiện vượt ngưỡng nitrit cho phép"))
    result.lots["sausage_recalled"] = links["id"]

    # 4. Tinh bột nghệ from Trà Vinh, 3 stars.
    turmeric_coop = org(
        name="Hợp tác xã Nghệ Cầu Kè",
        kind="htx",
        commune="Xã Hòa Ân",
        district="Huyện Cầu Kè",
        province="Trà Vinh",
    )
    turmeric_member = account("htx.nghe@example.vn", "Thạch Thị Sa Ra", Role.PRODUCER, turmeric_coop.id)
    starch = product(
        turmeric_coop, name="Tinh bột nghệ Cầu Kè", ocop_group="thao_duoc", unit="hũ", shelf_life_days=730
    )
    field_zone = go(
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
    roots = go(
        turmeric_member,
        c.Harvest(
            zone_id=field_zone["id"],
            name="Củ nghệ tươi",
            quantity=Decimal("2000"),
            unit="kg",
            harvested_on=ago(25),
        ),
    )["lot"]
    starch_lot = go(
        turmeric_member,
        c.Transform(
            step="Xay, lọc và sấy tinh bột",
            processed_on=ago(21),
            inputs=[c.TransformInput(lot_id=roots["id"], quantity=Decimal("2000"))],
            outputs=[
                c.TransformOutput(name="Tinh bột nghệ", quantity=Decimal("80"), unit="kg", product_id=starch)
            ],
        ),
    )["outputs"][0]
    go(
        authority,
        c.Certify(
            product_id=starch, stars=3, decision_no="456/QĐ-UBND", issuing_level="tinh", issued_on=ago(400)
        ),
    )
    go(
        turmeric_member,
        c.Package(
            lot_id=starch_lot["id"],
            product_id=starch,
            count=10 if small else 60,
            net_content="100 g",
            quantity_used=Decimal("6"),
            packed_on=ago(20),
        ),
    )
    result.lots["turmeric"] = starch_lot["id"]

    # 5. Bắc Giang: dried Lục Ngạn lychee, whose certificate has expired.
    lychee_firm = org(
        name="Công ty Cổ phần Nông sản Lục Ngạn",
        kind="dn",
        commune="Thị trấn Chũ",
        district="Huyện Lục Ngạn",
        province="Bắc Giang",
    )
    lychee_member = account("nongsan.lucngan@example.vn", "Hoàng Văn Đức", Role.PRODUCER, lychee_firm.id)
    dried = product(
        lychee_firm,
        name="Vải thiều sấy khô Lục Ngạn",
        ocop_group="thuc_pham",
        unit="túi",
        shelf_life_days=365,
    )
    orchard = go(
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
    lychee = go(
        lychee_member,
        c.Harvest(
            zone_id=orchard["id"],
            name="Vải thiều tươi",
            quantity=Decimal("5000"),
            unit="kg",
            harvested_on=ago(150),
        ),
    )["lot"]
    dried_lot = go(
        lychee_member,
        c.Transform(
            step="Sấy khô",
            processed_on=ago(145),
            inputs=[c.TransformInput(lot_id=lychee["id"], quantity=Decimal("5000"))],
            outputs=[
                c.TransformOutput(name="Vải sấy khô", quantity=Decimal("1000"), unit="kg", product_id=dried)
            ],
        ),
    )["outputs"][0]
    go(
        authority,
        c.Certify(
            product_id=dried, stars=4, decision_no="321/QĐ-UBND", issuing_level="tinh", issued_on=ago(1200)
        ),
    )
    go(
        lychee_member,
        c.Package(
            lot_id=dried_lot["id"],
            product_id=dried,
            count=10 if small else 40,
            net_content="500 g",
            quantity_used=Decimal("20"),
            packed_on=ago(140),
        ),
    )
    result.lots["lychee"] = dried_lot["id"]
    return result

"""Vietnamese text round-trips exactly, byte for byte, in both databases."""

from __future__ import annotations

import unicodedata

from sqlmodel import Session, select

from tracer.models.organisations import Organisation, OrgKind
from tracer.models.zones import Zone

GARDEN = "Vườn gấc ấp số 2, xã Mỹ Cẩm, huyện Càng Long, tỉnh Trà Vinh"


def test_vietnamese_round_trips(engine):
    with Session(engine) as session:
        org = Organisation(
            name="HTX Nông nghiệp Mỹ Cẩm",
            kind=OrgKind.COOPERATIVE,
            commune="xã Mỹ Cẩm",
            district="huyện Càng Long",
            province="tỉnh Trà Vinh",
        )
        session.add(org)
        session.flush()
        session.add(
            Zone(
                id="ZTEST1",
                organisation_id=org.id,
                name=GARDEN,
                commune="xã Mỹ Cẩm",
                district="huyện Càng Long",
                province="tỉnh Trà Vinh",
                crop="Gấc",
            )
        )
        session.commit()
    with Session(engine) as session:
        zone = session.exec(select(Zone).where(Zone.name == GARDEN)).one()
        assert zone.name == GARDEN
        assert zone.name.encode("utf-8") == GARDEN.encode("utf-8")
        assert unicodedata.is_normalized("NFC", zone.name)
        org = session.exec(select(Organisation).where(Organisation.commune == "xã Mỹ Cẩm")).one()
        assert org.name == "HTX Nông nghiệp Mỹ Cẩm"

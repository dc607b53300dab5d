"""Demo data: the programme's real cases, loaded through the same domain functions as the API and forms.

Gấc from the garden at ấp số 2, xã Mỹ Cẩm, Càng Long (Trà Vinh) pressed into gấc oil; cacao from Đắk Lắk
fermented by a cooperative; lạp xưởng from Long An (one lot recalled); tinh bột nghệ from Trà Vinh (3 stars);
dried Lục Ngạn lychee from Bắc Giang (its certificate expired). Dates are relative to today, so every
rule (nothing in the future, packaging after processing) holds whenever it is loaded. One module per case.
"""

from __future__ import annotations

from sqlmodel import Session, select

from tracer.demo import cacao, gac, lap_xuong, office, tinh_bot_nghe, vai_thieu
from tracer.demo.kit import DemoResult, Kit
from tracer.models.organisations import Organisation, OrgKind
from tracer.platform.clock import today

__all__ = ["CASES", "DemoResult", "already_loaded", "load"]

CASES = (gac, cacao, lap_xuong, tinh_bot_nghe, vai_thieu)


def already_loaded(session: Session) -> bool:
    return (
        session.exec(select(Organisation).where(Organisation.kind != OrgKind.AUTHORITY)).first() is not None
    )


def load(session: Session, *, small: bool = False, company_prefix: str | None = None) -> DemoResult:
    """Load every demo case into ``session`` (the caller commits). ``small`` packs fewer packages;
    ``company_prefix``: the products without a GTIN of their own are allotted one under it (else their
    packages get /p/ codes)."""
    kit = Kit(session=session, today=today(), small=small, company_prefix=company_prefix)
    authority = office.load(kit)
    for case in CASES:
        case.load(kit, authority)
    return kit.result

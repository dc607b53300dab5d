"""What the consoles show: an organisation's lots, zones, scans and certificates; the programme's lists.

Every query a console page needs lives here (views hold no SQL). Producer queries take the organisation
explicitly and never return another organisation's rows: a lot someone else holds is reported as missing.
Scans are counted in Python over a bounded window so the same code runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from tracer.accounts.tokens import tokens_of
from tracer.events.onboarding import keys_of
from tracer.ledger.merkle import leaf_hash
from tracer.models.accounts import ApiToken, User
from tracer.models.events import EventRecord, LotEvent
from tracer.models.lots import Lot, Package
from tracer.models.organisations import Organisation, OrgKind
from tracer.models.products import Certificate, Product
from tracer.models.scans import Scan
from tracer.models.zones import Zone
from tracer.platform import journal
from tracer.platform.clock import VIETNAM, today
from tracer.platform.errors import NotFound
from tracer.platform.messages import Message
from tracer.scans import anomalies
from tracer.scans.anomalies import AnomalyPage

EXPIRY_WINDOW_DAYS = 90
SCAN_WINDOW_DAYS = 30


# -- a producer's own things ---------------------------------------------------------------------------


def lots_of(session: Session, org: int) -> list[Lot]:
    """Every lot this organisation holds, newest first."""
    return list(
        session.exec(
            select(Lot).where(Lot.organisation_id == org).order_by(col(Lot.created_index).desc(), col(Lot.id))
        )
    )


def lot_of(session: Session, org: int, lot_id: str) -> Lot:
    lot = session.get(Lot, lot_id)
    if lot is None or lot.organisation_id != org:
        raise NotFound(Message.LOT_NOT_OURS, field="lot_id", lot=lot_id)
    return lot


def usable_lots(session: Session, org: int) -> list[Lot]:
    """Lots that can be processed, packaged or shipped: held, active, not on their way elsewhere."""
    return [
        lot
        for lot in lots_of(session, org)
        if lot.status == "active" and lot.in_transit_to is None and lot.remaining > 0
    ]


def packable_lots(session: Session, org: int) -> list[Lot]:
    """Usable lots, processed or not: fresh produce is packaged straight from its harvest or receipt."""
    return usable_lots(session, org)


def shippable_lots(session: Session, org: int) -> list[Lot]:
    """Lots that can be shipped: held, not recalled nor on their way, with something left in bulk or
    packages not yet shipped (a lot fully packaged ships as its packages)."""
    held = [lot for lot in lots_of(session, org)
            if lot.status in ("active", "packaged") and lot.in_transit_to is None]  # fmt: skip
    packed = set(
        session.exec(
            select(Package.lot_id).where(
                col(Package.lot_id).in_([lot.id for lot in held]), Package.status == "active"
            )
        )
    )
    return [lot for lot in held if lot.remaining > 0 or lot.id in packed]


def shippable(session: Session, lot: Lot) -> bool:
    return lot.id in {held.id for held in shippable_lots(session, lot.organisation_id)}


def recallable_lots(session: Session, org: int) -> list[Lot]:
    return [lot for lot in lots_of(session, org) if lot.status != "recalled"]


def incoming_lots(session: Session, org: int) -> list[Lot]:
    """Lots shipped to this organisation and not yet received."""
    return list(session.exec(select(Lot).where(Lot.in_transit_to == org).order_by(col(Lot.id))))


def zones_of(session: Session, org: int) -> list[Zone]:
    return list(
        session.exec(select(Zone).where(Zone.organisation_id == org).order_by(col(Zone.ledger_index)))
    )


def products_of(session: Session, org: int) -> list[Product]:
    return list(session.exec(select(Product).where(Product.organisation_id == org).order_by(col(Product.id))))


def trading_partners(session: Session, org: int) -> list[Organisation]:
    """Organisations a lot may be shipped to: every producer but oneself."""
    return list(
        session.exec(
            select(Organisation)
            .where(Organisation.kind != OrgKind.AUTHORITY.value, Organisation.id != org)
            .order_by(col(Organisation.name))
        )
    )


def package_count(session: Session, lot_id: str) -> int:
    return int(session.exec(select(func.count()).select_from(Package).where(Package.lot_id == lot_id)).one())


def timeline(session: Session, lot_id: str) -> list[tuple[str, EventRecord]]:
    """The events that touched a lot, oldest first, with the lot's role in each."""
    rows = session.exec(
        select(LotEvent.role, EventRecord)
        .where(LotEvent.lot_id == lot_id, LotEvent.ledger_index == EventRecord.ledger_index)
        .order_by(col(EventRecord.ledger_index))
    )
    return [(role, record) for role, record in rows]


def expiring_certificates(
    session: Session, org: int, within: int = EXPIRY_WINDOW_DAYS
) -> list[tuple[Certificate, Product]]:
    """Certificates of this organisation's products that run out within ``within`` days (or have run out)."""
    limit = today() + timedelta(days=within)
    rows = session.exec(
        select(Certificate, Product)
        .where(
            Certificate.product_id == Product.id,
            Product.organisation_id == org,
            Certificate.valid_until <= limit,
            col(Certificate.revoked).is_(False),
        )
        .order_by(col(Certificate.valid_until))
    )
    return [(cert, product) for cert, product in rows]


# -- scans of a producer's packages ------------------------------------------------------------------


def _scans_of(session: Session, org: int, days: int) -> list[Scan]:
    since = datetime.now(UTC) - timedelta(days=days)
    return list(
        session.exec(
            select(Scan).where(
                Scan.serial == Package.serial,
                Package.product_id == Product.id,
                Product.organisation_id == org,
                Scan.scanned_at >= since,
            )
        )
    )


def scans_per_day(session: Session, org: int, days: int = SCAN_WINDOW_DAYS) -> list[tuple[date, int]]:
    """Scans of this organisation's packages per day (Vietnam's calendar) over ``days`` days, zeros too."""
    counts = Counter(scan.scanned_at.astimezone(VIETNAM).date() for scan in _scans_of(session, org, days))
    end = today()
    return [(day, counts.get(day, 0)) for day in (end - timedelta(days=n) for n in range(days - 1, -1, -1))]


def scans_by_province(session: Session, org: int, days: int = SCAN_WINDOW_DAYS) -> list[tuple[str, int]]:
    counts = Counter(scan.province or "" for scan in _scans_of(session, org, days))
    return counts.most_common()


def anomalies_of(session: Session, org: int, days: int = SCAN_WINDOW_DAYS, *, page: int = 1) -> AnomalyPage:
    """Signs of trouble with this organisation's codes (over-scanned, recalled yet scanned, cloned, codes we
    never issued under its GTINs, grouped per product): one page, newest first."""
    since = datetime.now(UTC) - timedelta(days=days)
    return anomalies.anomalies(session, organisation_id=org, since=since, page=page)


# -- ledger receipts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    index: int
    leaf_hash: str
    keyid: str
    type: str
    body: dict[str, Any]


def receipt(session: Session, index: int, org: int | None) -> Receipt:
    """The ledger receipt of an event recorded by ``org`` (None: any, for the programme office)."""
    record = session.get(EventRecord, index)
    if record is None or (org is not None and record.organisation_id != org):
        raise NotFound(f"no event {index} of your organisation")
    envelope = journal.store().entry(session.connection(), index)
    return Receipt(
        index=index,
        leaf_hash=leaf_hash(envelope).hex(),
        keyid=record.keyid,
        type=record.type,
        body=json.loads(record.body),
    )


# -- the programme office ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrganisationRow:
    organisation: Organisation
    keys: list[dict[str, object]]
    members: int
    products: int


def organisations(session: Session) -> list[OrganisationRow]:
    orgs = list(session.exec(select(Organisation).order_by(col(Organisation.id))))
    members = Counter(session.exec(select(User.organisation_id)))
    products = Counter(session.exec(select(Product.organisation_id)))
    return [
        OrganisationRow(
            org,
            keys_of(session, org.ledger_owner) if org.kind != OrgKind.AUTHORITY else [],
            members.get(org.id, 0) if org.id is not None else 0,
            products.get(org.id, 0) if org.id is not None else 0,
        )
        for org in orgs
    ]


def all_products(session: Session) -> list[tuple[Product, Organisation]]:
    rows = session.exec(
        select(Product, Organisation)
        .where(Product.organisation_id == Organisation.id)
        .order_by(col(Organisation.name), col(Product.name))
    )
    return [(product, org) for product, org in rows]


def users(session: Session) -> list[tuple[User, Organisation | None]]:
    people = list(session.exec(select(User).order_by(col(User.id))))
    names = {org.id: org for org in session.exec(select(Organisation))}
    return [(user, names.get(user.organisation_id)) for user in people]


def user(session: Session, user_id: int) -> User:
    found = session.get(User, user_id)
    if found is None:
        raise NotFound(f"no user {user_id}")
    return found


def tokens(session: Session, user_id: int) -> list[ApiToken]:
    return tokens_of(session=session, user_id=user_id)


def certificates(session: Session) -> list[tuple[Certificate, Product, Organisation]]:
    rows = session.exec(
        select(Certificate, Product, Organisation)
        .where(Certificate.product_id == Product.id, Product.organisation_id == Organisation.id)
        .order_by(col(Certificate.ledger_index).desc())
    )
    return [(cert, product, org) for cert, product, org in rows]

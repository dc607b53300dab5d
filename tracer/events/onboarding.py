"""Onboarding: organisations and their signing keys, products, and the people who act for them.

Organisations and products are registered in the ledger as they are made (``tracer.events.registrations``):
the names a verdict shows come from those signed entries.

An organisation's key is custodial: made here, its private half encrypted at rest under the master key, and
registered in the ledger by a ``key.register`` entry signed by the programme authority. Rotation registers a
new key and revokes the old one, so a verifier learns from the ledger alone which key was valid when. Each
key entry is appended through the ledger's appender and sealed at once, so the key can sign (or no longer
sign) the very next event of the transaction.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlalchemy import func
from sqlmodel import Session, col, select

from tracer.accounts.actors import Actor
from tracer.accounts.users import create_user
from tracer.codes import gs1
from tracer.events import balance, pipeline, registrations
from tracer.ledger import schema as ledger_schema
from tracer.ledger.appender import Appender
from tracer.models.accounts import Role, User
from tracer.models.organisations import Organisation, OrgKind
from tracer.models.products import Product, ProductGroup
from tracer.platform.bounds import LINE, PARAGRAPH, DbInt
from tracer.platform.errors import Conflict, InvalidInput, NotFound
from tracer.platform.messages import Message

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), LINE]
Place = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), LINE]
Optional300 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300), LINE] | None


class NewOrganisation(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: Name
    kind: OrgKind
    registration_no: Annotated[str, StringConstraints(max_length=50), LINE] | None = None
    address: Optional300 = None
    commune: Place
    district: Place
    province: Place
    phone: Annotated[str, StringConstraints(max_length=30), LINE] | None = None
    email: Annotated[str, StringConstraints(max_length=200), LINE] | None = None


class NewProduct(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: Name
    ocop_group: ProductGroup
    gtin: Annotated[str, StringConstraints(max_length=14), LINE] | None = None
    unit: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=30), LINE]
    shelf_life_days: DbInt | None = None
    net_content: Annotated[str, StringConstraints(max_length=50), LINE] | None = None
    max_yield: Annotated[str, StringConstraints(max_length=50), LINE] | None = None
    description: Annotated[str, StringConstraints(max_length=2000), PARAGRAPH] | None = None


def onboard_organisation(*, session: Session, actor: Actor, command: NewOrganisation) -> Organisation:
    """Create an organisation with a custodial signing key registered in the ledger."""
    actor.require(Role.ADMIN, Role.AUTHORITY)
    ledger = pipeline.appender(session)
    org = Organisation(**command.model_dump())
    session.add(org)
    session.flush()
    registrations.register_organisation(ledger, org, by=f"user:{actor.user_id}")  # sealed with its key
    if org.kind != OrgKind.AUTHORITY:  # the programme office signs with the ledger's authority key
        _issue_key(ledger, org.ledger_owner)
    ledger.seal()
    return org


def register_inspector(
    *,
    session: Session,
    actor: Actor,
    email: str,
    full_name: str,
    password: str,
    organisation_id: int | None = None,
) -> User:
    """An inspector account with a signing key of its own, registered in the ledger."""
    actor.require(Role.ADMIN, Role.AUTHORITY)
    ledger = pipeline.appender(session)
    user = create_user(
        session=session,
        email=email,
        full_name=full_name,
        role=Role.INSPECTOR,
        password=password,
        organisation_id=organisation_id,
    )
    _issue_key(ledger, f"user:{user.id}")
    return user


class RotationReason(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500), PARAGRAPH]


def rotate_key(*, session: Session, actor: Actor, owner: str, reason: str | None = None) -> str:
    """Register a new key for ``owner`` (``org:N`` or ``user:N``) and revoke the current one; with
    ``reason``, why, signed into the ledger by the authority (``registrations.note_rotation``)."""
    actor.require(Role.ADMIN, Role.AUTHORITY)
    ledger = pipeline.appender(session)
    old = pipeline.signing_key(ledger, owner)
    new = _issue_key(ledger, owner)
    if reason is not None:
        registrations.note_rotation(ledger, owner, old, new, reason, by=f"user:{actor.user_id}")
    ledger.add(ledger.store.key_revoke_envelope(ledger.conn, old))
    ledger.seal()
    return new


def _issue_key(ledger: Appender, owner: str) -> str:
    """A new custodial key for ``owner``, registered in the ledger (appended and sealed)."""
    keyid = ledger.store.create_key(ledger.conn, owner)
    ledger.add(ledger.store.key_register_envelope(ledger.conn, keyid))
    ledger.seal()
    return str(keyid)


def keys_of(session: Session, owner: str) -> list[dict[str, object]]:
    keys = ledger_schema.ledger_keys
    rows = session.connection().execute(
        select(keys.c.keyid, keys.c.registered_index, keys.c.revoked_index)
        .where(keys.c.owner == owner)
        .order_by(keys.c.registered_index)
    )
    return [dict(r._mapping) for r in rows]


def create_product(*, session: Session, actor: Actor, organisation_id: int, command: NewProduct,
                   company_prefix: str | None = None) -> Product:  # fmt: skip
    """A product of an organisation; producers add their own, the programme office any. A product without a
    GTIN is allotted the next one under the programme's GS1 ``company_prefix``, if there is one."""
    actor.require(Role.PRODUCER, Role.ADMIN, Role.AUTHORITY)
    if actor.role is Role.PRODUCER and actor.organisation_id != organisation_id:
        raise NotFound(Message.NO_ORGANISATION, field="organisation_id", org=organisation_id)
    org = session.get(Organisation, organisation_id)
    if org is None or org.kind == OrgKind.AUTHORITY:
        raise NotFound(Message.NO_ORGANISATION, field="organisation_id", org=organisation_id)
    gtin = None
    if command.gtin:
        try:
            gtin = gs1.validate_gtin(command.gtin)
        except gs1.GS1Error as error:
            raise InvalidInput(error.message, field="gtin", **error.params) from None  # why, by its id
        if session.exec(select(Product).where(Product.gtin == gtin)).first() is not None:
            raise Conflict(Message.GTIN_TAKEN, field="gtin", gtin=gtin)
    elif company_prefix is not None:
        gtin = _next_gtin(session, company_prefix)
    if command.shelf_life_days is not None and not 1 <= command.shelf_life_days <= 3650:
        raise InvalidInput(Message.SHELF_LIFE_RANGE, field="shelf_life_days")
    facts = command.model_dump(exclude={"gtin", "net_content", "max_yield"})
    product = Product(organisation_id=organisation_id, **facts, gtin=gtin,
                      net_content=balance.valid_net_content(command.net_content),
                      max_yield=balance.valid_yield(command.max_yield))  # fmt: skip
    session.add(product)
    session.flush()
    ledger = pipeline.appender(session)
    signer = registrations.signer_of(actor, product)
    registrations.register_product(ledger, product, signer=signer, by=f"user:{actor.user_id}")
    ledger.seal()
    return product


def _next_gtin(session: Session, company_prefix: str) -> str:
    """The GTIN after the last one allotted under ``company_prefix`` (item references count up from 1)."""
    stem = "0" + company_prefix  # GTIN-13s under the prefix, in their 14-digit form
    last = session.exec(select(func.max(Product.gtin)).where(col(Product.gtin).startswith(stem))).one()
    taken = int(last[len(stem) : 13]) if last else 0
    try:
        return gs1.allot_gtin(company_prefix, taken + 1)
    except gs1.GS1Error as error:
        raise Conflict(error.message, field="gtin", **error.params) from None


def organisation(session: Session, organisation_id: int) -> Organisation:
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound(Message.NO_ORGANISATION, org=organisation_id)
    return org

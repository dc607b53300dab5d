"""Signed registrations of organisations and products (issue #16, item 1).

The names a verdict shows (the product, its producer and the producer's address) and the binding between a
product and the organisation that makes it come from ledger entries, never from rows alone:

- ``org.register`` signed by the programme authority: the organisation's public facts (``ORG_FIELDS``).
- ``product.register`` signed by the producer's own key (or the authority, when the programme office adds
  the product): the product's facts, including ``organisation_id`` (``PRODUCT_FIELDS``), its net content and
  declared yield (``tracer.events.balance``).
- ``key.rotation`` signed by the authority: why an owner's key was replaced (``note_rotation``).

Each row keeps the index of its registration (``ledger_index``). Rows that existed before these entries did
are registered by ``adopt`` (``python -m tracer init`` runs it), signed by the authority. ``check`` compares
every row with its entry, so ``python -m tracer ledger verify`` names a changed name or a product moved to
another organisation. The verifiers (``tracer.proofs.verdict``, ``scanner_page/verify.js``) read names from
these entries and check that the packaging event's signer is the organisation its product's entry names.

A product's photo and shops are ``product.profile`` entries of the same family (``tracer.events.profiles``).
Like key entries, they are not events of a lot's journey: no ``events`` row, not in the event registry.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from tracer.accounts.actors import Actor
from tracer.ledger.appender import Appender
from tracer.ledger.canonical import canonical_json
from tracer.ledger.dsse import Envelope
from tracer.models.organisations import Organisation
from tracer.models.products import Product
from tracer.platform import journal

__all__ = ["ORG_FIELDS", "ORG_REGISTER", "PRODUCT_FIELDS", "PRODUCT_REGISTER", "adopt", "append_signed",
           "check", "entry_body", "register_organisation", "register_product"]  # fmt: skip

ORG_REGISTER = "org.register"
PRODUCT_REGISTER = "product.register"
KEY_ROTATION = "key.rotation"
ORG_FIELDS = ("id", "name", "kind", "registration_no", "address", "commune", "district", "province", "phone",
              "email")  # fmt: skip
PRODUCT_FIELDS = ("id", "organisation_id", "name", "ocop_group", "gtin", "unit", "shelf_life_days",
                  "description", "net_content", "max_yield")  # fmt: skip
FORMAT_VERSION = 1


def _fields(row: Organisation | Product, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in names if getattr(row, name) is not None}


def entry_body(kind: str, key: str, fields: dict[str, Any], by: str) -> dict[str, Any]:
    """The payload of a registration-family entry (``org.register``, ``product.register``,
    ``product.profile``)."""
    recorded = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return {"type": kind, "v": FORMAT_VERSION, "by": by, "recorded_at": recorded, key: fields}


def append_signed(ledger: Appender, owner: str, body: dict[str, Any]) -> int:
    """Sign ``body`` with ``owner``'s key and append it; its index."""
    keyid = ledger.signing_key(owner)
    if keyid is None:
        raise LookupError(f"no signing key for {owner}")
    receipt = ledger.add(ledger.sign(keyid, canonical_json(body)))
    return int(receipt.index)


def register_organisation(ledger: Appender, org: Organisation, *, by: str) -> int:
    """Append ``org``'s registration, signed by the authority; sets and returns its ``ledger_index``."""
    body = entry_body(ORG_REGISTER, "organisation", _fields(org, ORG_FIELDS), by)
    index = append_signed(ledger, "authority", body)
    org.ledger_index = index
    return index


def register_product(ledger: Appender, product: Product, *, signer: str, by: str) -> int:
    """Append ``product``'s registration signed by ``signer`` (``org:N`` of its organisation, or
    ``authority``); sets and returns its ``ledger_index``."""
    if signer not in ("authority", f"org:{product.organisation_id}"):
        raise ValueError(f"{signer} cannot register a product of org:{product.organisation_id}")
    fields = _fields(product, PRODUCT_FIELDS)
    index = append_signed(ledger, signer, entry_body(PRODUCT_REGISTER, "product", fields, by))
    product.ledger_index = index
    return index


def note_rotation(ledger: Appender, owner: str, old: str, new: str, reason: str, *, by: str) -> int:
    """Append, signed by the authority, why ``owner``'s key ``old`` gives way to ``new`` (issue #19, item 3):
    the ``key.revoke`` entry after it says only which key, in the ledger library's fixed format."""
    fields = {"owner": owner, "revoked": old, "registered": new, "reason": reason}
    return append_signed(ledger, "authority", entry_body(KEY_ROTATION, "rotation", fields, by))


def signer_of(actor: Actor, product: Product) -> str:
    """Who signs the registration of ``product`` that ``actor`` adds: its producer, or the programme."""
    owner = actor.signer_owner
    return owner if owner == f"org:{product.organisation_id}" else "authority"


def adopt(session: Session, ledger: Appender) -> tuple[int, int]:
    """Register, signed by the authority, every organisation and product that has no registration yet
    (rows made before registrations existed); returns how many of each. The caller seals and commits."""
    orgs = session.exec(select(Organisation).where(col(Organisation.ledger_index).is_(None))).all()
    for org in sorted(orgs, key=lambda o: o.id or 0):
        register_organisation(ledger, org, by="migration")
    products = session.exec(select(Product).where(col(Product.ledger_index).is_(None))).all()
    for product in sorted(products, key=lambda p: p.id or 0):
        register_product(ledger, product, signer="authority", by="migration")
    session.flush()
    return len(orgs), len(products)


def check(session: Session) -> str | None:
    """The first organisation or product whose row differs from its signed registration (or has none), as a
    sentence naming table, row and column; None when every row agrees."""
    orgs = session.exec(select(Organisation).order_by(col(Organisation.id))).all()
    products = session.exec(select(Product).order_by(col(Product.id))).all()
    return _first_difference(session, "organisations", ORG_REGISTER, "organisation", ORG_FIELDS, orgs) or (
        _first_difference(session, "products", PRODUCT_REGISTER, "product", PRODUCT_FIELDS, products)
    )


def _first_difference(session: Session, table: str, kind: str, key: str, names: tuple[str, ...],
                      rows: Sequence[Organisation | Product]) -> str | None:  # fmt: skip
    store = journal.store()
    conn = session.connection()
    for row in rows:
        if row.ledger_index is None:
            return f"{table} row id={row.id}: no signed registration in the ledger"
        try:
            envelope = Envelope.from_json(store.entry(conn, row.ledger_index))
            body = json.loads(envelope.payload)
        except Exception:  # a missing or unreadable entry: the row points at nothing signed
            return f"{table} row id={row.id}: ledger entry {row.ledger_index} is not its registration"
        signed = body.get(key) if isinstance(body, dict) and body.get("type") == kind else None
        if not isinstance(signed, dict) or signed.get("id") != row.id:
            return f"{table} row id={row.id}: ledger entry {row.ledger_index} is not its registration"
        for name in names:
            have, want = getattr(row, name), signed.get(name)
            if have != want:
                return f"{table} row id={row.id}: {name} is {have!r}, the ledger says {want!r}"
    return None

"""Lineage: one step back, one step forward (TT 02/2024/TT-BKHCN), across any number of steps.

Back from a lot to every input lot, down to the zones and harvests; forward from a lot to every lot made
from it and every package. Each direction is a single recursive query (``WITH RECURSIVE``, the same on
SQLite and PostgreSQL) over the indexed ``lot_inputs`` edges, whatever the depth.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, text
from sqlmodel import Session, col, select

from tracer.models.events import LotInput
from tracer.models.lots import Lot

_DOWN = text("""
WITH RECURSIVE down(id) AS (
    SELECT id FROM lots WHERE id IN :ids
    UNION
    SELECT li.output_lot_id FROM lot_inputs li JOIN down ON li.input_lot_id = down.id
)
SELECT id FROM down
""").bindparams(bindparam("ids", expanding=True))

_UP = text("""
WITH RECURSIVE up(id) AS (
    SELECT id FROM lots WHERE id IN :ids
    UNION
    SELECT li.input_lot_id FROM lot_inputs li JOIN up ON li.output_lot_id = up.id
)
SELECT id FROM up
""").bindparams(bindparam("ids", expanding=True))


def descendants(session: Session, lot_ids: Sequence[str]) -> list[str]:
    """``lot_ids`` and every lot made from them, at any depth."""
    return [row[0] for row in session.connection().execute(_DOWN, {"ids": list(lot_ids)})]


def ancestors(session: Session, lot_ids: Sequence[str]) -> list[str]:
    """``lot_ids`` and every lot they were made from, at any depth."""
    return [row[0] for row in session.connection().execute(_UP, {"ids": list(lot_ids)})]


@dataclass(frozen=True)
class Lineage:
    lots: list[Lot]
    edges: list[LotInput]


def lineage(session: Session, lot_id: str, direction: str) -> Lineage:
    """The lots and edges back to the zones (``back``) or forward to every product (``forward``)."""
    ids = ancestors(session, [lot_id]) if direction == "back" else descendants(session, [lot_id])
    lots = list(session.exec(select(Lot).where(col(Lot.id).in_(ids)).order_by(col(Lot.created_index))))
    edge_column = LotInput.output_lot_id if direction == "back" else LotInput.input_lot_id
    edges = list(session.exec(select(LotInput).where(col(edge_column).in_(ids))))
    if direction == "forward":
        edges = [e for e in edges if e.output_lot_id in set(ids)]
    return Lineage(lots=lots, edges=edges)

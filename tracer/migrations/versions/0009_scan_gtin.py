"""scans.gtin: an unknown code's GTIN (GTIN-14), when it names one, kept at record time so that the anomaly
list groups unknown codes per product in SQL (``tracer.scans.anomalies``); filled for the unknown scans
already there by parsing their codes.

Revision ID: 0009_scan_gtin
Revises: 0008_copy_signal
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_scan_gtin"
down_revision = "0008_copy_signal"
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table("scans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("gtin", sa.String(length=14), nullable=True))
        batch_op.create_index("ix_scans_gtin_scanned_at", ["gtin", "scanned_at"], unique=False)
    _fill()


def _fill() -> None:
    """Each distinct unknown code parsed once; its scans get its GTIN (codes that name none keep NULL)."""
    from tracer.codes import gs1  # the parser the resolver used when it recorded them

    conn = op.get_bind()
    codes = conn.execute(sa.text("SELECT DISTINCT code FROM scans WHERE outcome = 'unknown'")).scalars().all()
    found: list[dict[str, str]] = []
    for code in codes:
        try:
            gtin = gs1.parse_uri(code).gtin
        except (gs1.GS1Error, ValueError):
            continue
        if gtin is not None:
            found.append({"gtin": gtin, "code": code})
    update = sa.text("UPDATE scans SET gtin = :gtin WHERE outcome = 'unknown' AND code = :code")
    for start in range(0, len(found), BATCH):
        conn.execute(update, found[start : start + BATCH])


def downgrade() -> None:
    with op.batch_alter_table("scans", schema=None) as batch_op:
        batch_op.drop_index("ix_scans_gtin_scanned_at")
        batch_op.drop_column("gtin")

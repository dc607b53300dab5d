"""accounts: login sessions kept in the database (signing out ends a session server-side), the time of the
last sign-in (the owner is told of failed attempts since), and no more account lock-out (``locked_until``):
sign-in attempts are slowed per account and address by the rate limiter instead.

Revision ID: 0007_accounts_sessions
Revises: 0006_vmap
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_accounts_sessions"
down_revision = "0006_vmap"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_sessions_key_hash"), ["key_hash"], unique=True)
        batch_op.create_index(batch_op.f("ix_login_sessions_user_id"), ["user_id"], unique=False)
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_column("locked_until")


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_column("last_login_at")
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_sessions_user_id"))
        batch_op.drop_index(batch_op.f("ix_login_sessions_key_hash"))
    op.drop_table("login_sessions")

"""Alembic migrations: every schema change of both databases goes through here."""

"""Accounts: who may act, and as whom: users, roles, passwords, sessions' identities and API tokens."""

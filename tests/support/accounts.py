"""Helpers for tests that need people: filled in as accounts arrive."""

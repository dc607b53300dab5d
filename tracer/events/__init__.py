"""Events: every change to the world is validated, signed, appended to the ledger, then projected."""

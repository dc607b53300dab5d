"""Photos: uploads checked by their bytes and re-encoded (``images``), kept by their SHA-256 (``store``)."""

"""Identifiers printed on packages: GS1 keys and Digital Link URIs, serials, short ids, QR symbols."""

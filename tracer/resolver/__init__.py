"""The GS1-Conformant Resolver (1.2) for package codes: ``/01/{gtin}/10/{lot}/21/{serial}``, ``/p/{serial}``,
``/.well-known/gs1resolver``. Routes in ``routes``, linksets in ``linkset``, the package query in ``lookup``.
"""

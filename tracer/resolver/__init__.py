"""The GS1-Conformant Resolver (1.2): package codes ``/01/{gtin}/10/{lot}/21/{serial}``, ``/p/{serial}``, the
class-level codes ``/01/{gtin}`` and ``/01/{gtin}/10/{lot}``, ``/.well-known/gs1resolver``, and the EPCIS
identifiers ``/id/{lot,zone,org}/{id}``. Routes in ``routes`` (class-level answers in ``classlevel``,
identifiers in ``things``), content negotiation in ``negotiation``, linksets in ``linkset``, the package
query in ``lookup``, product and lot queries in ``classes``, identifier queries in ``ids``.
"""

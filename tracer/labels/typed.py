"""What a person types from a label, back to the package: the code printed under the QR code (with or without
its check character), the short address printed with it, or a whole URI pasted from elsewhere.

The short address is our host and the printed code, ``trace.example.vn/JDSF-GHMK-4169-Q``
(``tracer.labels.printed.short_address``): typed into a browser, it is answered by the home page's short
route (``tracer.web.pages``), which reads it like the home page's code box. ``read_typed`` says what was
typed, with no database; ``destination`` finds where it leads. A serial typed with a check character that
does not match, or not a serial at all, is a typing slip (``mistyped``), never an unknown code; a serial
typed without its check character that we never issued is ``not_found`` (it may be a slip too); neither is
recorded anywhere. A serial whose check character matches goes to the resolver even if we never issued it:
that is the resolver's counterfeit signal.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote, urlsplit

from sqlmodel import Session

from tracer.codes import gs1
from tracer.codes.serials import SerialError, TypedSerial, read_serial
from tracer.labels.printed import package_uri
from tracer.platform.errors import NotFound
from tracer.platform.messages import Message

__all__ = ["Reason", "Typed", "TypedCodeError", "destination", "read_typed"]

Reason = Literal["empty", "mistyped", "not_found", "other_host", "bad_uri"]
MAX_TYPED = 500  # a pasted URI is under 100 characters: anything longer is not one of our codes


class TypedCodeError(ValueError):
    """Why what was typed leads nowhere: ``reason`` (one of ``Reason``), the other ``host`` an address
    names, or the ``gs1`` refusal of an address that is not a valid Digital Link."""

    def __init__(self, reason: Reason, *, host: str | None = None, gs1_error: gs1.GS1Error | None = None):
        super().__init__(reason if gs1_error is None else f"{reason}: {gs1_error}")
        self.reason: Reason = reason
        self.host = host
        self.gs1_error = gs1_error


@dataclass(frozen=True, slots=True)
class Typed:
    """A serial read from the text (typed, or in a ``/p/`` or short address), or a GS1 Digital Link with a
    GTIN (a package's, a lot's or a product's) pasted whole."""

    serial: TypedSerial | None = None
    link: gs1.DigitalLink | gs1.ClassLink | None = None


def _serial(text: str) -> Typed:
    try:
        return Typed(serial=read_serial(text))
    except SerialError:
        raise TypedCodeError("mistyped") from None


def read_typed(text: str, *, hosts: Collection[str], prefix: str = "") -> Typed:
    """What ``text`` names. ``hosts`` are ours (lower case, with any port): an address naming another host is
    refused; ``prefix`` is our path prefix, if the public URL has one."""
    text = text.strip()
    if not text:
        raise TypedCodeError("empty")
    if len(text) > MAX_TYPED:
        raise TypedCodeError("mistyped")
    if "/" not in text:
        return _serial(text)
    if "://" not in text and not text.startswith("/"):
        text = "https://" + text  # an address typed without its scheme: ``trace.example.vn/JDSF-...``
    try:
        parts = urlsplit(text)
        host = parts.netloc.lower()
    except ValueError:  # a malformed IPv6 host, a bad port
        raise TypedCodeError("bad_uri") from None
    if parts.scheme and parts.scheme.lower() not in ("http", "https"):
        raise TypedCodeError("bad_uri", gs1_error=gs1.GS1Error(Message.NOT_HTTP, scheme=parts.scheme))
    if host and host not in hosts:
        raise TypedCodeError("other_host", host=host[:80])
    path = parts.path
    if prefix and (path == prefix or path.startswith(prefix + "/")):
        path = path[len(prefix) :]
    segments = [s for s in path.split("/") if s]
    if len(segments) == 1 and segments[0] not in ("p", "01"):
        return _serial(segments[0])  # the short address
    try:
        link = gs1.parse_key_path(path, parts.query)
    except gs1.GS1Error as error:
        raise TypedCodeError("bad_uri", gs1_error=error) from None
    if isinstance(link, gs1.DigitalLink) and link.gtin is None:
        return _serial(link.serial)  # our /p/ form: the serial may be typed with its check character
    return Typed(link=link)


def destination(session: Session, text: str, *, hosts: Collection[str], prefix: str = "") -> str:
    """The path (under our public URL) that ``text`` leads to; ``TypedCodeError`` if it leads nowhere."""
    typed = read_typed(text, hosts=hosts, prefix=prefix)
    if typed.link is not None:
        return gs1.build_uri("", typed.link)
    assert typed.serial is not None
    try:
        return package_uri(session, typed.serial.serial, "")
    except NotFound:
        if typed.serial.checked:
            return "/p/" + quote(typed.serial.serial, safe="")  # well-formed and checked: the resolver says
        raise TypedCodeError("not_found") from None

"""A product's e-commerce shops (issue #20, item 4), as its producer names them in a signed profile
(``tracer.events.profiles``): Shopee, Lazada, Tiki, TikTok Shop, its own site.

A link is ``https://`` with a host (no ``javascript:``, ``data:`` or ``http:``, no user name in it), at most
``MAX_URL`` characters once its non-ASCII characters are percent-encoded, with no control, format or space
character; a label is plain text of at most ``MAX_LABEL`` characters (by default the shop's name from its
host). At most ``MAX_SHOPS``. Links read back from a signed entry are checked again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from tracer.platform.bounds import text_fault
from tracer.platform.errors import InvalidInput
from tracer.platform.messages import Message

__all__ = [
    "MAX_SHOPS",
    "MAX_URL",
    "Shop",
    "check_shop",
    "check_url",
    "parse_shops",
    "read_shops",
    "shops_text",
]

MAX_SHOPS = 5
MAX_URL = 300
MAX_LABEL = 40
KNOWN_SHOPS = {"shopee.vn": "Shopee", "lazada.vn": "Lazada", "tiki.vn": "Tiki", "tiktok.com": "TikTok Shop",
               "sendo.vn": "Sendo"}  # fmt: skip
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~-._"


@dataclass(frozen=True, slots=True)
class Shop:
    label: str
    url: str


def _label_of(host: str) -> str:
    host = host.removeprefix("www.")
    for domain, label in KNOWN_SHOPS.items():
        if host == domain or host.endswith("." + domain):
            return label
    return host[:MAX_LABEL]


def check_url(url: str) -> str:
    """``url`` as kept: an https address with a host, non-ASCII characters percent-encoded; InvalidInput."""
    shown = url[:60]
    if len(url) > MAX_URL:
        raise InvalidInput(Message.SHOP_TOO_LONG, field="shops", url=shown, limit=MAX_URL)
    if text_fault(url, multiline=False) is not None or any(c.isspace() or c == "\\" for c in url):
        raise InvalidInput(Message.SHOP_URL, field="shops", url=shown)
    encoded = quote(url, safe=_URL_SAFE)
    try:
        parts = urlsplit(encoded)
        host = parts.hostname or ""
        _ = parts.port
    except ValueError:
        raise InvalidInput(Message.SHOP_URL, field="shops", url=shown) from None
    if (
        parts.scheme != "https"
        or not encoded.startswith("https://")
        or "@" in parts.netloc
        or "." not in host
    ):
        raise InvalidInput(Message.SHOP_URL, field="shops", url=shown)
    if len(encoded) > MAX_URL:
        raise InvalidInput(Message.SHOP_TOO_LONG, field="shops", url=shown, limit=MAX_URL)
    return encoded


def check_shop(label: str, url: str) -> Shop:
    kept = check_url(url.strip())
    label = label.strip() or _label_of(urlsplit(kept).hostname or "")
    if len(label) > MAX_LABEL or text_fault(label, multiline=False) is not None:
        raise InvalidInput(Message.SHOP_LABEL, field="shops", label=label[:60], limit=MAX_LABEL)
    return Shop(label, kept)


def parse_shops(text: str) -> tuple[Shop, ...]:
    """The shops of a form's text: one a line, ``URL`` or ``label | URL``; blank lines skipped."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if len(lines) > MAX_SHOPS:
        raise InvalidInput(Message.SHOPS_TOO_MANY, field="shops", limit=MAX_SHOPS)
    shops: list[Shop] = []
    for line in lines:
        label, _, url = line.rpartition("|") if "|" in line else ("", "", line)
        shop = check_shop(label, url)
        if shop.url not in {s.url for s in shops}:
            shops.append(shop)
    return tuple(shops)


def shops_text(shops: Iterable[Shop]) -> str:
    """The form's text for ``shops`` (what ``parse_shops`` reads back)."""
    return "\n".join(f"{s.label} | {s.url}" for s in shops)


def read_shops(items: Any) -> tuple[Shop, ...]:
    """The shops of a signed profile, each checked again (an entry is data, not trust in its writer)."""
    shops: list[Shop] = []
    for item in items if isinstance(items, list) else ():
        if (
            isinstance(item, Mapping)
            and isinstance(item.get("label"), str)
            and isinstance(item.get("url"), str)
        ):
            try:
                shops.append(check_shop(item["label"], item["url"]))
            except InvalidInput:
                continue
    return tuple(shops[:MAX_SHOPS])

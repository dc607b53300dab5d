"""The 2025 units from the maintained dataset (PyPI ``vietnam-provinces``, pinned in requirements.txt), and
how an address as someone wrote it, old or new, reads in them.

``search`` finds communes by their new name or by a former one (``tracer.places.former``), with or without
diacritics and prefixes ("my cam", "Xã Mỹ Cẩm", "càng long"); ``current`` gives the 2025 commune and
province of an address; ``label`` writes an address in the new names with the old in brackets when they
differ. The dataset is read once, on first use (about 3,300 communes).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from vietnam_provinces import Province, Ward

from tracer.places import former
from tracer.platform.errors import InvalidInput
from tracer.platform.messages import Message

_PREFIX = re.compile(r"^(xa|phuong|thi tran|dac khu|tinh|thanh pho|tp\.?|huyen|quan|thi xa)\s+")


def _bare(text: str) -> str:
    text = unicodedata.normalize("NFD", text.strip().lower().replace("đ", "d"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return " ".join(text.replace("-", " ").split())


def fold(text: str) -> str:
    """``text`` for matching: lower case, without diacritics (đ as d), spaces single, prefix dropped."""
    return _PREFIX.sub("", _bare(text))


@dataclass(frozen=True)
class Commune:
    code: int
    name: str  # "Xã Càng Long"
    province: str  # "Vĩnh Long"


@dataclass(frozen=True)
class Match:
    commune: Commune
    former: str = ""  # the former commune the query named ("Xã Mỹ Cẩm, Huyện Càng Long, Trà Vinh")


@cache
def _data() -> tuple[tuple[str, ...], dict[int, Commune], dict[str, tuple[Commune, ...]]]:
    names = {p.code: p.name for p in Province.iter_all()}
    by_code = {w.code.value: Commune(w.code.value, w.name, names[w.province_code]) for w in Ward.iter_all()}
    by_province: dict[str, list[Commune]] = {name: [] for name in names.values()}
    for commune in by_code.values():
        by_province[commune.province].append(commune)
    ordered = {p: tuple(sorted(c, key=lambda x: fold(x.name))) for p, c in by_province.items()}
    return tuple(sorted(names.values(), key=fold)), by_code, ordered


def provinces() -> tuple[str, ...]:
    """The 34 provinces and centrally-run cities, in alphabetical order."""
    return _data()[0]


def communes(province: str) -> tuple[Commune, ...]:
    """The communes, wards and special zones of a 2025 province (by its name), alphabetically."""
    return _data()[2].get(province, ())


def province(name: str) -> str | None:
    """The 2025 province a name means: a current one ("Vĩnh Long", "tỉnh Vĩnh Long") or a former one
    ("Trà Vinh") as the province it became; None if it names none."""
    wanted = fold(name)
    for current in provinces():
        if fold(current) == wanted:
            return current
    for old, now in former.PROVINCES.items():
        if fold(old) == wanted:
            return now
    return None


def commune(name: str, province_name: str) -> Commune | None:
    """The 2025 commune ``name`` of the 2025 province ``province_name``."""
    wanted = fold(name)
    return next((c for c in communes(province_name) if fold(c.name) == wanted), None)


def search(query: str, limit: int = 20) -> list[Match]:
    """Communes whose new name, or a former name, contains ``query`` (also its old district's name)."""
    wanted = fold(query)
    if not wanted or (len(wanted) < 2 and wanted == _bare(query)):
        return []  # one letter names nothing; "Phường 1" names a ward

    def hit(name: str) -> bool:
        return wanted == fold(name) if len(wanted) < 2 else wanted in fold(name)

    by_code = _data()[1]
    found: list[Match] = []
    for old in former.COMMUNES:
        if hit(old.commune) or hit(old.district):
            found.append(Match(by_code[old.now], f"{old.commune}, {old.district}, {old.province}"))
    seen = {m.commune.code for m in found}
    for item in by_code.values():
        if item.code not in seen and (hit(item.name) or wanted == fold(item.province)):
            found.append(Match(item))
    found.sort(
        key=lambda m: (not fold(m.commune.name).startswith(wanted) and not m.former, fold(m.commune.name))
    )
    return found[:limit]


@dataclass(frozen=True)
class Place:
    """An address as it reads in 2025 units: ``commune`` the 2025 commune (None when the written one is not
    known), ``province`` the 2025 province (None when not known), ``written`` the address as written."""

    commune: str | None
    province: str | None
    written: str

    @property
    def changed(self) -> bool:
        now = ", ".join(p for p in (self.commune, self.province) if p)
        return fold(now) != fold(self.written)


def current(commune_name: str, district: str | None, province_name: str) -> Place:
    """The 2025 units of an address as it was written (a signed event keeps its text; this is how it
    reads now)."""
    written = ", ".join(p for p in (commune_name, district, province_name) if p)
    now = province(province_name)
    if now is not None and not district:
        found = commune(commune_name, now)
        if found is not None:
            return Place(found.name, now, written)
    for old in former.COMMUNES:
        if fold(old.commune) == fold(commune_name) and fold(old.province) == fold(province_name):
            if not district or fold(old.district) == fold(district):
                new = _data()[1][old.now]
                return Place(new.name, new.province, written)
    return Place(None, now, written)


def label(commune_name: str, district: str | None, province_name: str, *, formerly: str, now_in: str) -> str:
    """The address in 2025 units, the former one in brackets when it differs. ``formerly`` and ``now_in``
    are the reader's words, with ``%(old)s`` and ``%(province)s``: "Xã Càng Long, Vĩnh Long (trước đây: Xã
    Mỹ Cẩm, Huyện Càng Long, Trà Vinh)"; an old commune not in the table: "Xã X, Huyện Y, Trà Vinh (nay
    thuộc Vĩnh Long)"."""
    place = current(commune_name, district, province_name)
    if place.commune is not None and place.province is not None:
        text = f"{place.commune}, {place.province}"
        return f"{text} ({formerly % {'old': place.written}})" if place.changed else text
    if place.province is not None and fold(place.province) != fold(province_name):
        return f"{place.written} ({now_in % {'province': place.province}})"
    return place.written


@dataclass(frozen=True)
class Entered:
    """An address a producer entered, in 2025 units: what a new event signs."""

    commune: str
    province: str
    former: str | None  # the address as entered, when it used former units


def entered(commune_name: str, district: str | None, province_name: str) -> Entered:
    """The 2025 commune and province of an address typed in a form (new names, or old ones that map);
    InvalidInput naming ``province`` or ``commune`` otherwise."""
    place = current(commune_name, district, province_name)
    if place.province is None:
        raise InvalidInput(Message.PROVINCE_UNKNOWN, field="province", province=province_name)
    if place.commune is None:
        raise InvalidInput(
            Message.COMMUNE_UNKNOWN, field="commune", commune=commune_name, province=place.province
        )
    return Entered(place.commune, place.province, place.written if place.changed else None)

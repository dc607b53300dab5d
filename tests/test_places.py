"""The 2025 administrative units (tracer/places): the dataset has the 34 provinces and their communes, old
names find their places, and addresses read in the new units with the old in brackets."""

from __future__ import annotations

import pytest

from tracer.places import former, units

WORDS = {"formerly": "trước đây: %(old)s", "now_in": "nay thuộc %(province)s"}


def test_the_dataset_has_the_2025_units() -> None:
    provinces = units.provinces()
    assert len(provinces) == 34
    assert {"Vĩnh Long", "Tây Ninh", "Bắc Ninh", "Đắk Lắk", "Thành phố Hồ Chí Minh"} <= set(provinces)
    assert "Trà Vinh" not in provinces and "Long An" not in provinces
    assert sum(len(units.communes(p)) for p in provinces) == 3321
    assert "Xã Càng Long" in {c.name for c in units.communes("Vĩnh Long")}


def test_every_former_province_and_commune_leads_to_a_2025_unit() -> None:
    assert len(former.PROVINCES) == 63 + 1  # the 63, and Huế under its former name too
    assert set(former.PROVINCES.values()) == set(units.provinces())
    for old in former.COMMUNES:
        match = units.search(old.commune)
        assert any(m.former.startswith(old.commune) for m in match), old


@pytest.mark.parametrize(
    ("query", "commune", "province"),
    [
        ("xã Mỹ Cẩm", "Xã Càng Long", "Vĩnh Long"),
        ("my cam", "Xã Càng Long", "Vĩnh Long"),
        ("MỸ CẨM", "Xã Càng Long", "Vĩnh Long"),
        ("huyện Càng Long", "Xã Càng Long", "Vĩnh Long"),
        ("Long Hựu Đông", "Xã Long Hựu", "Tây Ninh"),
        ("Hồng Giang", "Phường Chũ", "Bắc Ninh"),
        ("Ea Kly", "Xã Ea Kly", "Đắk Lắk"),
    ],
)
def test_a_search_by_the_old_or_new_name_finds_the_place(query: str, commune: str, province: str) -> None:
    found = units.search(query)
    assert found and (found[0].commune.name, found[0].commune.province) == (commune, province)


def test_searches_that_find_nothing() -> None:
    assert units.search("") == [] and units.search("x") == [] and units.search("1") == []
    assert units.search("\x00\x00") == []
    assert units.search("Phường 1")[0].commune.name == "Phường Trà Vinh"
    assert units.search("Sao Hỏa xyz") == []
    assert len(units.search("a" * 10_000)) == 0


def test_labels_read_in_the_new_units_with_the_old_in_brackets() -> None:
    assert units.label("Xã Mỹ Cẩm", "Huyện Càng Long", "Trà Vinh", **WORDS) == (
        "Xã Càng Long, Vĩnh Long (trước đây: Xã Mỹ Cẩm, Huyện Càng Long, Trà Vinh)"
    )
    assert units.label("xã Mỹ Cẩm", "huyện Càng Long", "tỉnh Trà Vinh", **WORDS).startswith("Xã Càng Long, ")
    assert units.label("Xã Càng Long", "", "Vĩnh Long", **WORDS) == "Xã Càng Long, Vĩnh Long"
    assert (
        units.label("Xã Lạ", "Huyện Lạ", "Trà Vinh", **WORDS)
        == "Xã Lạ, Huyện Lạ, Trà Vinh (nay thuộc Vĩnh Long)"
    )
    assert units.label("Xã Lạ", "", "Sao Hỏa", **WORDS) == "Xã Lạ, Sao Hỏa"
    assert units.province("tỉnh Trà Vinh") == "Vĩnh Long" and units.province("Long An") == "Tây Ninh"
    assert units.province("TP. Hồ Chí Minh") == "Thành phố Hồ Chí Minh" and units.province("") is None

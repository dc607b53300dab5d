"""``tracer.ledger.tiles``: tile names and entry bundles as c2sp.org/tlog-tiles writes them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracer.ledger.errors import LedgerError, NotFoundError
from tracer.ledger.tiles import (
    Tile,
    check_within,
    decode_entry_bundle,
    encode_entry_bundle,
    format_index,
    parse_tile_path,
    tile_hash_indexes,
)
from tracer.ledger.tlog_index import stored_hash_index


def test_the_specifications_examples() -> None:
    assert format_index(1234067) == "x001/x234/067"
    assert format_index(0) == "000"
    assert parse_tile_path("0/x001/x234/067") == Tile(0, 1234067)
    assert parse_tile_path("entries/005.p/9") == Tile(None, 5, 9)
    assert Tile(1, 1000, 7).path() == "tile/1/x001/000.p/7"


def test_a_tree_of_70000_has_the_tiles_the_specification_lists() -> None:
    size = 70_000
    assert all(Tile(0, n).needs() <= size for n in range(273))
    check_within(Tile(0, 273, 112), size)
    check_within(Tile(1, 0), size)
    check_within(Tile(1, 1, 17), size)
    check_within(Tile(2, 0, 1), size)
    for beyond in (Tile(0, 273), Tile(0, 273, 113), Tile(1, 1), Tile(1, 1, 18), Tile(2, 0, 2), Tile(3, 0, 1)):
        with pytest.raises(NotFoundError, match="beyond the log"):
            check_within(beyond, size)


def test_tile_hashes_are_stored_hashes_at_eight_times_the_level() -> None:
    assert tile_hash_indexes(Tile(1, 2, 3)) == [stored_hash_index(8, 512 + i) for i in range(3)]


@given(st.integers(min_value=0, max_value=2**55), st.integers(min_value=0, max_value=63) | st.none(),
       st.integers(min_value=1, max_value=256))  # fmt: skip
def test_names_round_trip(index: int, level: int | None, width: int) -> None:
    tile = Tile(level, index, width)
    assert parse_tile_path(tile.path().removeprefix("tile/")) == tile


@pytest.mark.parametrize("name", ["0/x000/001", "0/1", "01/000", "0/000.p/00", "0/000.p/256", "entries"])
def test_non_canonical_names_name_nothing(name: str) -> None:
    with pytest.raises(NotFoundError):
        parse_tile_path(name)


def test_entry_bundles_are_uint16_length_prefixed() -> None:
    entries = [b"", b"a", "Gấc Mỹ Cẩm".encode(), b"x" * 0xFFFF]
    data = encode_entry_bundle(entries)
    assert data[:5] == b"\x00\x00\x00\x01a"
    assert decode_entry_bundle(data) == entries
    with pytest.raises(LedgerError, match="uint16"):
        encode_entry_bundle([b"x" * 0x10000])
    with pytest.raises(LedgerError, match="inside an entry"):
        decode_entry_bundle(b"\x00\x05abc")

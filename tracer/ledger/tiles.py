"""C2SP tlog-tiles (c2sp.org/tlog-tiles): the log as static, cacheable resources.

A tile at level ``L``, index ``N`` is the sequence of up to 256 Merkle Tree Hashes at tree height ``8 * L``,
``MTH(D[(N * 256 + i) * 256**L : (N * 256 + i + 1) * 256**L])`` for ``i`` in ``0..W-1``: exactly Go
``sumdb/tlog``'s tiles of height 8, so each hash is ONE stored hash (``tlog_index.stored_hash_index(8 * L,
N * 256 + i)``) and a tile is one indexed query. A full tile has 256 hashes (8,192 bytes) and never changes;
a partial tile (``.p/W``, 1 <= W <= 255) is the right edge of a tree whose size is not a multiple.
Entry bundles (``tile/entries/N``) hold the entries of the level-0 tile ``N``, each as a big-endian uint16
length then the entry's bytes.

Paths: ``tile/<L>/<N>[.p/<W>]`` and ``tile/entries/<N>[.p/<W>]``, ``L`` decimal 0..63 without leading zeros,
``N`` in zero-padded 3-digit elements, all but the last prefixed ``x`` (1234067 -> ``x001/x234/067``). A path
is accepted only in that one canonical form (a reader could otherwise make a CDN cache the same tile under
many names).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tracer.ledger.errors import LedgerError, NotFoundError
from tracer.ledger.tlog_index import stored_hash_index

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT  # 256 hashes in a full tile
MAX_LEVEL = 63
MAX_ENTRY_BYTES = 0xFFFF  # an entry bundle prefixes each entry with a uint16 length
MAX_INDEX_ELEMENTS = 7  # 3 * 7 digits: beyond any tile index of a tree of fewer than 2**63 entries
ENTRIES = "entries"

_LEVEL = re.compile(r"0|[1-9][0-9]?")
_WIDTH = re.compile(r"[1-9][0-9]{0,2}")
_ELEMENT = re.compile(r"x?[0-9]{3}")


@dataclass(frozen=True, slots=True)
class Tile:
    """A tile (``level`` >= 0) or an entry bundle (``level`` is None): its index and width (256 = full)."""

    level: int | None
    index: int
    width: int = TILE_WIDTH

    @property
    def full(self) -> bool:
        return self.width == TILE_WIDTH

    @property
    def is_entries(self) -> bool:
        return self.level is None

    def needs(self) -> int:
        """The smallest tree size that holds every hash (or entry) of this tile."""
        level = self.level or 0
        return (self.index * TILE_WIDTH + self.width) << (TILE_HEIGHT * level)

    def path(self) -> str:
        """The canonical path below the log's prefix, e.g. ``tile/1/x001/234.p/7``."""
        head = ENTRIES if self.level is None else str(self.level)
        tail = "" if self.full else f".p/{self.width}"
        return f"tile/{head}/{format_index(self.index)}{tail}"


def format_index(n: int) -> str:
    """``N`` in zero-padded 3-digit path elements, all but the last prefixed ``x``."""
    if n < 0:
        raise LedgerError("a tile index is never negative")
    groups = [f"{n % 1000:03d}"]
    n //= 1000
    while n:
        groups.append(f"x{n % 1000:03d}")
        n //= 1000
    return "/".join(reversed(groups))


def parse_tile_path(path: str) -> Tile:
    """The tile named by ``path`` (below ``tile/``: ``0/x001/234`` or ``entries/005.p/9``); NotFoundError
    for anything not in the one canonical form (no resource has that name)."""
    head, slash, rest = path.partition("/")
    if not slash:
        raise NotFoundError(f"no tile at {path!r}: a tile path is <level>/<index>[.p/<width>]")
    if head == ENTRIES:
        level: int | None = None
    elif _LEVEL.fullmatch(head) and int(head) <= MAX_LEVEL:
        level = int(head)
    else:
        raise NotFoundError(f"no tile level {head!r}: levels are 0 to {MAX_LEVEL}, or 'entries'")
    width = TILE_WIDTH
    if ".p/" in rest:
        rest, _, raw_width = rest.partition(".p/")
        if not _WIDTH.fullmatch(raw_width) or not 1 <= int(raw_width) < TILE_WIDTH:
            raise NotFoundError(f"no partial tile of width {raw_width!r}: widths are 1 to {TILE_WIDTH - 1}")
        width = int(raw_width)
    elements = rest.split("/")
    if len(elements) > MAX_INDEX_ELEMENTS or not all(_ELEMENT.fullmatch(e) for e in elements):
        raise NotFoundError(f"no tile index {rest!r}: 3-digit elements, all but the last prefixed 'x'")
    index = int("".join(e.removeprefix("x") for e in elements))
    tile = Tile(level, index, width)
    if tile.path() != f"tile/{path}":
        raise NotFoundError(f"tile/{path} is not the canonical name of a tile: {tile.path()}")
    return tile


def check_within(tile: Tile, size: int) -> None:
    """NotFoundError unless the tree of ``size`` entries holds all of ``tile``."""
    if tile.needs() > size:
        raise NotFoundError(f"{tile.path()} is beyond the log of {size} entries")


def tile_hash_indexes(tile: Tile) -> list[int]:
    """The stored-hash indexes of the tile's hashes, in order."""
    if tile.level is None:
        raise LedgerError("an entry bundle holds entries, not hashes")
    height = TILE_HEIGHT * tile.level
    first = tile.index * TILE_WIDTH
    return [stored_hash_index(height, first + i) for i in range(tile.width)]


def entry_range(tile: Tile) -> tuple[int, int]:
    """The log indexes [start, end) of the entries in an entry bundle (or level-0 tile)."""
    start = tile.index * TILE_WIDTH
    return start, start + tile.width


def encode_entry_bundle(entries: list[bytes]) -> bytes:
    """Each entry as a big-endian uint16 length followed by its bytes."""
    out = bytearray()
    for entry in entries:
        if len(entry) > MAX_ENTRY_BYTES:
            raise LedgerError(f"an entry of {len(entry)} bytes does not fit an entry bundle's uint16 length")
        out += len(entry).to_bytes(2, "big") + entry
    return bytes(out)


def decode_entry_bundle(data: bytes) -> list[bytes]:
    """The entries of a bundle; LedgerError when its framing is broken."""
    entries: list[bytes] = []
    at = 0
    while at < len(data):
        if at + 2 > len(data):
            raise LedgerError("an entry bundle ends inside a length prefix")
        length = int.from_bytes(data[at : at + 2], "big")
        if at + 2 + length > len(data):
            raise LedgerError("an entry bundle ends inside an entry")
        entries.append(data[at + 2 : at + 2 + length])
        at += 2 + length
    return entries

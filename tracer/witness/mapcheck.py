"""The witness's ``--verify-map`` mode: before cosigning, recompute the log's verifiable map from its entries.

A plain witness states "this checkpoint extends every one I cosigned before" (c2sp.org/tlog-witness). In
this mode it also states "and the map root it commits to (its ``map`` line, docs/verifiable-map.md) is the
map of its entries under the log's subject rule": a log that commits to a map with an entry left out of a
subject's list (a recall kept out of a lot's list) cannot collect this witness's cosignature, though its
tree is consistent.

For each log it keeps a mirror of the entries in its own folder (``<folder>/<origin>/entries.b64``, one
base64 envelope a line, appended only after a check passes), read through the log's c2sp.org/tlog-tiles
entry bundles, and the replayed map in memory (rebuilt from the mirror at start). A checkpoint is checked
against the mirror extended to its size: the entries must make its root (RFC 9162), then its map line must
be the replayed root. Checks run one at a time: within a process under a lock, across gunicorn workers
under the witness database's write lock, which ``Witness`` holds around the check; a worker that finds the
mirror file grown by another reads it again. The subject rule is named in the configuration as
``module:function`` (the log operator's published rule; ``tracer.events.subjects:subjects_of`` for OCOP
Tracer) and imported by name: the witness's code depends on the ledger library only.
"""

from __future__ import annotations

import base64
import importlib
import os
import threading
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import cast

from tracer.ledger.checkpoint import Checkpoint
from tracer.ledger.errors import LedgerError, VerificationError
from tracer.ledger.merkle import leaf_hash
from tracer.ledger.mirror import Fetch, entries_from_bundles
from tracer.ledger.tlog_index import extend_frontier, frontier_root
from tracer.ledger.vmap_feed import Replay, Subjects, committed_root

MAX_TILE_BYTES = 16 * 1024 * 1024
TIMEOUT = 20  # seconds per tile request


class MapRefused(Exception):
    """The checkpoint's map cannot be confirmed; the reason (the witness answers 422)."""


def load_rule(spec: str) -> Subjects:
    """The subject rule named ``module:function``; LedgerError naming what is wrong."""
    module_name, _, function = spec.partition(":")
    if not module_name or not function:
        raise LedgerError(f"map_rule {spec!r} is not 'module:function'")
    try:
        found = getattr(importlib.import_module(module_name), function)
    except (ImportError, AttributeError) as error:
        raise LedgerError(f"map_rule {spec!r}: {error}") from None
    if not callable(found):
        raise LedgerError(f"map_rule {spec!r} is not a function")
    return cast(Subjects, found)


def http_tiles(base: str) -> Fetch:
    """A fetch of paths below the log's tiles prefix (``.../log/``) over HTTP."""

    def fetch(path: str) -> bytes:
        url = base.rstrip("/") + "/" + path
        try:
            with urllib.request.urlopen(url, timeout=TIMEOUT) as response:  # noqa: S310 (configured http(s))
                return bytes(response.read(MAX_TILE_BYTES + 1))[:MAX_TILE_BYTES]
        except (urllib.error.URLError, OSError) as error:
            raise VerificationError(f"{url}: {error}") from None

    return fetch


class _LogMirror:
    """One log's mirrored entries, their Merkle frontier and the map replayed from them."""

    def __init__(self, file: Path, subjects: Subjects, entries: list[bytes] | None = None) -> None:
        self.file = file
        self.subjects = subjects
        self._bytes = -1  # the mirror file's size as this process last read or wrote it
        self._reset(self._read() if entries is None else entries)

    def _read(self) -> list[bytes]:
        if not self.file.exists():
            self._bytes = 0
            return []
        text = self.file.read_text(encoding="ascii")
        self._bytes = len(text)
        return [base64.b64decode(line, validate=True) for line in text.splitlines() if line]

    def _reset(self, entries: list[bytes]) -> None:
        self.entries: list[bytes] = []
        self.frontier: list[bytes] = []
        self.replay = Replay(self.subjects)
        self._add(entries)

    def _add(self, new: list[bytes]) -> None:
        start = len(self.entries)
        leaves = [leaf_hash(entry) for entry in new]
        extend_frontier(self.frontier, start, leaves)
        for offset, (entry, leaf) in enumerate(zip(new, leaves, strict=True)):
            self.replay.add(start + offset, entry, leaf)
        self.entries.extend(new)

    def check(self, cp: Checkpoint, tiles: Fetch) -> None:
        on_disk = self.file.stat().st_size if self.file.exists() else 0
        if self._bytes >= 0 and on_disk != self._bytes:  # another worker process moved the mirror on
            self._reset(self._read())
        if cp.size < len(self.entries):  # older than one checked already: judge the prefix alone
            _LogMirror(self.file, self.subjects, self.entries[: cp.size]).check(cp, tiles)
            return
        try:
            new = entries_from_bundles(tiles, len(self.entries), cp.size)
        except VerificationError as error:
            raise MapRefused(f"the log's entries could not be read through its tiles: {error}") from None
        frontier = list(self.frontier)
        extend_frontier(frontier, len(self.entries), [leaf_hash(entry) for entry in new])
        if cp.size and frontier_root(frontier) != cp.root_hash:
            raise MapRefused(f"the entries served through the tiles do not make the root of size {cp.size}")
        committed = committed_root(cp)
        if committed is None:
            raise MapRefused("the checkpoint commits to no verifiable map (no 'map' line)")
        kept = list(self.entries)
        self._add(new)
        if committed != self.replay.root:
            self._reset(kept)  # back to the prefix that was checked
            raise MapRefused(
                f"the map root of the checkpoint of size {cp.size} is not the map of its entries "
                "(an entry left out of a subject's list, or a wrong rule)"
            )
        self._save(new)

    def _save(self, new: list[bytes]) -> None:
        if not new:
            return
        self.file.parent.mkdir(parents=True, exist_ok=True)
        text = "".join(base64.b64encode(entry).decode("ascii") + "\n" for entry in new)
        with self.file.open("a", encoding="ascii") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        self._bytes = self.file.stat().st_size


class MapChecker:
    """Checks checkpoints' map roots for the logs whose tiles prefixes ``tiles`` gives (origin -> fetch)."""

    def __init__(self, folder: Path, tiles: Mapping[str, Fetch], subjects: Subjects) -> None:
        self.folder = folder
        self.tiles = dict(tiles)
        self.subjects = subjects
        self._logs: dict[str, _LogMirror] = {}
        self._lock = threading.Lock()

    def check(self, cp: Checkpoint) -> None:
        """MapRefused unless ``cp``'s map line is the map of the log's first ``cp.size`` entries."""
        fetch = self.tiles.get(cp.origin)
        if fetch is None:
            raise MapRefused(f"no tiles address is configured for {cp.origin!r}")
        with self._lock:  # one check at a time: the mirror moves forward in order
            mirror = self._logs.get(cp.origin)
            if mirror is None:
                file = self.folder / _safe(cp.origin) / "entries.b64"
                mirror = self._logs[cp.origin] = _LogMirror(file, self.subjects)
            mirror.check(cp, fetch)


def _safe(origin: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in origin)

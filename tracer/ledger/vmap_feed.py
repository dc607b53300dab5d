"""What feeds the verifiable map: the map keys each ledger entry bears on, and the map replayed from the log.

The log decides nothing about the domain, so the rule is in two parts. The ledger's own: a ``key.register``
or ``key.revoke`` entry bears on ``key:<keyid>``. The service's: a ``Subjects`` function, given to
``LedgerStore`` by whoever runs the log, maps an entry's signed payload to the domain's keys (``lot:L1``,
``product:7`` ...). Both read only the signed payload, so anyone holding the log and the same rule computes
the same map: ``replay`` does it for ``ledger verify`` and for the auditor's mirror, and compares the root at
every checkpoint that commits one. A key the rule gives that is not a valid map key (``vmap.check_map_key``)
is left out, the same for every reader; one entry bears on one key at most once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from tracer.ledger.checkpoint import Checkpoint
from tracer.ledger.dsse import Envelope
from tracer.ledger.errors import InvalidRequestError, LedgerError, VerificationError
from tracer.ledger.keyevents import parse_key_event
from tracer.ledger.vmap import EXTENSION, MapEntry, MapRoot, check_map_key, parse_map_extension
from tracer.ledger.vmap_memory import MemoryMap
from tracer.ledger.vmap_tree import MapUpdate

Subjects = Callable[[bytes], Iterable[str]]
"""The service's rule: an entry's payload (the signed bytes) to the map keys it bears on."""


def no_subjects(_payload: bytes) -> Iterable[str]:
    """A log with no domain rule: only its key events feed the map."""
    return ()


def valid_key(map_key: str) -> bool:
    try:
        check_map_key(map_key)
    except InvalidRequestError:
        return False
    return True


def payload_subjects(payload: bytes, subjects: Subjects) -> list[str]:
    """The map keys an entry with ``payload`` bears on, sorted, each once."""
    maybe_key_event = b"key.re" in payload or b"\\u" in payload  # its type, plain or escaped
    try:  # (parsing every other payload a second time is a fifth of the map's cost in a batch)
        event = parse_key_event(payload) if maybe_key_event else None
    except LedgerError:
        event = None
    found = {f"key:{event.keyid}"} if event is not None else set()
    found.update(subjects(payload))
    return sorted(key for key in found if valid_key(key))


def entry_subjects(entry: bytes, subjects: Subjects) -> list[str]:
    """The map keys of a logged entry (the envelope's JSON bytes); none for bytes that are no envelope."""
    try:
        envelope = Envelope.from_json(entry)
    except LedgerError:
        return []
    return payload_subjects(envelope.payload, subjects)


def updates_for(
    start: int, payloads: Sequence[bytes], leaves: Sequence[bytes], subjects: Subjects
) -> list[MapUpdate]:
    """The map updates of entries appended at ``start``, ``start + 1`` ...: one per (entry, key), in order."""
    return [
        MapUpdate(key, start + offset, leaf)
        for offset, (payload, leaf) in enumerate(zip(payloads, leaves, strict=True))
        for key in payload_subjects(payload, subjects)
    ]


def subject_lists(rows: Iterable[tuple[int, bytes, bytes]], subjects: Subjects) -> dict[str, list[MapEntry]]:
    """Every map key's entry list, from (index, entry bytes, leaf hash) rows in index order."""
    lists: dict[str, list[MapEntry]] = {}
    for index, entry, leaf in rows:
        for key in entry_subjects(entry, subjects):
            lists.setdefault(key, []).append((index, leaf))
    return lists


def committed_root(cp: Checkpoint) -> MapRoot | None:
    """The map root a checkpoint commits to; None for a checkpoint made before the log kept a map.
    VerificationError for more than one ``map`` line or a malformed one."""
    if not any(line.split(" ", 1)[0] == EXTENSION for line in cp.extensions):
        return None
    try:
        return parse_map_extension(cp.extensions)
    except VerificationError as exc:
        raise VerificationError(f"checkpoint of size {cp.size}: {exc}", index=max(0, cp.size - 1)) from exc


class Replay:
    """The map rebuilt entry by entry from the log, checked against every checkpoint's ``map`` line.

    Feed entries in index order (``add``) and each checkpoint once its size is reached (``check``). Once a
    checkpoint has committed a map, every later one must (a log cannot quietly stop committing)."""

    def __init__(self, subjects: Subjects) -> None:
        self.subjects = subjects
        self.map = MemoryMap()
        self.size = 0
        self.committing_since: int | None = None
        self._pending: list[MapUpdate] = []

    def add(self, index: int, entry: bytes, leaf: bytes) -> None:
        if index != self.size:
            raise VerificationError(f"entry {index} fed to the map replay out of order", index=index)
        self._pending.extend(MapUpdate(k, index, leaf) for k in entry_subjects(entry, self.subjects))
        self.size += 1

    @property
    def root(self) -> MapRoot:
        if self._pending:
            self.map.apply(self._pending)
            self._pending = []
        return self.map.root

    def check(self, cp: Checkpoint) -> None:
        """Compare ``cp``'s map line with the replayed map of its first ``cp.size`` entries."""
        if cp.size != self.size:
            raise LedgerError(f"checkpoint of size {cp.size} checked at replay size {self.size}")
        committed = committed_root(cp)
        where = max(0, cp.size - 1)
        if committed is None:
            if self.committing_since is not None:
                raise VerificationError(
                    f"checkpoint of size {cp.size} has no map line, though the checkpoint of size "
                    f"{self.committing_since} committed one",
                    index=where,
                )
            return
        if self.committing_since is None:
            self.committing_since = cp.size
        if committed != self.root:
            raise VerificationError(
                f"checkpoint of size {cp.size}: its map root is not the map of the log's first {cp.size} "
                "entries (an entry left out of a subject, or a changed stored value)",
                index=where,
            )

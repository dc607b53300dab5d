"""A local mirror of a remote log, checked from its public endpoints alone (``python -m tracer audit URL``).

An auditor who trusts nothing but the log's verifier key keeps a folder with the entries seen so far and the
last checkpoint that verified. Each ``update``:

1. fetches the newest checkpoint and checks its signature by the pinned key (c2sp.org/tlog-checkpoint);
2. refuses a log that shrank or changed its origin, and checks the server's consistency proof from the last
   verified checkpoint (RFC 9162 section 2.1.4): the old history is a prefix of the new one;
3. fetches only the new entries, recomputes the RFC 9162 root of every entry it holds and requires the
   checkpoint's root: an entry left out, changed or reordered cannot match;
4. replays the key registrations and revocations of the whole log and checks every new entry's DSSE
   signature by a key valid at its index (key events by an authority key), as the log itself admits them;
5. given the service's subject rule (``vmap_feed.Subjects``), replays the verifiable map from every entry
   it holds and requires the root the checkpoint commits to (and a ``map`` line, once one was seen);
6. only then writes the new entries and the checkpoint (entries first, the checkpoint last, each by an
   atomic rename): an interrupted run leaves the last verified state, and the next run goes on from it.

``fetch`` is given by the caller (HTTP in the CLI, a test client in tests): a path below the service's
``/api/v1/ledger/`` (``checkpoint``, ``entries/7``, ``proof/consistency?from=3&to=9``) to the body's bytes.
Given ``tiles`` too (a path below the log's c2sp.org/tlog-tiles prefix, ``/log/``), new entries are read
through entry bundles (``tile/entries/N[.p/W]``, 256 entries a request, servable from a CDN) instead of one
request each; what is checked is the same. Given a witness ``policy`` (``tracer.ledger.policy``), the
checkpoint must also carry k fresh cosignatures at ``now``, or nothing is saved (a split view shown to this
auditor alone could not collect them).
No Flask, no database: this is a library of the ledger.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tracer.ledger.checkpoint import Checkpoint, verify_checkpoint
from tracer.ledger.dsse import Envelope
from tracer.ledger.errors import LedgerError, VerificationError
from tracer.ledger.keyevents import KeyRecord, admit, parse_key_event
from tracer.ledger.merkle import leaf_hash, root_hash, verify_consistency
from tracer.ledger.parallel import start_signature_checks
from tracer.ledger.policy import WitnessPolicy, verify_policy
from tracer.ledger.tiles import TILE_WIDTH, Tile, decode_entry_bundle
from tracer.ledger.vmap_feed import Replay, Subjects, committed_root

__all__ = ["Fetch", "Mirror", "MirrorReport", "entries_from_bundles"]

Fetch = Callable[[str], bytes]


@dataclass(frozen=True, slots=True)
class MirrorReport:
    """What one update checked: the log's origin and size, and how many entries were new."""

    origin: str
    size: int
    new_entries: int
    witnesses: int = 0  # fresh cosignatures counted under the auditor's witness policy, if one was given
    map_checked: bool = False  # the checkpoint's verifiable-map root was recomputed from the entries


class Mirror:
    """The mirror kept in ``folder`` of the log whose checkpoints ``verifier_key`` signs."""

    def __init__(self, folder: Path, verifier_key: str, subjects: Subjects | None = None) -> None:
        self.folder = folder
        self.verifier_key = verifier_key
        self.subjects = subjects
        self._entries = folder / "entries.b64"  # one base64 envelope a line, in index order
        self._checkpoint = folder / "checkpoint"

    def entries(self) -> list[bytes]:
        """The entries mirrored so far, in index order."""
        if not self._entries.exists():
            return []
        lines = self._entries.read_text(encoding="ascii").splitlines()
        return [base64.b64decode(line, validate=True) for line in lines if line]

    def checkpoint(self) -> Checkpoint | None:
        """The last checkpoint that verified (re-checked against the pinned key), or None."""
        if not self._checkpoint.exists():
            return None
        return verify_checkpoint(self._checkpoint.read_text(encoding="utf-8"), self.verifier_key)

    def update(
        self, fetch: Fetch, tiles: Fetch | None = None, policy: WitnessPolicy | None = None, now: int = 0
    ) -> MirrorReport:
        """Bring the mirror up to the remote log's newest checkpoint, checking everything (module text);
        VerificationError, naming what is wrong, leaves the mirror as it was."""
        note = fetch("checkpoint").decode("utf-8", "replace")
        cp = verify_checkpoint(note, self.verifier_key)
        witnessed = 0 if policy is None else len(verify_policy(note, policy, now).fresh)
        held = self.entries()
        old = self.checkpoint()
        if old is not None:
            if len(held) != old.size or root_hash([leaf_hash(e) for e in held]) != old.root_hash:
                raise VerificationError(f"the local mirror in {self.folder} does not match its checkpoint")
            if cp.origin != old.origin:
                raise VerificationError(f"the log's origin changed from {old.origin!r} to {cp.origin!r}")
            if cp.size < old.size:
                raise VerificationError(f"the log shrank from {old.size} to {cp.size} entries")
            if 0 < old.size < cp.size:
                proof = _hashes(fetch(f"proof/consistency?from={old.size}&to={cp.size}"))
                verify_consistency(old.size, cp.size, old.root_hash, cp.root_hash, proof)
            elif old.size == cp.size and old.root_hash != cp.root_hash:
                raise VerificationError(f"two different logs of size {cp.size} are signed by the same key")
        if tiles is None:
            new = [fetch(f"entries/{index}") for index in range(len(held), cp.size)]
        else:
            new = entries_from_bundles(tiles, len(held), cp.size)
        everything = held + new
        if root_hash([leaf_hash(e) for e in everything]) != cp.root_hash:
            raise VerificationError(
                f"the entries served do not make the root of the checkpoint of size {cp.size}"
            )
        _check_signatures(everything, first_new=len(held))
        checked = self._check_map(everything, cp, old)
        self._save(new, note)
        return MirrorReport(cp.origin, cp.size, len(new), witnessed, checked)

    def _check_map(self, entries: list[bytes], cp: Checkpoint, old: Checkpoint | None) -> bool:
        """Replay the map from ``entries`` and require ``cp``'s root (no rule given: nothing checked)."""
        if self.subjects is None:
            return False
        if committed_root(cp) is None:
            if old is not None and committed_root(old) is not None:
                raise VerificationError(f"the checkpoint of size {cp.size} stopped committing to a map")
            return False
        replay = Replay(self.subjects)
        for index, entry in enumerate(entries):
            replay.add(index, entry, leaf_hash(entry))
        replay.check(cp)
        return True

    def _save(self, new: list[bytes], note: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if new:
            lines = "".join(base64.b64encode(e).decode("ascii") + "\n" for e in new)
            existing = self._entries.read_text(encoding="ascii") if self._entries.exists() else ""
            _replace(self._entries, existing + lines)
        _replace(self._checkpoint, note)


def entries_from_bundles(tiles: Fetch, start: int, end: int) -> list[bytes]:
    """Entries [start, end) from the entry bundles of the tree of ``end`` entries."""
    entries: list[bytes] = []
    for n in range(start // TILE_WIDTH, (end + TILE_WIDTH - 1) // TILE_WIDTH):
        width = min(TILE_WIDTH, end - n * TILE_WIDTH)
        path = Tile(None, n, width).path()
        try:
            bundle = decode_entry_bundle(tiles(path))
        except LedgerError as error:
            raise VerificationError(f"{path}: {error}") from None
        if len(bundle) != width:
            raise VerificationError(f"{path}: {len(bundle)} entries, not {width}")
        first = n * TILE_WIDTH
        entries.extend(bundle[max(0, start - first) :])
    return entries


def _replace(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` by an atomic rename of a complete temporary file."""
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("w", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    temporary.replace(path)


def _hashes(body: bytes) -> list[bytes]:
    try:
        data = json.loads(body)
        return [base64.b64decode(h, validate=True) for h in data["hashes"]]
    except (ValueError, KeyError, TypeError) as error:
        raise VerificationError(f"the consistency proof is not readable: {error}") from None


def _check_signatures(entries: list[bytes], *, first_new: int) -> None:
    """Replay the key events of every entry; check the signatures of the entries from ``first_new`` on."""
    keys: dict[str, KeyRecord] = {}
    admissions = []
    for index, raw in enumerate(entries):
        try:
            envelope = Envelope.from_json(raw)
            admission = admit(index, envelope, parse_key_event(envelope.payload), keys)
        except LedgerError as error:
            raise VerificationError(f"entry {index}: {error}", index=index) from None
        if admission.key_change is not None:
            keys[admission.key_change.keyid] = admission.key_change
        if index >= first_new:
            admissions.append(admission)
    for offset, signer in enumerate(start_signature_checks(admissions)()):
        if signer is None:
            index = first_new + offset
            raise VerificationError(
                f"entry {index}: no valid signature by a key valid at {index}", index=index
            )

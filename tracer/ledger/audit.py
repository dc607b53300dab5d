"""Full audit of a stored log: re-derive every hash and signature, report the first bad index.

``verify_log`` streams the entries in chunks and, for each index: recomputes the RFC 9162 leaf hash of the
stored envelope; parses the DSSE envelope; replays key registrations and revocations from the log alone
(``keyevents``) and checks the envelope's signature by a key valid at that index (signatures checked in
parallel); recomputes every Go ``sumdb/tlog`` stored hash and compares it with ``ledger_hashes``; checks
every stored checkpoint's signature by the log key and that its root is the re-derived root of that prefix
of the log. Since every checkpoint root is re-derived from the same leaf sequence, each checkpoint is
consistent with the next by construction: a consistency proof between them could only restate that.
Finally the ``ledger_keys`` rows must agree with the replayed key events and the state row with the tree.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import Connection, func, or_, select

from tracer.ledger import connection, keystore, vmap_audit, vmap_store
from tracer.ledger.checkpoint import Checkpoint, verify_checkpoint
from tracer.ledger.dsse import Envelope
from tracer.ledger.errors import LedgerError, VerificationError
from tracer.ledger.keyevents import Admission, KeyRecord, admit, parse_key_event
from tracer.ledger.merkle import EMPTY_ROOT, leaf_hash
from tracer.ledger.parallel import start_map, start_signature_checks
from tracer.ledger.schema import ledger_checkpoints, ledger_entries, ledger_hashes
from tracer.ledger.tlog_index import (
    extend_frontier,
    frontier_root,
    record_of_stored_hash,
    stored_hash_count,
    stored_hash_index,
)
from tracer.ledger.vmap_feed import Subjects, committed_root, no_subjects

CHUNK = 4096


@dataclass(frozen=True, slots=True)
class AuditReport:
    """How much was checked: entries, checkpoints, and the checkpoints that commit to the verifiable map."""

    entries: int
    checkpoints: int
    map_checkpoints: int = 0


Problem = tuple[int, str]
Pending = Callable[[], list[Problem]]


def _raise_first(problems: Sequence[Problem]) -> None:
    if problems:
        index, message = min(problems, key=lambda p: p[0])
        raise VerificationError(message, index=index)


def verify_log(conn: Connection, verifier_key: str, subjects: Subjects = no_subjects) -> AuditReport:
    """Check the whole log, then the verifiable map replayed from it with the rule ``subjects``
    (``vmap_audit``); raise VerificationError(index=...) naming the first bad index."""
    state = connection.read_state(conn)
    if state is None:
        raise VerificationError("the ledger state row is missing")
    size, root = state
    keys: dict[str, KeyRecord] = {}
    subtrees: list[bytes] = []
    checkpoints = 0
    pending: Pending = list
    for start in range(0, size, CHUNK):
        # Signatures of one chunk are checked on other threads while the next chunk is parsed.
        count, problems, checks = _verify_chunk(
            conn, start, min(size, start + CHUNK), keys, subtrees, verifier_key
        )
        _raise_first(pending())
        if problems:
            _raise_first(problems + checks())
        pending, checkpoints = checks, checkpoints + count
    _raise_first(pending())
    problems = []
    extra = conn.execute(
        select(func.min(ledger_entries.c.idx)).where(
            or_(ledger_entries.c.idx >= size, ledger_entries.c.idx < 0)
        )
    ).scalar()
    if extra is not None:
        problems.append((int(extra), f"entry {extra} is beyond the log size {size}"))
    count = stored_hash_count(size)
    extra = conn.execute(
        select(func.min(ledger_hashes.c.idx)).where(
            or_(ledger_hashes.c.idx >= count, ledger_hashes.c.idx < 0)
        )
    ).scalar()
    if extra is not None:
        problems.append((max(0, record_of_stored_hash(max(0, int(extra)))), f"stored hash {extra} is extra"))
    extra = conn.execute(
        select(func.min(ledger_checkpoints.c.size)).where(
            or_(ledger_checkpoints.c.size > size, ledger_checkpoints.c.size < 1)
        )
    ).scalar()
    if extra is not None:
        problems.append((max(0, int(extra) - 1), f"checkpoint of size {extra} is beyond the log size {size}"))
    if (frontier_root(subtrees) if size else EMPTY_ROOT) != root:
        problems.append((size, f"ledger state (size {size}): root hash does not match the tree"))
    problems.extend(keystore.disagreements(conn, keys))
    _raise_first(problems)
    check_head(conn, verifier_key)
    committing = vmap_audit.verify_map(conn, size, subjects)
    return AuditReport(entries=size, checkpoints=checkpoints, map_checkpoints=committing)


def _verify_chunk(
    conn: Connection,
    start: int,
    end: int,
    keys: dict[str, KeyRecord],
    subtrees: list[bytes],
    verifier_key: str,
) -> tuple[int, list[Problem], Pending]:
    """Check entries [start, end): return the checkpoint count, problems, and pending signature checks."""
    e = ledger_entries.c
    rows = conn.execute(
        select(e.idx, e.envelope, e.leaf_hash, e.keyid).where(e.idx >= start, e.idx < end).order_by(e.idx)
    ).all()
    problems: list[Problem] = []
    admissions: list[Admission] = []
    for expected, row in zip(range(start, end), rows, strict=False):
        problem = _admit_row(expected, row, keys, admissions)
        if problem is not None:
            problems.append(problem)
            break
    else:
        if len(rows) < end - start:
            problems.append((start + len(rows), f"entry {start + len(rows)} is missing"))
    signers = start_signature_checks(admissions)
    cps = conn.execute(
        select(ledger_checkpoints.c.size, ledger_checkpoints.c.root_hash, ledger_checkpoints.c.note)
        .where(ledger_checkpoints.c.size > start, ledger_checkpoints.c.size <= end)
        .order_by(ledger_checkpoints.c.size)
    ).all()
    notes = start_map(partial(_open_checkpoint, verifier_key), [str(r.note) for r in cps])
    leaves = [bytes(row.leaf_hash) for row in rows[: len(admissions)]]
    expected_rows, roots = [], {}
    done = start
    for cp in cps:
        if cp.size <= start + len(leaves):
            expected_rows += extend_frontier(subtrees, done, leaves[done - start : cp.size - start])
            done = int(cp.size)
            roots[done] = frontier_root(subtrees)
    expected_rows += extend_frontier(subtrees, done, leaves[done - start :])
    problems.extend(_hash_problems(conn, start, end, expected_rows))

    def checks() -> list[Problem]:
        found = _checkpoint_problems(cps, notes(), roots)
        for offset, signer in enumerate(signers()):
            index, recorded = start + offset, rows[offset].keyid
            if signer is None:
                found.append((index, f"entry {index}: envelope signature does not verify"))
            elif signer != recorded:
                found.append((index, f"entry {index}: signed by {signer}, recorded as {recorded}"))
        return found

    return len(cps), problems, checks


def _admit_row(
    index: int, row: Any, keys: dict[str, KeyRecord], admissions: list[Admission]
) -> Problem | None:
    if row.idx != index:
        return index, f"entry {index} is missing"
    entry = bytes(row.envelope)
    if leaf_hash(entry) != row.leaf_hash:
        return index, f"entry {index}: leaf hash does not match the envelope"
    try:
        env = Envelope.from_json(entry)
        admission = admit(index, env, parse_key_event(env.payload), keys)
    except LedgerError as exc:
        return index, f"entry {index}: {exc}"
    if admission.key_change is not None:
        keys[admission.key_change.keyid] = admission.key_change
    admissions.append(admission)
    return None


def _hash_problems(
    conn: Connection, start: int, end: int, expected: list[tuple[int, bytes]]
) -> list[Problem]:
    h = ledger_hashes.c
    rows = conn.execute(
        select(h.idx, h.hash)
        .where(h.idx >= stored_hash_index(0, start), h.idx < stored_hash_count(end))
        .order_by(h.idx)
    ).all()
    for want, got in zip(expected, rows, strict=False):
        if want[0] != got.idx or want[1] != bytes(got.hash):
            idx = min(want[0], int(got.idx))
            record = record_of_stored_hash(idx)
            return [(record, f"entry {record}: stored hash {idx} is altered, missing or misplaced")]
    if len(rows) != len(expected):
        idx = expected[len(rows)][0] if len(rows) < len(expected) else int(rows[len(expected)].idx)
        record = record_of_stored_hash(idx)
        return [(record, f"entry {record}: stored hash {idx} is missing or extra")]
    return []


def _open_checkpoint(verifier_key: str, note: str) -> Checkpoint | str:
    try:
        return verify_checkpoint(note, verifier_key)
    except LedgerError as exc:
        return str(exc)


def _checkpoint_problems(
    cps: Sequence[Any], results: list[Checkpoint | str], roots: dict[int, bytes]
) -> list[Problem]:
    problems: list[Problem] = []
    for row, result in zip(cps, results, strict=True):
        size = int(row.size)
        where = f"checkpoint of size {size}"
        if isinstance(result, str):
            problems.append((size - 1, f"{where}: {result}"))
        elif result.size != size or result.root_hash != bytes(row.root_hash):
            problems.append((size - 1, f"{where}: note does not match its row"))
        elif size in roots and roots[size] != result.root_hash:
            problems.append((size - 1, f"{where}: root is not the root of the log's first {size} entries"))
    return problems


def check_head(conn: Connection, verifier_key: str) -> None:
    """The state row must equal the latest checkpoint, whose signature must verify."""
    state = connection.read_state(conn)
    if state is None:
        raise VerificationError("the ledger state row is missing")
    size, root = state
    c = ledger_checkpoints.c
    row = conn.execute(select(c.size, c.root_hash, c.note).order_by(c.size.desc()).limit(1)).first()
    if row is None:
        if size:
            raise VerificationError(f"the log has {size} entries but no checkpoint", index=size - 1)
        return
    if int(row.size) != size or bytes(row.root_hash) != root:
        raise VerificationError(
            f"ledger state (size {size}) does not match the latest checkpoint (size {row.size})",
            index=min(size, int(row.size)),
        )
    cp = verify_checkpoint(str(row.note), verifier_key)
    if cp.size != size or cp.root_hash != root:
        raise VerificationError(
            f"the latest checkpoint note does not match the state (size {size})", index=size - 1
        )
    committed = committed_root(cp)
    if committed is not None and vmap_store.map_root(conn) != committed:
        raise VerificationError(
            f"the stored verifiable map's root does not match the latest checkpoint (size {size})",
            index=size - 1,
        )

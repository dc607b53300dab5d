"""The log's side of c2sp.org/tlog-witness: what it sends a witness, what it keeps of the answers.

``add_checkpoint_body`` writes the request (``old <size>``, the consistency proof in base64 lines, an empty
line, the signed checkpoint). ``accept`` checks a witness's answer: only a cosignature/v1 line by the key the
log was configured with, over this very checkpoint, is kept; a witness that signs something else is
ignored. Cosignatures are stored by (tree size, witness) in ``ledger_cosignatures``; ``cosigned`` appends
them to the checkpoint note as extra signature lines (verifiers ignore lines by keys they do not know).
No HTTP here: the service's background cosigner (``tracer.platform.cosigning``) posts and retries.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from tracer.ledger.cosignature import Cosignature, Cosigner, note_body, parse_cosigner_key, verify_cosignature
from tracer.ledger.encoding import b64encode
from tracer.ledger.errors import LedgerError, VerificationError
from tracer.ledger.schema import ledger_cosignatures

_SIZE_ANSWER = re.compile(r"(0|[1-9][0-9]{0,18})\n?")


@dataclass(frozen=True, slots=True)
class WitnessSpec:
    """A witness the log asks: its cosigner key (type 0x04, which names it) and its submission URL prefix."""

    cosigner: Cosigner
    verifier_key: str
    url: str

    @property
    def name(self) -> str:
        return self.cosigner.name

    @classmethod
    def parse(cls, text: str) -> WitnessSpec:
        """``<cosigner vkey> <URL prefix>``; LedgerError if either is malformed."""
        vkey, space, url = text.strip().partition(" ")
        url = url.strip().rstrip("/")
        if not space or not url.startswith(("http://", "https://")):
            raise LedgerError(f"a witness is '<vkey> <http(s) URL>', got {text!r}")
        return cls(cosigner=parse_cosigner_key(vkey), verifier_key=vkey, url=url)


def add_checkpoint_body(old_size: int, proof: Sequence[bytes], note: str) -> bytes:
    """The body of ``POST <prefix>/add-checkpoint``."""
    lines = [f"old {old_size}", *(b64encode(h) for h in proof)]
    return ("\n".join(lines) + "\n\n" + note).encode("utf-8")


def conflict_size(body: bytes) -> int | None:
    """The witness's last cosigned size from a 409 ``text/x.tlog.size`` answer, or None."""
    matched = _SIZE_ANSWER.fullmatch(body.decode("ascii", "replace"))
    return int(matched.group(1)) if matched else None


def accept(answer: bytes, note: str, witness: WitnessSpec) -> Cosignature:
    """The cosignature by ``witness`` on ``note`` among the signature lines of a 200 answer;
    VerificationError if there is none that verifies."""
    body = note_body(note)
    for line in answer.decode("utf-8", "replace").splitlines():
        try:
            return verify_cosignature(body, line, witness.cosigner)
        except LedgerError:
            continue
    raise VerificationError(f"the witness {witness.name} answered no valid cosignature")


def save(conn: Connection, size: int, cosignature: Cosignature) -> None:
    """Keep ``cosignature`` on the checkpoint of ``size`` (a newer one from the same witness replaces it)."""
    table = ledger_cosignatures
    conn.execute(table.delete().where(table.c.size == size, table.c.witness == cosignature.name))
    conn.execute(
        table.insert().values(
            size=size, witness=cosignature.name, timestamp=cosignature.timestamp, line=cosignature.line
        )
    )


def cosignatures(conn: Connection, size: int) -> list[tuple[str, int, str]]:
    """(witness, timestamp, line) of the cosignatures kept for the checkpoint of ``size``, by name."""
    table = ledger_cosignatures
    rows = conn.execute(
        select(table.c.witness, table.c.timestamp, table.c.line)
        .where(table.c.size == size)
        .order_by(table.c.witness)
    ).all()
    return [(str(r.witness), int(r.timestamp), str(r.line)) for r in rows]


def last_cosigned(conn: Connection, witness: str) -> int:
    """The largest tree size ``witness`` cosigned for this log (0 if none)."""
    table = ledger_cosignatures
    found = conn.execute(select(func.max(table.c.size)).where(table.c.witness == witness)).scalar()
    return int(found or 0)


def cosigned(note: str, lines: Sequence[str]) -> str:
    """The checkpoint note with the cosignature ``lines`` appended to its signature block."""
    return note + "".join(line if line.endswith("\n") else line + "\n" for line in lines)

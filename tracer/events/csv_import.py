"""Bulk import of harvest records from a CSV file: all lines or none.

Columns (a header line, UTF-8, comma- or semicolon-separated as spreadsheets in Vietnam write them):
``zone_id, name, quantity, unit, harvested_on`` and optionally ``product_id``; dates as dd/mm/yyyy or
yyyy-mm-dd; quantities as the import's language writes numbers (the console's; Vietnamese by default:
``1.000`` is one thousand, ``12,5`` twelve and a half), read by ``tracer.platform.numbers`` exactly as the
form reads them, and a quantity that reads two ways is reported on its line, never guessed. A cell holds at
most ``MAX_CELL`` characters (the ``csv`` module's own limit, 131,072, would end the file with an error
instead of naming the cell), a line that is not CSV is named, and the cells meet the same bounds as the
form's (ids within 32 bits, no control or invisible characters: ``tracer.platform.bounds``).

Every line is first parsed into the same ``Harvest`` command the form and the API use, then recorded through
``tracer.events.dispatch.record`` in the caller's single write transaction, each line in a savepoint so that
every bad line is reported, not just the first. If any line is bad, ``ImportRejected`` carries the report and
the caller's transaction rolls back: nothing is imported. A file this organisation imported before (by its
content hash, ``csv_imports``) is refused unless the producer says to import it again. The file's events are
appended to the ledger together, under one signed checkpoint: they are added to one ledger ``Appender`` (a
bad line's undone back to its mark), sealed once at the end.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, col, select

from tracer.accounts.actors import Actor
from tracer.events import pipeline
from tracer.events.commands import Harvest
from tracer.events.dispatch import record
from tracer.events.pipeline import Recorded
from tracer.models.events import CsvImport
from tracer.platform import numbers
from tracer.platform.errors import Conflict, InvalidInput, NotFound, RuleViolation, TracerError
from tracer.platform.messages import Message

REQUIRED = ("zone_id", "name", "quantity", "unit", "harvested_on")
OPTIONAL = ("product_id",)
MAX_LINES = 5000
MAX_CELL = 2000  # the longest text a harvest holds is 200 characters
_DMY = re.compile(r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$")  # ASCII digits: int() reads any script's


@dataclass(frozen=True)
class LineProblem:
    """What is wrong with one line: its number in the file (the header is line 1), the column, the reason."""

    line: int
    field: str | None
    error: TracerError | dict[str, Any]  # the domain's error or pydantic's, each with its message id


@dataclass
class ImportRejected(Exception):
    problems: list[LineProblem] = field(default_factory=list)


def parse(data: bytes, language: str = "vi") -> list[tuple[int, Harvest]]:
    """The harvest command of every line, its numbers read as ``language`` writes them; ImportRejected listing
    every line that does not parse."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRejected([LineProblem(0, None, InvalidInput(Message.NOT_UTF8))]) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    # No cell is refused by the csv module for its size (MAX_CELL is checked below, naming the cell); the
    # limit is process-wide, so it is only ever raised.
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        fieldnames = reader.fieldnames
    except csv.Error as error:
        raise ImportRejected([LineProblem(1, None, _malformed(error))]) from None
    header = [(name or "").strip().lower() for name in (fieldnames or [])]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ImportRejected(
            [LineProblem(1, name, InvalidInput(Message.COLUMN_MISSING, column=name)) for name in missing]
        )
    unknown = [name for name in header if name not in REQUIRED + OPTIONAL]
    if unknown:
        raise ImportRejected(
            [LineProblem(1, name, InvalidInput(Message.COLUMN_UNKNOWN, column=name)) for name in unknown]
        )
    reader.fieldnames = header
    parsed: list[tuple[int, Harvest]] = []
    problems: list[LineProblem] = []
    rows = iter(reader)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as error:  # the reader cannot go on past a line it cannot read
            problems.append(LineProblem(reader.line_num, None, _malformed(error)))
            break
        line = reader.line_num
        if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
            continue  # a blank line
        if len(parsed) + len(problems) >= MAX_LINES:
            raise ImportRejected([LineProblem(line, None, InvalidInput(Message.TOO_MANY_LINES, n=MAX_LINES))])
        if None in row:  # more cells than columns
            problems.append(LineProblem(line, None, InvalidInput(Message.LINE_TOO_LONG)))
            continue
        long_cells = [name for name, value in row.items() if isinstance(value, str) and len(value) > MAX_CELL]
        if long_cells:
            problems += [
                LineProblem(line, name, InvalidInput(Message.CELL_TOO_LONG, field=name, n=MAX_CELL))
                for name in long_cells
            ]
            continue
        try:
            parsed.append((line, Harvest(**_fields(row, language))))
        except numbers.NumberError as error:
            problems.append(LineProblem(line, error.field, error))
        except ValidationError as error:
            for item in error.errors():
                column = ".".join(str(part) for part in item["loc"]) or None
                problems.append(LineProblem(line, column, dict(item)))
    if problems:
        raise ImportRejected(problems)
    if not parsed:
        raise ImportRejected([LineProblem(2, None, InvalidInput(Message.NO_LINES))])
    return parsed


def _malformed(error: csv.Error) -> InvalidInput:
    return InvalidInput(Message.CSV_MALFORMED, reason=str(error)[:100])


def _fields(row: dict[str, Any], language: str) -> dict[str, Any]:
    values = {k: (v or "").strip() for k, v in row.items() if k}
    fields: dict[str, Any] = {k: values.get(k, "") for k in REQUIRED}
    if values.get("product_id"):
        fields["product_id"] = values["product_id"]
    if fields["quantity"]:  # empty: the command names it as required
        fields["quantity"] = numbers.read(fields["quantity"], language, field="quantity")
    found = _DMY.match(fields["harvested_on"])
    if found:
        day, month, year = (int(part) for part in found.groups())
        try:
            fields["harvested_on"] = date(year, month, day)
        except ValueError:
            pass  # left as text: pydantic names it as an invalid date
    return fields


def digest(data: bytes) -> str:
    """The file's content hash (SHA-256, hex): how a file imported before is recognised."""
    return hashlib.sha256(data).hexdigest()


def imported_before(session: Session, organisation_id: int, data: bytes) -> CsvImport | None:
    """The last import of this very file by this organisation, if any."""
    return session.exec(
        select(CsvImport)
        .where(CsvImport.organisation_id == organisation_id, CsvImport.sha256 == digest(data))
        .order_by(col(CsvImport.id).desc())
    ).first()


def import_harvests(
    *, session: Session, actor: Actor, data: bytes, language: str = "vi", check_only: bool = False,
    again: bool = False,
) -> list[Recorded]:  # fmt: skip
    """Record every line of ``data`` (its numbers as ``language`` writes them) in ``session``'s transaction;
    ImportRejected (the caller rolls back) when any line is bad, or when this organisation imported the same
    file before and ``again`` is not given. ``check_only``: every line is checked by the domain's rules and
    recorded in the session, but the ledger is not sealed and the file not noted: the caller MUST roll back
    (the review before an import)."""
    org = actor.require_organisation()
    if not check_only and not again and imported_before(session, org, data) is not None:
        raise ImportRejected([LineProblem(0, None, Conflict(Message.FILE_IMPORTED_BEFORE))])
    commands = parse(data, language)
    recorded: list[Recorded] = []
    problems: list[LineProblem] = []
    ledger = pipeline.hold(session)  # one append and one signed checkpoint for the whole file
    for line, command in commands:
        mark = ledger.mark()
        savepoint = session.begin_nested()
        try:
            recorded.append(record(session=session, actor=actor, command=command, ledger=ledger))
            savepoint.commit()
        except (InvalidInput, RuleViolation, NotFound, Conflict) as error:
            savepoint.rollback()
            ledger.undo(mark)
            problems.append(LineProblem(line, error.field, error))
    if problems:
        raise ImportRejected(problems)
    if check_only:
        return recorded
    ledger.seal()
    session.add(CsvImport(organisation_id=org, sha256=digest(data), lines=len(recorded),
                          first_index=recorded[0].index))  # fmt: skip
    return recorded

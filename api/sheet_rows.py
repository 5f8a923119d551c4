"""The rows of a small set-up spreadsheet (grids, staff): CSV or XLSX, as offices save them.

The same reading rules as the register's (``api.register_file``): a CSV in UTF-8 (with or
without a BOM) or GBK/GB18030 as Excel on a Chinese Windows saves it, detected with
charset-normalizer; the templates' second row of notes (必填/选填 …) skipped. Line numbers
are the spreadsheet's (header = line 1).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import openpyxl

from api.register_file import cell_text, decode_csv, is_notes_row
from domain.errors import DomainError
from domain.i18n import N_

MAX_ROWS = 5000
"""A grid tree or a staff list is hundreds of rows at most; more is the wrong file."""


class SheetFileError(DomainError):
    """The file as a whole cannot be read (format, encoding, header)."""

    code = "INVALID_FILE"


@dataclass(frozen=True)
class SheetRow:
    line: int
    cells: dict[str, str]


def _normal(header: object) -> str:
    text = str(header or "").replace("\ufeff", "").strip().casefold()
    return re.sub(r"[\s_\-]+", " ", text)


def _table(data: bytes, filename: str) -> Iterator[list[Any]]:
    """The file's rows; a file broken past its first bytes is still the file's fault."""
    try:
        yield from _raw_table(data, filename)
    except SheetFileError:
        raise
    except Exception as exc:  # csv.Error, zip and XML errors from deep inside openpyxl
        raise SheetFileError(N_("cannot read the workbook: {error}"), error=str(exc)) from exc


def _raw_table(data: bytes, filename: str) -> Iterator[list[Any]]:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix == "csv":
        yield from csv.reader(io.StringIO(decode_csv(data), newline=""))
        return
    if suffix != "xlsx":
        raise SheetFileError(N_("the file must be a .csv or .xlsx file"))
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for a broken file
        raise SheetFileError(N_("cannot read the workbook: {error}"), error=str(exc)) from exc
    try:
        for values in workbook.worksheets[0].iter_rows(values_only=True):
            yield list(values)
    finally:
        workbook.close()


def read_sheet(
    data: bytes, filename: str, headers: Mapping[str, tuple[str, ...]], required: tuple[str, ...]
) -> list[SheetRow]:
    """The data rows keyed by column key; ``headers`` maps each key to the names it goes by."""
    names = {_normal(alias): key for key, aliases in headers.items() for alias in (key, *aliases)}
    table = _table(data, filename)
    try:
        header = next(table)
    except StopIteration:
        raise SheetFileError(N_("the file is empty")) from None
    keys: dict[int, str] = {}
    for index, name in enumerate(header):
        key = names.get(_normal(name))
        if key is not None and key not in keys.values():
            keys[index] = key
    missing = [headers[key][0] for key in required if key not in keys.values()]
    if missing:
        raise SheetFileError(N_("missing columns: {columns}"), columns="、".join(missing))
    rows: list[SheetRow] = []
    for line, cells in enumerate(table, start=2):
        if line == 2 and is_notes_row(cells):
            continue
        if not any(cell_text(cell) for cell in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise SheetFileError(N_("more than {count} rows; split the file"), count=MAX_ROWS)
        rows.append(
            SheetRow(line, {key: cell_text(cells[i]) for i, key in keys.items() if i < len(cells)})
        )
    return rows

"""The resident register (居民花名册) as spreadsheets keep it: CSV or XLSX.

An export writes the headers in the reader's language (Chinese by default: 楼栋, 单元, …); an
import accepts them in either language, and the other names communities use (aliases).

Reading turns each line into checked field values or a line-numbered error; nothing here
touches the database, so the same rules serve the import and the tests.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl

from api.sheet_rows import is_notes_row
from domain.errors import DomainError, InvalidInput
from domain.i18n import LANGUAGES, N_, translate
from domain.models import ResidentTag


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the English message id of what an export writes (translated: 楼栋, …)
    aliases: tuple[str, ...]  # every other header an import accepts, Chinese ones first


COLUMNS = (
    Column("building", N_("Building"), ("楼栋", "building", "楼号", "楼")),
    Column("unit", N_("Unit"), ("单元", "unit", "单元号")),
    Column("room", N_("Room"), ("房号", "room", "房间号", "门牌号", "室")),
    Column("name", N_("Name"), ("姓名", "name")),
    Column(
        "phone", N_("Phone"), ("手机", "phone", "mobile", "手机号", "手机号码", "联系电话", "电话")
    ),
    Column(
        "id_number",
        N_("ID number"),
        ("身份证号", "id number", "身份证", "身份证号码", "公民身份号码"),
    ),
    Column(
        "birth_date",
        N_("Birth date"),
        ("出生日期", "birth date", "birthdate", "date of birth", "生日"),
    ),
    Column("tags", N_("Tags"), ("标签", "tags", "tag", "人员类别")),
    Column("party_member", N_("Party member"), ("党员", "party member", "是否党员")),
    Column("micro_grid", N_("Micro-grid"), ("微网格", "micro grid", "microgrid", "微网格名称")),
)


def header_of(column: Column, language: str) -> str:
    return translate(column.header, language)


REQUIRED = ("building", "unit", "room", "name")


TAG_LABELS = {
    ResidentTag.ELDERLY: "老人",
    ResidentTag.CHILD: "儿童",
    ResidentTag.VULNERABLE: "困难",
    ResidentTag.SPECIAL_NEEDS: "特殊",
}


_TAG_WORDS = {label: tag for tag, label in TAG_LABELS.items()} | {
    tag.value: tag for tag in ResidentTag
}


_YES = {"是", "yes", "y", "true", "1", "党员", "中共党员"}


_NO = {"否", "no", "n", "false", "0", "", "群众"}


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class RegisterFileError(DomainError):
    """The file as a whole cannot be read as a register (format, header)."""

    code = "INVALID_FILE"


@dataclass(frozen=True)
class RegisterRow:
    line: int
    cells: dict[str, Any]


@dataclass(frozen=True)
class Register:
    rows: list[RegisterRow]
    ignored_columns: list[str]


def _normal(header: object) -> str:
    text = str(header or "").replace("\ufeff", "").strip().casefold()
    return re.sub(r"[\s_\-]+", " ", text)


_HEADER_KEYS = {
    _normal(alias): column.key
    for column in COLUMNS
    for alias in (
        column.key,
        column.header,
        *(header_of(column, language) for language in LANGUAGES),
        *column.aliases,
    )
}


def read_register(path: Path) -> Register:
    """The data rows of a .csv (UTF-8, BOM or not) or .xlsx register, keyed by column."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        table = _csv_rows(path)
    elif suffix == ".xlsx":
        table = _xlsx_rows(path)
    else:
        raise RegisterFileError(N_("the register must be a .csv or .xlsx file"))
    try:
        header = next(table)
    except StopIteration:
        raise RegisterFileError(N_("the file is empty")) from None
    keys, ignored = _header_keys(header)
    rows = [
        RegisterRow(line, {key: cells[i] for i, key in keys.items() if i < len(cells)})
        for line, cells in enumerate(table, start=2)
        if any(cell_text(cell) for cell in cells) and not (line == 2 and is_notes_row(cells))
    ]
    return Register(rows, ignored)


def _csv_rows(path: Path) -> Iterator[list[Any]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            yield from csv.reader(handle)
    except UnicodeDecodeError as exc:
        raise RegisterFileError(N_("the CSV file must be saved as UTF-8")) from exc


def _xlsx_rows(path: Path) -> Iterator[list[Any]]:
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for a broken file
        raise RegisterFileError(N_("cannot read the workbook: {error}"), error=str(exc)) from exc
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield list(values)
    finally:
        workbook.close()


def _header_keys(header: list[Any]) -> tuple[dict[int, str], list[str]]:
    keys: dict[int, str] = {}
    ignored: list[str] = []
    for index, name in enumerate(header):
        key = _HEADER_KEYS.get(_normal(name))
        if key is None:
            if cell_text(name):
                ignored.append(cell_text(name))
        elif key in keys.values():
            raise RegisterFileError(
                N_("two columns mean the same thing: {column}"), column=repr(cell_text(name))
            )
        else:
            keys[index] = key
    missing = [
        f"{header_of(c, 'zh')}/{c.header}"
        for c in COLUMNS
        if c.key in REQUIRED and c.key not in keys.values()
    ]
    if missing:
        raise RegisterFileError(N_("missing columns: {columns}"), columns="、".join(missing))
    return keys, ignored


def cell_text(value: object) -> str:
    """A cell as text; spreadsheets store phone numbers as numbers, and 1.0 must read "1"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value).strip()


def _birth_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value).split(" ")[0]
    if not text:
        return None
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise InvalidInput("birthDate", N_("{text} is not a date (write 1950-03-21)"), text=repr(text))


def _tags(value: object) -> list[str]:
    words = [w for w in re.split(r"[,，、;；/\s]+", cell_text(value)) if w]
    unknown = [w for w in words if w.casefold() not in _TAG_WORDS]
    if unknown:
        raise InvalidInput(
            "tags", N_("unknown tag {tag}; use 老人、儿童、困难、特殊"), tag=repr(unknown[0])
        )
    return sorted({_TAG_WORDS[w.casefold()].value for w in words})


def _party_member(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = cell_text(value).casefold()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise InvalidInput("partyMember", N_("{text}: write 是 or 否"), text=repr(cell_text(value)))


def resident_fields(cells: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "name": cell_text(cells.get("name")),
        "phone": cell_text(cells.get("phone")) or None,
        "id_number": cell_text(cells.get("id_number")) or None,
        "birth_date": _birth_date(cells.get("birth_date")),
        "tags": _tags(cells.get("tags")),
        "party_member": _party_member(cells.get("party_member")),
    }
    if not fields["name"]:
        raise InvalidInput("name", N_("is required"))
    born, id_number = fields["birth_date"], fields["id_number"]
    if born and id_number and len(id_number) == 18 and id_number[6:14] != f"{born:%Y%m%d}":
        raise InvalidInput("birthDate", N_("does not match the date of birth in the ID number"))
    return fields


def inert(value: str) -> str:
    """Text a spreadsheet will not run as a formula (CSV injection): a name may start with =."""
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def write_register(path: Path, rows: Iterable[list[str]]) -> None:
    """Write rows as CSV (with a BOM, so Excel reads the Chinese) or XLSX, owner-only (0600)."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise RegisterFileError(N_("export to a .csv or .xlsx file"))
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    if suffix == ".csv":
        with os.fdopen(descriptor, "w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle).writerows(rows)
        return
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("居民花名册")
    for row in rows:
        sheet.append(row)
    with os.fdopen(descriptor, "wb") as binary:
        workbook.save(binary)

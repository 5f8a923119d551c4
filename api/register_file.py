"""The resident register (居民花名册) as spreadsheets keep it: CSV or XLSX.

An export writes the headers in the reader's language (Chinese by default: 楼栋, 单元, …); an
import accepts them in either language, and the other names communities use (aliases).

Reading turns each line into checked field values or a line-numbered error; nothing here
touches the database, so the same rules serve the import and the tests.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import charset_normalizer
import openpyxl

from domain.errors import DomainError
from domain.i18n import LANGUAGES, N_, translate


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
    Column("gender", N_("Gender"), ("性别", "gender", "sex")),
    Column(
        "relation_to_head",
        N_("Relation to head"),
        ("与户主关系", "relation to head", "relation", "户主", "关系", "家庭关系"),
    ),
    Column("political_status", N_("Political status"), ("政治面貌", "political status")),
)


def header_of(column: Column, language: str) -> str:
    return translate(column.header, language)


REQUIRED = ("building", "unit", "room", "name")


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class RegisterFileError(DomainError):
    """The file as a whole cannot be read as a register (format, header)."""

    code = "INVALID_FILE"


@dataclass(frozen=True)
class RegisterRow:
    line: int
    cells: dict[str, Any]
    raw: tuple[Any, ...] = ()  # the row as the file has it, for the refused rows' workbook


@dataclass(frozen=True)
class Register:
    rows: list[RegisterRow]
    ignored_columns: list[str]
    columns: list[str]  # the keys of the columns the file has: an update changes only these
    header: list[str] = field(default_factory=list)  # the file's own header, every column


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
    """The data rows of a .csv or .xlsx register on disk, keyed by column."""
    return read_register_bytes(path.read_bytes(), path.name)


def read_register_bytes(data: bytes, filename: str) -> Register:
    """The data rows of an uploaded .csv (UTF-8 with or without BOM, GBK, GB18030) or .xlsx
    register. Line numbers are the spreadsheet's: the header is line 1; a template's notes
    row on line 2 (填写说明) is skipped."""
    suffix = Path(filename).suffix.lower()
    table: Iterator[list[Any]]
    if suffix == ".csv":
        table = csv.reader(io.StringIO(decode_csv(data), newline=""))
    elif suffix == ".xlsx":
        table = _xlsx_rows(data)
    else:
        raise RegisterFileError(N_("the register must be a .csv or .xlsx file"))
    try:
        header = next(table)
    except StopIteration:
        raise RegisterFileError(N_("the file is empty")) from None
    except csv.Error as exc:
        raise RegisterFileError(N_("cannot read the CSV file: {error}"), error=str(exc)) from exc
    keys, ignored = _header_keys(list(header))
    rows: list[RegisterRow] = []
    try:
        for line, cells in enumerate(table, start=2):
            if not any(cell_text(cell) for cell in cells):
                continue
            if line == 2 and is_notes_row(cells):
                continue
            rows.append(
                RegisterRow(
                    line,
                    {key: cells[i] for i, key in keys.items() if i < len(cells)},
                    tuple(cells),
                )
            )
    except csv.Error as exc:
        raise RegisterFileError(N_("cannot read the CSV file: {error}"), error=str(exc)) from exc
    return Register(rows, ignored, list(keys.values()), [cell_text(h) for h in header])


_NOTE_WORDS = ("填写说明", "必填", "选填", "说明：", "说明:", "示例", "例：", "例:", "注：", "注:")


def is_notes_row(cells: list[Any]) -> bool:
    """A template's second line that explains the columns (必填, 示例…) rather than a person."""
    return any(word in cell_text(cell) for cell in cells for word in _NOTE_WORDS)


_CHINESE_ENCODINGS = {"gbk", "gb2312", "gb18030", "hz", "cp936"}


def decode_csv(data: bytes) -> str:
    """UTF-8 (BOM or not) if the bytes are UTF-8; else the Chinese encoding Excel saves in
    (GBK, read as GB18030, its superset). Anything else is refused rather than misread."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data).best()
    encoding = (best.encoding if best else "").replace("_", "").lower()
    if encoding in _CHINESE_ENCODINGS:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            pass
    raise RegisterFileError(
        N_("cannot tell the CSV file's encoding: save it as CSV UTF-8 or as GBK (ANSI)")
    )


def _xlsx_rows(data: bytes) -> Iterator[list[Any]]:
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
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

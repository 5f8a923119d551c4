"""Spreadsheet templates for the first day's set-up: grids, staff and the resident register.

As Chinese community systems ship them: the headers in row 1 (the names the imports read),
a second row of notes saying each column's rule (必填/选填, format, allowed values), which
every import skips, the header frozen and the columns wide enough to read.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from api.register_file import COLUMNS, REQUIRED, header_of
from api.staff_import import ROLE_CHOICES

GRID_COLUMNS = (
    ("网格", "必填。网格名称，如 第一网格；只填网格的一行建一个网格"),
    ("微网格", "选填。微网格名称，如 1号楼；填了即建在左边网格之下"),
)

STAFF_COLUMNS = (
    ("姓名", "必填。显示给别人的姓名，如 张伟"),
    ("用户名", "必填。登录名：字母、数字、. - _，如 zhangwei"),
    ("岗位", f"选填。{ROLE_CHOICES} 之一；一人多岗写多行"),
    ("网格", "选填（填岗位则必填）。网格名称；微网格写 网格/微网格"),
    ("管理员", "选填。是 或 否（默认否）"),
)

REGISTER_NOTES: dict[str, str] = {
    "building": "必填。如 1号楼",
    "unit": "必填。如 1单元",
    "room": "必填。如 101",
    "name": "必填。姓名",
    "phone": "选填。11位手机号",
    "id_number": "选填。18位身份证号，请设为文本格式",
    "birth_date": "选填。如 1950-03-21",
    "micro_grid": "选填（新地址必填）。微网格名称，重名写 网格/微网格",
}
"""Notes by register column key; a column another change adds gets an empty note."""

SHEET_TITLES = {"grid": "网格", "staff": "工作人员与岗位", "register": "居民花名册"}


def register_columns() -> list[tuple[str, str]]:
    return [
        (
            header_of(column, "zh"),
            REGISTER_NOTES.get(column.key, "必填" if column.key in REQUIRED else "选填"),
        )
        for column in COLUMNS
    ]


def template_columns(kind: str) -> list[tuple[str, str]]:
    if kind == "grid":
        return list(GRID_COLUMNS)
    if kind == "staff":
        return list(STAFF_COLUMNS)
    if kind == "register":
        return register_columns()
    raise KeyError(kind)


def template_xlsx(kind: str) -> bytes:
    """The template ``kind`` (grid, staff, register) as an XLSX file's bytes."""
    columns = template_columns(kind)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET_TITLES[kind]
    sheet.append([header for header, _ in columns])
    sheet.append([note for _, note in columns])
    bold = Font(bold=True)
    grey = Font(color="595959", size=9)
    fill = PatternFill("solid", fgColor="F2F2F2")
    for index, (header, note) in enumerate(columns, start=1):
        sheet.cell(1, index).font = bold
        cell = sheet.cell(2, index)
        cell.font = grey
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        width = max(len(header) * 2 + 4, min(len(note) + 4, 36))
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.row_dimensions[2].height = 45
    sheet.freeze_panes = "A3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

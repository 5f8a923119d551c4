"""The refused rows of an import, as a workbook the operator fixes and imports again.

It keeps the file's own header and cells, with one more column (错误原因, the reason in the
reader's language), so fixing a row is editing it where it is. Every cell is written as text
(format 文本): an ID number must not turn into a number again on the way back.
"""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
from openpyxl.cell import WriteOnlyCell

from api.register_file import Register, cell_text, inert
from api.register_import import ImportReport
from api.register_plan import row_reason
from domain.i18n import N_, translate

REASON_HEADER = N_("Reason refused")


def refused_workbook(register: Register, report: ImportReport, language: str) -> bytes:
    """An .xlsx of the refused rows, in file order: the original columns and the reason."""
    raw = {row.line: row.raw for row in register.rows}
    width = len(register.header)
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(translate(N_("refused rows"), language))

    def text_row(values: list[str]) -> list[WriteOnlyCell]:
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=inert(value))
            cell.number_format = "@"
            cells.append(cell)
        return cells

    sheet.append(text_row([*register.header, translate(REASON_HEADER, language)]))
    for row in report.refused:
        original = list(raw.get(row.line, ()))[:width]
        original += [""] * (width - len(original))
        values = [_text(value) for value in original]
        reason = row_reason(row.error, language) if row.error else ""
        sheet.append(text_row([*values, reason]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text(value: object) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return cell_text(value)

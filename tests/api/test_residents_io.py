"""Importing and exporting the resident register: line-numbered errors, all-or-nothing, PIPL."""

from __future__ import annotations

import csv
import stat
import uuid
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from api.register_file import RegisterFileError, read_register
from api.register_plan import RowPlan
from api.residents_io import export_register, export_residents, import_residents
from domain.credentials import use_fast_password_hashing
from domain.database import Database
from domain.errors import NotFound, PermissionDenied
from domain.models import AccountKind, Household, PersonalDataAccess, Resident
from domain.personal_data import PersonalDataCipher, id_number_check_digit
from domain.principal import Principal
from domain.services import accounts, grids, households

CIPHER = PersonalDataCipher("test-pii-key-0123456789-abcdefghijklmnop")
HEADER = ["楼栋", "单元", "房号", "姓名", "手机", "身份证号", "出生日期", "标签", "党员", "微网格"]


@pytest.fixture(autouse=True)
def _fast_hashing() -> None:
    use_fast_password_hashing()


def id_number(born: str, serial: int, region: str = "120104") -> str:
    first17 = f"{region}{born}{serial:03d}"
    return first17 + id_number_check_digit(first17)


WANG = id_number("19500321", 11)
LI = id_number("19520704", 22)
ZHAO = id_number("20180102", 33)


def good_rows() -> list[list[str]]:
    return [
        [
            "1号楼",
            "1单元",
            "101",
            "王建国",
            "13812345678",
            WANG,
            "",
            "高龄老人、困难家庭",
            "是",
            "1号楼1单元",
        ],
        ["1号楼", "1单元", "101", "李秀英", "", LI, "1952-07-04", "高龄老人", "否", "1号楼1单元"],
        ["1号楼", "2单元", "502", "赵小雨", "", ZHAO.lower(), "", "儿童", "", "1号楼2单元"],
    ]


def write_csv(path: Path, rows: Sequence[Sequence[object]], *, bom: bool = True) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        csv.writer(handle).writerows([HEADER, *rows])
    return path


async def setup_community(db: Database) -> Principal:
    """A community with an admin and one grid of two stairwells (micro-grids)."""
    async with db.transaction() as session:
        community = await accounts.create_community(session, "浩宇苑社区")
        admin = await accounts.create_staff_account(
            session,
            community.id,
            username="admin",
            password="admin-password",
            display_name="书记",
            admin=True,
        )
        principal = Principal(account_id=admin.id, community_id=community.id, kind=admin.kind)
        grid = await grids.create_grid(session, principal, name="第一网格", parent_id=None)
        for name in ("1号楼1单元", "1号楼2单元"):
            await grids.create_grid(session, principal, name=name, parent_id=grid.id)
    return principal


def message(row: RowPlan) -> str:
    assert row.error is not None
    return row.error.message


async def count(db: Database, model: type[Household] | type[Resident]) -> int:
    async with db.read() as session:
        return int(await session.scalar(select(func.count(model.id))) or 0)


async def test_good_csv_imports_every_row_and_shares_households(
    database: Database, tmp_path: Path
) -> None:
    await setup_community(database)
    calls: list[tuple[int, int]] = []
    report = await import_residents(
        database,
        CIPHER,
        write_csv(tmp_path / "register.csv", good_rows()),
        progress=lambda done, total: calls.append((done, total)),
    )
    assert report.counts() == {"create": 3, "update": 0, "unchanged": 0, "refused": 0}
    assert report.applied and report.households_created == 2
    assert calls == [(3, 3), (3, 3)]  # the plan's rows, then the rows written
    async with database.read() as session:
        people = {r.name: r for r in await session.scalars(select(Resident))}
    wang = people["王建国"]
    assert wang.household_id == people["李秀英"].household_id
    assert wang.birth_date == date(1950, 3, 21)  # from the ID number
    assert wang.tags == ["困难家庭", "高龄老人"] and wang.party_member
    assert wang.id_number_cipher and CIPHER.decrypt(wang.id_number_cipher) == WANG
    assert wang.id_number_hash == CIPHER.lookup_hash(WANG)
    assert wang.id_number_masked == f"{WANG[:6]}********{WANG[-4:]}"
    assert people["赵小雨"].tags == ["儿童"] and not people["赵小雨"].party_member
    assert CIPHER.decrypt(people["赵小雨"].id_number_cipher or "") == ZHAO  # upper-cased


async def test_good_xlsx_with_english_headers_and_typed_cells(
    database: Database, tmp_path: Path
) -> None:
    await setup_community(database)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Building", "Unit", "Room", "Name", "Phone", "ID number", "Birth date",
                  "Tags", "Party member", "Micro-grid", "备注"])  # fmt: skip
    born = datetime(1950, 3, 21)
    sheet.append(["1号楼", "2单元", 301, "王建国", 13812345678, WANG,
                  born, "高龄老人, 残疾人", True, "1号楼2单元", "x"])  # fmt: skip
    sheet.append([None] * 11)  # a blank row counts as a line but is no resident
    sheet.append(["1号楼", "2单元", 301, "李秀英", None, LI, None, None, "no", None, None])
    path = tmp_path / "register.xlsx"
    workbook.save(path)

    report = await import_residents(database, CIPHER, path)

    assert (report.counts()["create"], report.households_created, report.refused) == (2, 1, [])
    assert report.ignored_columns == ["备注"]
    async with database.read() as session:
        wang = await session.scalar(select(Resident).where(Resident.name == "王建国"))
        household = await session.scalar(select(Household))
    assert wang is not None and household is not None
    assert (wang.phone, wang.birth_date, wang.party_member) == (
        "13812345678",
        date(1950, 3, 21),
        True,
    )
    assert wang.tags == ["残疾人", "高龄老人"]
    assert (household.building, household.unit, household.room) == ("1号楼", "2单元", "301")


async def test_existing_address_is_reused(database: Database, tmp_path: Path) -> None:
    principal = await setup_community(database)
    async with database.transaction() as session:
        micro = next(
            g for g in await grids.community_grids(session, principal.community_id)
            if g.name == "1号楼1单元"
        )  # fmt: skip
        existing = await households.create_household(
            session, principal, grid_id=micro.id, building="1号楼", unit="1单元", room="101"
        )
    report = await import_residents(database, CIPHER, write_csv(tmp_path / "r.csv", good_rows()))
    assert (report.counts()["create"], report.households_created) == (3, 1)
    async with database.read() as session:
        wang = await session.scalar(select(Resident).where(Resident.name == "王建国"))
    assert wang is not None and wang.household_id == existing.id


def bad_file(tmp_path: Path) -> Path:
    """Good rows on lines 2 and 9; a blank line 3; five kinds of bad row on lines 4-8."""
    wrong_check = WANG[:17] + ("0" if WANG[17] != "0" else "1")
    rows: list[list[str]] = [
        good_rows()[0],
        [],
        ["1号楼", "1单元", "102", "张三", "", wrong_check, "", "", "", "1号楼1单元"],
        ["1号楼", "1单元", "103", "张四", "12345", "", "", "", "", "1号楼1单元"],
        ["1号楼", "1单元", "104", "", "13900001111", "", "", "", "", "1号楼1单元"],
        ["9号楼", "1单元", "101", "张五", "", "", "", "", "", "9号楼1单元"],
        ["1号楼", "2单元", "201", "冒名", "", WANG, "", "", "", "1号楼2单元"],
        good_rows()[2],
    ]
    return write_csv(tmp_path / "bad.csv", rows, bom=False)


BAD_LINES = {
    4: "idNumber",
    5: "phone",
    6: "name",
    7: "micro-grid named '9号楼1单元'",
    8: "same ID number as line 2",
}


def assert_bad_lines_reported(errors: list[tuple[int, str]]) -> None:
    assert [line for line, _ in errors] == sorted(BAD_LINES)
    for line, message in errors:
        assert BAD_LINES[line] in message, (line, message)


async def test_bad_rows_are_all_reported_by_line_and_nothing_is_imported(
    database: Database, tmp_path: Path
) -> None:
    await setup_community(database)
    report = await import_residents(database, CIPHER, bad_file(tmp_path))
    assert not report.applied and len(report.rows) == 7
    assert_bad_lines_reported([(e.line, message(e)) for e in report.refused])
    assert await count(database, Resident) == 0
    assert await count(database, Household) == 0


async def test_skip_bad_imports_only_the_good_rows(database: Database, tmp_path: Path) -> None:
    await setup_community(database)
    report = await import_residents(database, CIPHER, bad_file(tmp_path), skip_refused=True)
    assert report.applied
    assert_bad_lines_reported([(e.line, message(e)) for e in report.refused])
    assert (report.counts()["create"], report.households_created) == (2, 2)
    async with database.read() as session:
        names = set(await session.scalars(select(Resident.name)))
    assert names == {"王建国", "赵小雨"}
    assert await count(database, Household) == 2  # the bad rows' households rolled back too


async def test_birth_date_must_agree_with_the_id_number(database: Database, tmp_path: Path) -> None:
    await setup_community(database)
    row = good_rows()[0]
    row[6] = "1951-03-21"
    report = await import_residents(database, CIPHER, write_csv(tmp_path / "r.csv", [row]))
    assert [(e.line, message(e).split(":")[0]) for e in report.refused] == [(2, "birthDate")]


@pytest.mark.parametrize(
    ("header", "problem"),
    [(["姓名", "单元", "房号"], "missing columns: 楼栋"), (["楼栋", "楼号"], "mean the same")],
)
def test_header_problems_reject_the_file(tmp_path: Path, header: list[str], problem: str) -> None:
    path = tmp_path / "r.csv"
    path.write_text(",".join(header) + "\n", encoding="utf-8")
    with pytest.raises(RegisterFileError, match=problem):
        read_register(path)


def test_only_csv_and_xlsx_are_read(tmp_path: Path) -> None:
    path = tmp_path / "r.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(RegisterFileError, match=r"\.csv or \.xlsx"):
        read_register(path)


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


async def audit_details(db: Database) -> list[tuple[str, str]]:
    async with db.read() as session:
        rows = await session.execute(
            select(PersonalDataAccess.purpose, PersonalDataAccess.detail).order_by(
                PersonalDataAccess.created_at
            )
        )
        return [(purpose, detail) for purpose, detail in rows]


async def test_export_is_masked_by_default_and_logged(database: Database, tmp_path: Path) -> None:
    await setup_community(database)
    await import_residents(database, CIPHER, write_csv(tmp_path / "in.csv", good_rows()))

    exports = tmp_path / "exports"
    exports.mkdir()
    masked_path = exports / "masked.csv"
    assert await export_residents(database, CIPHER, masked_path) == 3
    masked = read_csv(masked_path)
    assert masked[0] == [*HEADER, "性别", "与户主关系", "政治面貌"]
    wang = next(row for row in masked if row[3] == "王建国")
    assert wang[4] == "138****5678"
    assert wang[5] == f"{WANG[:6]}********{WANG[-4:]}"
    assert wang[6] == "1950"  # the masked ID hides the birth date; so does the export
    assert wang[7:] == ["困难家庭、高龄老人", "是", "1号楼1单元", "", "", ""]
    assert WANG not in masked_path.read_text(encoding="utf-8-sig")
    assert stat.S_IMODE(masked_path.stat().st_mode) == 0o600

    full_path = exports / "full.xlsx"
    assert await export_residents(database, CIPHER, full_path, unmasked=True) == 3
    sheet = openpyxl.load_workbook(full_path).worksheets[0]
    full = [[str(v or "") for v in row] for row in sheet.iter_rows(values_only=True)]
    wang = next(row for row in full if row[3] == "王建国")
    assert wang[4:7] == ["13812345678", WANG, "1950-03-21"]

    assert await audit_details(database) == [
        ("export", "3 residents, masked"),
        ("export", "3 residents, unmasked"),
    ]
    assert sorted(p.name for p in exports.glob("*")) == ["full.xlsx", "masked.csv"]


async def test_unmasked_export_reads_back_as_the_same_register(
    database: Database, tmp_path: Path
) -> None:
    await setup_community(database)
    await import_residents(database, CIPHER, write_csv(tmp_path / "in.csv", good_rows()))
    out = tmp_path / "out.csv"
    await export_residents(database, CIPHER, out, unmasked=True)
    names_and_ids = {(row.cells["name"], row.cells["id_number"]) for row in read_register(out).rows}
    assert names_and_ids == {("王建国", WANG), ("李秀英", LI), ("赵小雨", ZHAO)}


async def test_export_defuses_spreadsheet_formulas(database: Database, tmp_path: Path) -> None:
    await setup_community(database)
    row = good_rows()[2]
    row[3] = '=HYPERLINK("http://evil.example","点我")'
    await import_residents(database, CIPHER, write_csv(tmp_path / "in.csv", [row]))
    out = tmp_path / "out.xlsx"
    await export_residents(database, CIPHER, out)
    sheet = openpyxl.load_workbook(out).worksheets[0]
    cell = sheet.cell(row=2, column=4)
    assert cell.data_type == "s" and str(cell.value).startswith("'=")


async def test_only_an_admin_may_export(database: Database) -> None:
    admin = await setup_community(database)
    staff = Principal(
        account_id=admin.account_id, community_id=admin.community_id, kind=AccountKind.STAFF
    )
    async with database.transaction() as session:
        with pytest.raises(PermissionDenied):
            await export_register(session, staff, CIPHER, unmasked=False)
    assert await audit_details(database) == []


async def test_unknown_community_is_refused(database: Database, tmp_path: Path) -> None:
    await setup_community(database)
    path = write_csv(tmp_path / "in.csv", good_rows())
    with pytest.raises(NotFound, match="no community"):
        await import_residents(database, CIPHER, path, community=f"nowhere-{uuid.uuid4()}")


async def test_export_lists_rooms_in_building_order(database: Database, tmp_path: Path) -> None:
    await setup_community(database)
    rows = [
        ["1号楼", "1单元", room, f"住户{room}", "", "", "", "", "", "1号楼1单元"]
        for room in ("1001", "101", "99")
    ]
    await import_residents(database, CIPHER, write_csv(tmp_path / "in.csv", rows))
    out = tmp_path / "out.csv"
    await export_residents(database, CIPHER, out)
    assert [row[2] for row in read_csv(out)[1:]] == ["99", "101", "1001"]

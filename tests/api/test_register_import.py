"""Importing a register with updates: the preview's outcomes, matching, Excel's mangled ID
numbers, encodings, the refused rows' workbook and 20,000 rows in a few statements."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select

from api.register_file import RegisterFileError, read_register_bytes
from api.register_import import RegisterRejected, import_register
from api.register_refused import refused_workbook
from domain.database import Database
from domain.errors import Conflict, InvalidInput
from domain.models import Gender, Relation, Resident
from domain.principal import Principal
from domain.services import resident_tags
from tests.api.test_residents_io import CIPHER, LI, WANG, ZHAO, id_number, setup_community
from tests.schema.test_statement_count import counting_statements

HEADER = ["楼栋", "单元", "房号", "姓名", "性别", "与户主关系", "身份证号", "政治面貌", "标签",
          "微网格", "手机"]  # fmt: skip


def csv_bytes(rows: list[list[Any]], encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, *rows])
    return out.getvalue().encode(encoding)


def row(name: str, room: str = "101", *, id_no: str = "", **cells: str) -> list[str]:
    values = {"性别": "", "与户主关系": "", "政治面貌": "", "标签": "", "手机": ""} | cells
    return ["1号楼", "1单元", room, name, values["性别"], values["与户主关系"], id_no,
            values["政治面貌"], values["标签"], "1号楼1单元", values["手机"]]  # fmt: skip


async def run(
    db: Database, admin: Principal, data: bytes, *, apply: bool, skip: bool = False,
    name: str = "r.csv",
) -> Any:  # fmt: skip
    register = read_register_bytes(data, name)
    try:
        async with db.transaction() as session:
            return await import_register(
                session, admin, CIPHER, register, apply=apply, skip_refused=skip
            )
    except RegisterRejected as rejected:  # rolled back
        return rejected.report


def outcomes(report: Any) -> list[tuple[int, str]]:
    return [(r.line, r.outcome.value) for r in report.rows]


async def test_preview_then_apply_creates_updates_and_leaves_the_unchanged(
    database: Database,
) -> None:
    admin = await setup_community(database)
    first = csv_bytes([
        row("王建国", id_no=WANG, 性别="男", 与户主关系="户主", 政治面貌="中共党员",
            标签="高龄老人"),
        row("李秀英", id_no=LI, 性别="女", 与户主关系="配偶", 政治面貌="群众"),
        row("赵小雨", "102", 性别="女", 与户主关系="本人"),  # no ID number
    ])  # fmt: skip
    preview = await run(database, admin, first, apply=False)
    assert outcomes(preview) == [(2, "create"), (3, "create"), (4, "create")]
    async with database.read() as session:
        assert list(await session.scalars(select(Resident))) == []  # a preview writes nothing

    applied = await run(database, admin, first, apply=True)
    assert applied.applied and applied.households_created == 2
    async with database.read() as session:
        people = {r.name: r for r in await session.scalars(select(Resident))}
    wang = people["王建国"]
    assert (wang.gender, wang.relation_to_head, wang.party_member) == (
        Gender.MALE, Relation.HEAD, True
    )  # fmt: skip
    assert (wang.political_status, wang.tags) == ("中共党员", ["高龄老人"])
    assert people["李秀英"].party_member is False and people["李秀英"].gender is Gender.FEMALE
    assert people["赵小雨"].relation_to_head is Relation.HEAD

    # Again, with one change: nobody is created twice, with or without an ID number.
    second = csv_bytes([
        row("王建国", id_no=WANG, 性别="男", 与户主关系="户主", 政治面貌="中共党员",
            标签="高龄老人、独居老人", 手机="13812345678"),
        row("李秀英", id_no=LI, 性别="女", 与户主关系="配偶", 政治面貌="群众"),
        row("赵小雨", "102", 性别="女", 与户主关系="本人"),
    ])  # fmt: skip
    again = await run(database, admin, second, apply=False)
    assert outcomes(again) == [(2, "update"), (3, "unchanged"), (4, "unchanged")]
    changes = {c.field: (c.old, c.new) for c in again.rows[0].changes}
    assert changes == {"phone": ("", "138****5678"), "tags": ("高龄老人", "独居老人、高龄老人")}
    await run(database, admin, second, apply=True)
    async with database.read() as session:
        wang = await session.scalar(select(Resident).where(Resident.name == "王建国"))
        total = len(list(await session.scalars(select(Resident.id))))
    assert wang is not None and wang.phone == "13812345678" and total == 3


async def test_a_resident_found_by_id_number_moves_to_the_rows_address(
    database: Database,
) -> None:
    admin = await setup_community(database)
    await run(database, admin, csv_bytes([row("王建国", id_no=WANG)]), apply=True)
    moved = await run(database, admin, csv_bytes([row("王建国", "303", id_no=WANG)]), apply=True)
    assert outcomes(moved) == [(2, "update")]
    assert [(c.field, c.old, c.new) for c in moved.rows[0].changes] == [
        ("household_id", "1号楼-1单元-101", "1号楼-1单元-303")
    ]
    async with database.read() as session:
        assert len(list(await session.scalars(select(Resident.id)))) == 1


async def test_refusals_name_the_problem_and_apply_is_all_or_nothing(
    database: Database,
) -> None:
    admin = await setup_community(database)
    data = csv_bytes([
        row("王建国", id_no=WANG, 与户主关系="户主"),
        row("李秀英", id_no=LI, 与户主关系="户主"),  # a second head
        row("张三", "102", id_no="1.20104E+17"),  # Excel's scientific notation
        row("张四", "103", id_no="120104198001010000"),  # Excel kept 15 digits
        row("张五", "104", 标签="外星人"),
        row("张六", "105", id_no=WANG),  # the same person twice in the file
        row("赵小雨", "106", id_no=ZHAO, 性别="中性"),
    ])  # fmt: skip
    report = await run(database, admin, data, apply=True)
    assert not report.applied
    refused = {r.line: r.error for r in report.refused}
    assert sorted(refused) == [3, 4, 5, 6, 7, 8]
    assert isinstance(refused[3], Conflict) and "王建国" in refused[3].render("zh")
    assert "文本" in refused[4].render("zh") and "1.20104E+17" in refused[4].render("zh")
    assert "文本" in refused[5].render("zh")
    assert refused[6].render("zh") == (
        "tags：未知标签“外星人”；本社区的标签有：独居老人、高龄老人、空巢老人、残疾人、低保户、"
        "困难家庭、退役军人、儿童、孕产妇、重点关注"
    )
    assert "第 2 行" in refused[7].render("zh")
    async with database.read() as session:
        assert list(await session.scalars(select(Resident))) == []

    skipped = await run(database, admin, data, apply=True, skip=True)
    assert skipped.applied and skipped.counts()["create"] == 1
    workbook = openpyxl.load_workbook(
        io.BytesIO(refused_workbook(read_register_bytes(data, "r.csv"), skipped, "zh"))
    )
    sheet = workbook.worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == [*HEADER, "错误原因"]
    assert [r[3] for r in rows[1:]] == ["李秀英", "张三", "张四", "张五", "张六", "赵小雨"]
    assert rows[2][6] == "1.20104E+17" and sheet.cell(row=3, column=7).number_format == "@"


async def test_a_numeric_xlsx_id_cell_is_refused(database: Database) -> None:
    admin = await setup_community(database)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append(["说明：必填", "必填", "必填", "必填", "", "", "18 位，文本格式", "", "", "", ""])
    sheet.append(["1号楼", "1单元", 101, "王建国", "男", "户主", 120104195003210000, "", "",
                  "1号楼1单元", 13812345678])  # fmt: skip
    out = io.BytesIO()
    workbook.save(out)
    report = await run(database, admin, out.getvalue(), apply=False, name="r.xlsx")
    assert outcomes(report) == [(3, "refused")]  # the notes row on line 2 is no person
    assert isinstance(report.rows[0].error, InvalidInput)
    assert "120104195003210000" in report.rows[0].error.render("zh")


def test_gbk_and_gb18030_files_are_read_and_undecidable_bytes_refused() -> None:
    rows = [row("王建国", id_no=WANG, 性别="男")]
    for encoding in ("gbk", "gb18030", "utf-8", "utf-8-sig"):
        register = read_register_bytes(csv_bytes(rows, encoding), "r.csv")
        assert register.rows[0].cells["name"] == "王建国", encoding
    with pytest.raises(RegisterFileError, match="encoding"):
        read_register_bytes(bytes(range(128, 256)) * 40, "r.csv")


async def test_preview_of_20000_rows_costs_a_bounded_number_of_statements(
    database: Database, dialect: str
) -> None:
    if dialect != "sqlite":
        pytest.skip("the size test runs once, on SQLite")
    admin = await setup_community(database)
    await run(database, admin, csv_bytes([row("王建国", id_no=WANG)]), apply=True)
    rows = [
        row(
            f"居民{n}",
            str(1000 + n // 3),
            id_no=id_number("19800101", n % 1000, f"{110000 + n // 1000}"),
        )
        for n in range(20_000)
    ]
    data = csv_bytes([row("王建国", id_no=WANG, 手机="13812345678"), *rows])
    register = read_register_bytes(data, "big.csv")
    started = time.perf_counter()
    with counting_statements(database) as statements:
        async with database.read() as session:
            report = await import_register(session, admin, CIPHER, register, apply=False)
    elapsed = time.perf_counter() - started
    print(f"preview of {len(register.rows)} rows: {elapsed:.1f} s, {len(statements)} statements")
    counts = report.counts()
    assert counts["create"] == 20_000 and counts["update"] == 1, counts
    assert len(statements) < 120  # a few per 500 rows, not one per row


async def test_the_tag_vocabulary_is_the_admins(database: Database) -> None:
    admin = await setup_community(database)
    await run(database, admin, csv_bytes([row("王建国", id_no=WANG, 标签="低保户")]), apply=True)
    async with database.transaction() as session:
        with pytest.raises(Conflict, match="1 residents are tagged 低保户"):
            await resident_tags.set_resident_tags(session, admin, ["儿童"])
    async with database.transaction() as session:
        words = await resident_tags.rename_resident_tag(session, admin, "低保户", "低保")
        assert "低保" in words and "低保户" not in words
    async with database.transaction() as session:
        assert await resident_tags.set_resident_tags(session, admin, ["低保", "独居"]) == [
            "低保",
            "独居",
        ]
        with pytest.raises(InvalidInput, match="listed twice"):
            await resident_tags.set_resident_tags(session, admin, ["低保", "低保"])
    async with database.read() as session:
        wang = await session.scalar(select(Resident))
    assert wang is not None and wang.tags == ["低保"]


def test_a_path_reads_like_bytes(tmp_path: Path) -> None:
    from api.register_file import read_register

    path = tmp_path / "r.csv"
    path.write_bytes(csv_bytes([row("王建国")], "gbk"))
    assert read_register(path).rows[0].cells["name"] == "王建国"

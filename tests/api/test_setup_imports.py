"""The first day's set-up files: grids and staff from CSV/XLSX, templates, CLI and HTTP."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import openpyxl
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from api import cli
from api.grid_import import import_grids
from api.import_templates import template_xlsx
from api.register_file import read_register
from api.staff_import import import_staff
from domain.credentials import use_fast_password_hashing, verify_password
from domain.database import Database
from domain.errors import PermissionDenied
from domain.models import Account, AccountKind, Grid, GridLevel, GridPost, PostRole
from domain.principal import Principal
from domain.services import accounts
from tests.api_client import api_for

PASSWORD = "staff-password-123"


@pytest.fixture(autouse=True)
def _fast_hashing() -> None:
    use_fast_password_hashing()


async def community(db: Database) -> Principal:
    """An empty community with its admin and one staff account with no post."""
    async with db.transaction() as session:
        made = await accounts.create_community(session, "浩宇苑社区")
        admin = await accounts.create_staff_account(
            session, made.id, username="admin", password=PASSWORD, display_name="书记", admin=True
        )
        await accounts.create_staff_account(
            session, made.id, username="clerk", password=PASSWORD, display_name="办事员"
        )
    return Principal(account_id=admin.id, community_id=made.id, kind=AccountKind.ADMIN)


def xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8-sig") -> bytes:
    return "\r\n".join(",".join(row) for row in rows).encode(encoding)


GRIDS = [
    ["网格", "微网格"],
    ["第一网格", ""],
    ["第一网格", "1号楼"],
    ["第一网格", "2号楼"],
    ["第二网格", "3号楼"],
]
STAFF = [
    ["姓名", "用户名", "岗位", "网格", "管理员"],
    ["张伟", "zhangwei", "网格长", "第一网格", "否"],
    ["张伟", "zhangwei", "包联社区干部", "第二网格", ""],
    ["李娜", "Lina", "红色微网格员", "第一网格/1号楼", ""],
    ["物业公司", "wuye", "", "", ""],
]


async def grid_names(db: Database) -> set[tuple[str, str]]:
    async with db.read() as session:
        grids = list(await session.scalars(select(Grid).where(Grid.deleted.is_(False))))
    names = {grid.id: grid.name for grid in grids}
    return {(names.get(g.parent_id, "") if g.parent_id else "", g.name) for g in grids}


async def count(db: Database, model: type[GridPost] | type[Account]) -> int:
    async with db.read() as session:
        return int(await session.scalar(select(func.count(model.id))) or 0)


async def test_grids_dry_run_then_apply_then_again_changes_nothing(database: Database) -> None:
    admin = await community(database)
    data = xlsx(GRIDS)
    preview = await import_grids(database, data, "grids.xlsx", dry_run=True, principal=admin)
    assert not preview.applied and await grid_names(database) == set()
    assert [r.outcome.value for r in preview.rows] == ["create"] * 4
    assert [r.line for r in preview.rows] == [2, 3, 4, 5]
    done = await import_grids(database, data, "grids.xlsx", dry_run=False, principal=admin)
    assert done.applied and done.counts() == {"create": 4, "unchanged": 0, "refused": 0}
    assert await grid_names(database) == {
        ("", "第一网格"), ("第一网格", "1号楼"), ("第一网格", "2号楼"), ("", "第二网格"),
        ("第二网格", "3号楼"),
    }  # fmt: skip
    async with database.read() as session:
        micro = await session.scalar(select(Grid).where(Grid.name == "3号楼"))
    assert micro is not None and micro.level is GridLevel.MICRO_GRID
    again = await import_grids(database, data, "grids.xlsx", dry_run=False, principal=admin)
    assert again.counts() == {"create": 0, "unchanged": 4, "refused": 0}
    assert len(await grid_names(database)) == 5


async def test_a_bad_grid_row_refuses_the_whole_file_with_line_and_chinese_reason(
    database: Database,
) -> None:
    admin = await community(database)
    rows = [["网格", "微网格"], ["第一网格", "1号楼"], ["", "2号楼"], ["第二网格", "x" * 101]]
    result = await import_grids(database, xlsx(rows), "g.xlsx", dry_run=False, principal=admin)
    assert not result.applied and await grid_names(database) == set()
    refused = [(r.line, r.as_json("zh")["reason"]) for r in result.refused]
    assert [line for line, _ in refused] == [3, 4]
    assert refused[0][1] == "网格：必须填写"
    assert all(reason and "name" not in reason for _, reason in refused[:1])


async def test_gbk_csv_and_template_notes_row(database: Database) -> None:
    admin = await community(database)
    gbk = csv_bytes([["网格", "微网格"], ["第一网格", "1号楼"]], "gbk")
    assert gbk.decode("gbk") and not gbk.startswith(b"\xef\xbb\xbf")
    result = await import_grids(database, gbk, "g.csv", dry_run=False, principal=admin)
    assert result.applied and await grid_names(database) == {
        ("", "第一网格"),
        ("第一网格", "1号楼"),
    }
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx("grid")))
    sheet = book.active
    assert sheet is not None and sheet.freeze_panes == "A3"
    assert [c.value for c in sheet[1]] == ["网格", "微网格"]
    assert str(sheet["A2"].value).startswith("必填")
    sheet.append(["第三网格", "5号楼"])
    out = io.BytesIO()
    book.save(out)
    from_template = await import_grids(
        database, out.getvalue(), "t.xlsx", dry_run=True, principal=admin
    )
    assert [(r.line, r.outcome.value) for r in from_template.rows] == [(3, "create")]


def test_the_register_template_notes_row_is_skipped(tmp_path: Path) -> None:
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx("register")))
    sheet = book.active
    assert sheet is not None and sheet["A1"].value == "楼栋" and sheet["A2"].value
    sheet.append(["1号楼", "1单元", "101", "王建国"])
    path = tmp_path / "register.xlsx"
    book.save(path)
    rows = read_register(path).rows
    assert [(row.line, row.cells["name"]) for row in rows] == [(3, "王建国")]


async def test_staff_import_makes_accounts_posts_and_passwords_once(database: Database) -> None:
    admin = await community(database)
    await import_grids(database, xlsx(GRIDS), "g.xlsx", dry_run=False, principal=admin)
    data = xlsx(STAFF)
    accounts_before = await count(database, Account)
    preview = await import_staff(database, data, "s.xlsx", dry_run=True, principal=admin)
    assert [r.outcome.value for r in preview.rows] == ["create"] * 4 and preview.accounts == []
    assert (
        await count(database, Account) == accounts_before and await count(database, GridPost) == 0
    )
    done = await import_staff(database, data, "s.xlsx", dry_run=False, principal=admin)
    assert done.applied
    passwords = {a.username: a.initial_password for a in done.accounts}
    assert sorted(passwords) == ["lina", "wuye", "zhangwei"]
    async with database.read() as session:
        zhang = await session.scalar(select(Account).where(Account.username == "zhangwei"))
        assert zhang is not None and zhang.kind is AccountKind.STAFF
        assert zhang.password_hash != passwords["zhangwei"]
        assert verify_password(zhang.password_hash, passwords["zhangwei"])
        roles = set(
            await session.scalars(select(GridPost.role).where(GridPost.account_id == zhang.id))
        )
    assert roles == {PostRole.GRID_CHIEF, PostRole.CADRE}
    assert await count(database, GridPost) == 3
    again = await import_staff(database, data, "s.xlsx", dry_run=False, principal=admin)
    assert again.counts()["unchanged"] == 4 and again.accounts == []
    assert await count(database, GridPost) == 3


async def test_bad_staff_rows_are_refused_with_their_lines(database: Database) -> None:
    admin = await community(database)
    await import_grids(database, xlsx(GRIDS), "g.xlsx", dry_run=False, principal=admin)
    rows = [
        STAFF[0],
        ["张伟", "zhangwei", "网格长", "第一网格", ""],
        ["王五", "wangwu", "队长", "第一网格", ""],
        ["赵六", "zhaoliu", "红色微网格员", "第一网格", ""],
        ["钱七", "qianqi", "网格员", "不存在", ""],
        ["孙八", "孙八", "", "", ""],
        ["周九", "zhoujiu", "网格员", "第一网格", "也许"],
    ]
    result = await import_staff(database, xlsx(rows), "s.xlsx", dry_run=False, principal=admin)
    assert not result.applied and result.accounts == []
    reasons = {r.line: r.as_json("zh")["reason"] for r in result.refused}
    assert sorted(reasons) == [3, 4, 5, 6, 7]
    assert "队长" in reasons[3] and "网格长" in reasons[3]
    assert "微网格" in reasons[4]
    assert "不存在" in reasons[5]
    assert reasons[6].startswith("用户名：") and "字母" in reasons[6]
    assert "是" in reasons[7]
    assert await count(database, GridPost) == 0
    async with database.read() as session:
        assert await session.scalar(select(Account).where(Account.username == "zhangwei")) is None


async def test_non_admin_is_refused(database: Database) -> None:
    admin = await community(database)
    staff = Principal(
        account_id=admin.account_id, community_id=admin.community_id, kind=AccountKind.STAFF
    )
    with pytest.raises(PermissionDenied):
        await import_grids(database, xlsx(GRIDS), "g.xlsx", dry_run=False, principal=staff)
    with pytest.raises(PermissionDenied):
        await import_staff(database, xlsx(STAFF), "s.xlsx", dry_run=True, principal=staff)
    assert await grid_names(database) == set()


def test_cli_imports_grids_and_staff_and_writes_templates(
    tmp_path: Path, database_url: str
) -> None:
    env = {"CHANGLANG_DATA_DIR": str(tmp_path / "data"), "CHANGLANG_DATABASE_URL": database_url}
    runner = CliRunner()
    made = runner.invoke(
        cli.app,
        [
            "create-admin",
            "--username",
            "admin",
            "--display-name",
            "书记",
            "--community",
            "浩宇苑社区",
        ],
        env=env,
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert made.exit_code == 0, made.output
    template = tmp_path / "grid.xlsx"
    wrote = runner.invoke(cli.app, ["template", "grid", str(template)], env=env)
    assert wrote.exit_code == 0 and template.exists()
    assert runner.invoke(cli.app, ["template", "nonsense", str(template)], env=env).exit_code == 1
    grids = tmp_path / "grids.csv"
    grids.write_bytes(csv_bytes([["网格", "微网格"], ["第一网格", "1号楼"]], "gb18030"))
    dry = runner.invoke(cli.app, ["import-grid", str(grids), "--dry-run"], env=env)
    assert dry.exit_code == 0 and "新建网格" in dry.output and "没有改动" in dry.output, dry.output
    assert runner.invoke(cli.app, ["import-grid", str(grids)], env=env).exit_code == 0
    staff = tmp_path / "staff.xlsx"
    staff.write_bytes(xlsx([STAFF[0], ["李娜", "lina", "红色微网格员", "第一网格/1号楼", ""]]))
    done = runner.invoke(cli.app, ["import-staff", str(staff)], env=env)
    assert done.exit_code == 0 and "lina" in done.output and "初始密码" in done.output, done.output
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx([STAFF[0], ["王五", "wangwu", "队长", "第一网格", ""]]))
    refused = runner.invoke(cli.app, ["import-staff", str(bad)], env=env)
    assert refused.exit_code == 1 and "队长" in refused.output


async def test_http_templates_and_imports(database: Database) -> None:
    await community(database)
    api = api_for(database)
    admin = {"Authorization": f"Bearer {await api.login('admin', PASSWORD)}"}
    clerk = {"Authorization": f"Bearer {await api.login('clerk', PASSWORD)}"}
    client: httpx.AsyncClient = api.client
    try:
        template = await client.get("/console/templates/staff.xlsx", headers=admin)
        assert template.status_code == 200
        book = openpyxl.load_workbook(io.BytesIO(template.content))
        assert book.active is not None and book.active["B1"].value == "用户名"
        for response in (
            await client.get("/console/templates/grid.xlsx", headers=clerk),
            await client.post(
                "/console/import/grid", headers=clerk, files={"file": ("g.xlsx", xlsx(GRIDS))}
            ),
        ):
            assert response.status_code == 403 and "管理员" in response.json()["message"]
        anonymous = await client.get("/console/templates/grid.xlsx")
        assert anonymous.status_code == 401
        upload = {"file": ("g.xlsx", xlsx(GRIDS))}
        preview = await client.post(
            "/console/import/grid", headers=admin, files=upload, data={"dryRun": "true"}
        )
        assert preview.status_code == 200 and preview.json()["applied"] is False
        assert preview.json()["rows"][0] == {
            "line": 2,
            "outcome": "create",
            "summary": "新建网格 第一网格",
            "reason": None,
        }
        applied = await client.post(
            "/console/import/grid", headers=admin, files=upload, data={"dryRun": "false"}
        )
        assert applied.json()["applied"] is True and applied.json()["counts"]["create"] == 4
        staff = await client.post(
            "/console/import/staff",
            headers=admin,
            files={"file": ("s.xlsx", xlsx(STAFF))},
            data={"dryRun": "false"},
        )
        body = staff.json()
        assert body["applied"] and {a["username"] for a in body["accounts"]} == {
            "zhangwei",
            "lina",
            "wuye",
        }
        assert all(len(a["initialPassword"]) >= 10 for a in body["accounts"])
        bad_file = await client.post(
            "/console/import/grid",
            headers=admin,
            files={"file": ("g.txt", b"hello")},
            data={"dryRun": "false"},
        )
        broken = await client.post(
            "/console/import/grid", headers=admin, files={"file": ("g.xlsx", b"PK not a zip")}
        )
        no_file = await client.post("/console/import/grid", headers=admin, data={"dryRun": "false"})
        no_columns = await client.post(
            "/console/import/staff", headers=admin, files={"file": ("s.csv", b"a,b\n1,2")}
        )
        nul = await client.post(
            "/console/import/grid",
            headers=admin,
            files={"file": ("g.csv", b"\xe7\xbd\x91\xe6\xa0\xbc\n\x00a\x00")},
        )
        assert nul.status_code == 200 and nul.json()["rows"][0]["reason"].startswith("网格：")
        for response in (bad_file, broken, no_file, no_columns):
            assert response.status_code == 400, response.text
            message = response.json()["message"]
            assert response.json()["code"] and any("\u4e00" <= ch <= "\u9fff" for ch in message), (
                message
            )
        assert "姓名" in no_columns.json()["message"]
    finally:
        await client.aclose()
    assert await count(database, GridPost) == 3

"""The ``changlang`` command, run in-process against a temporary data directory."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import openpyxl
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner, Result

from api import cli
from api.pg_events import PostgresEventBus
from api.residents_io import admin_principal
from domain.credentials import use_fast_password_hashing, verify_password
from domain.database import open_database
from domain.migrate import alembic_config
from domain.models import (
    Account,
    AccountKind,
    Community,
    Grid,
    Household,
    PersonalDataAccess,
    Resident,
    SyncDeparture,
)
from domain.services.grids import create_grid
from domain.services.sessions import login_with_code
from schema.events import sync_channel
from tests.api.test_residents_io import WANG, bad_file, good_rows, write_csv

T = TypeVar("T")
PASSWORD = "a-long-enough-password"


@pytest.fixture(autouse=True)
def _fast_hashing() -> None:
    use_fast_password_hashing()


@pytest.fixture
def env(tmp_path: Path, database_url: str) -> dict[str, str]:
    """English output (``CHANGLANG_LANGUAGE=en``), which these tests read; Chinese is tested in
    ``tests/api/test_cli_language.py``."""
    return {
        "CHANGLANG_DATA_DIR": str(tmp_path / "data"),
        "CHANGLANG_DATABASE_URL": database_url,
        "CHANGLANG_LANGUAGE": "en",
    }


def invoke(env: dict[str, str], *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli.app, list(args), env=env, input=input)


def query(url: str, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    async def main() -> T:
        db = open_database(url)
        try:
            async with db.transaction() as session:
                return await work(session)
        finally:
            await db.dispose()

    return asyncio.run(main())


def create_admin(env: dict[str, str], username: str = "secretary", *extra: str) -> Result:
    return invoke(
        env,
        "create-admin",
        "--username",
        username,
        "--display-name",
        "社区书记 王芳",
        *extra,
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )


def admin_with_grids(env: dict[str, str], url: str) -> None:
    """An admin through the command line, then the grid tree the register's rows name."""
    assert create_admin(env, "admin", "--community", "浩宇苑社区").exit_code == 0

    async def work(session: AsyncSession) -> None:
        principal = await admin_principal(session, None)
        grid = await create_grid(session, principal, name="第一网格", parent_id=None)
        for name in ("1号楼1单元", "1号楼2单元"):
            await create_grid(session, principal, name=name, parent_id=grid.id)

    query(url, work)


def bad_lines(output: str) -> list[int]:
    """The line numbers in the first column of the printed table of bad rows."""
    return [int(n) for n in re.findall(r"^\W*?(\d+) \W", output, re.MULTILINE)]


def count_residents(url: str) -> int:
    async def work(session: AsyncSession) -> int:
        return int(await session.scalar(select(func.count(Resident.id))) or 0)

    return query(url, work)


def test_migrate_prints_the_head_revision(env: dict[str, str]) -> None:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    result = invoke(env, "migrate")
    assert result.exit_code == 0, result.output
    assert f"revision {head}" in result.output


def test_migrate_creates_the_default_sqlite_database(tmp_path: Path) -> None:
    data = tmp_path / "fresh"
    result = invoke(
        {"CHANGLANG_DATA_DIR": str(data), "CHANGLANG_DATABASE_URL": "", "CHANGLANG_LANGUAGE": "en"},
        "migrate",
    )
    assert result.exit_code == 0, result.output
    assert (data / "changlang.sqlite3").exists()


def test_create_admin_makes_the_community_and_a_working_password(
    env: dict[str, str], database_url: str
) -> None:
    result = create_admin(env, "Secretary", "--community", "浩宇苑社区")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output

    async def work(session: AsyncSession) -> tuple[Account, list[str]]:
        account = await session.scalar(select(Account))
        names = list(await session.scalars(select(Community.name)))
        assert account is not None
        return account, names

    account, communities = query(database_url, work)
    assert communities == ["浩宇苑社区"]
    assert (account.username, account.kind) == ("secretary", AccountKind.ADMIN)
    assert verify_password(account.password_hash, PASSWORD)

    second = create_admin(env, "deputy")  # joins the only community, no --community needed
    assert second.exit_code == 0, second.output
    assert query(database_url, lambda s: s.scalar(select(func.count(Account.id)))) == 2


def test_create_admin_refuses_mismatch_short_password_and_missing_community(
    env: dict[str, str], database_url: str
) -> None:
    args = ("create-admin", "--username", "a", "--display-name", "书记", "--community", "社区")
    mismatch = invoke(env, *args, input=f"{PASSWORD}\nsomething-else-entirely\n")
    short = invoke(env, *args, input="short\nshort\n")
    no_community = create_admin(env)
    assert [mismatch.exit_code, short.exit_code, no_community.exit_code] == [1, 1, 1]
    assert "at least" in short.output
    assert "--community" in no_community.output
    assert query(database_url, lambda s: s.scalar(select(func.count(Account.id)))) == 0


def test_issue_code_by_id_number_and_by_uuid(
    env: dict[str, str], database_url: str, tmp_path: Path
) -> None:
    admin_with_grids(env, database_url)
    imported = invoke(env, "import-residents", str(write_csv(tmp_path / "r.csv", good_rows())))
    assert imported.exit_code == 0, imported.output

    by_number = invoke(env, "issue-code", WANG)
    assert by_number.exit_code == 0, by_number.output
    code = re.search(r"[A-Z0-9]{5}-[A-Z0-9]{5}", by_number.output)
    assert code is not None and "王建国" in by_number.output

    async def redeem(session: AsyncSession) -> str:
        issued = await login_with_code(
            session, code=code.group(0), device_name="phone", refresh_ttl=timedelta(days=1)
        )
        return issued.account.display_name

    assert query(database_url, redeem) == "王建国"

    async def resident_id(session: AsyncSession) -> Any:
        return await session.scalar(select(Resident.id).where(Resident.name == "李秀英"))

    by_uuid = invoke(env, "issue-code", str(query(database_url, resident_id)))
    assert by_uuid.exit_code == 0 and "李秀英" in by_uuid.output


def test_issue_code_refuses_unknown_and_invalid_references(env: dict[str, str]) -> None:
    unknown = invoke(env, "issue-code", WANG)
    invalid = invoke(env, "issue-code", "12345")
    assert (unknown.exit_code, invalid.exit_code) == (1, 1)
    assert "no resident" in unknown.output
    assert "idNumber" in invalid.output


def test_import_residents_exit_codes(
    env: dict[str, str], database_url: str, tmp_path: Path
) -> None:
    admin_with_grids(env, database_url)

    rejected = invoke(env, "import-residents", str(bad_file(tmp_path)))
    assert rejected.exit_code == 1
    assert "nothing was imported" in rejected.output
    assert bad_lines(rejected.output) == [4, 5, 6, 7, 8]
    assert count_residents(database_url) == 0

    skipped = invoke(env, "import-residents", str(bad_file(tmp_path)), "--skip-bad")
    assert skipped.exit_code == 1
    assert "imported: 2 new" in skipped.output
    assert bad_lines(skipped.output) == [4, 5, 6, 7, 8]
    assert count_residents(database_url) == 2

    good = invoke(env, "import-residents", str(write_csv(tmp_path / "g.csv", good_rows()[1:2])))
    assert good.exit_code == 0, good.output
    assert count_residents(database_url) == 3


def test_import_residents_dry_run_writes_nothing_and_refused_rows_go_to_a_workbook(
    env: dict[str, str], database_url: str, tmp_path: Path
) -> None:
    admin_with_grids(env, database_url)
    out = tmp_path / "refused.xlsx"
    dry = invoke(
        env, "import-residents", str(bad_file(tmp_path)), "--dry-run", "--refused", str(out)
    )
    assert dry.exit_code == 1
    assert "2 new, 0 updated, 0 unchanged, 5 refused" in dry.output
    assert "dry run: nothing was written" in dry.output
    assert bad_lines(dry.output) == [4, 5, 6, 7, 8]
    assert count_residents(database_url) == 0
    sheet = openpyxl.load_workbook(out).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][-1] == "Reason refused" and [r[3] for r in rows[1:]] == [
        "张三", "张四", None, "张五", "冒名"
    ]  # fmt: skip

    assert (
        invoke(env, "import-residents", str(write_csv(tmp_path / "g.csv", good_rows()))).exit_code
        == 0
    )
    again = invoke(env, "import-residents", str(write_csv(tmp_path / "g.csv", good_rows())))
    assert again.exit_code == 0 and "0 new, 0 updated, 3 unchanged, 0 refused" in again.output
    assert count_residents(database_url) == 3


def test_import_residents_without_an_admin_or_with_a_wrong_file(
    env: dict[str, str], tmp_path: Path
) -> None:
    register = write_csv(tmp_path / "r.csv", good_rows())
    no_admin = invoke(env, "import-residents", str(register))
    assert no_admin.exit_code == 1 and "create-admin" in no_admin.output
    wrong = tmp_path / "r.txt"
    wrong.write_text("x", encoding="utf-8")
    assert create_admin(env, "admin", "--community", "浩宇苑社区").exit_code == 0
    assert invoke(env, "import-residents", str(wrong)).exit_code == 1


def test_export_residents_masked_and_logged(
    env: dict[str, str], database_url: str, tmp_path: Path
) -> None:
    admin_with_grids(env, database_url)
    register = write_csv(tmp_path / "r.csv", good_rows())
    assert invoke(env, "import-residents", str(register)).exit_code == 0
    out = tmp_path / "out.csv"
    result = invoke(env, "export-residents", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8-sig")
    assert "138****5678" in text and WANG not in text
    unmasked = invoke(env, "export-residents", str(tmp_path / "full.csv"), "--unmasked")
    assert unmasked.exit_code == 0 and "keep it safe" in unmasked.output
    assert WANG in (tmp_path / "full.csv").read_text(encoding="utf-8-sig")

    async def audits(session: AsyncSession) -> list[str]:
        return list(await session.scalars(select(PersonalDataAccess.detail)))

    assert sorted(query(database_url, audits)) == ["3 residents, masked", "3 residents, unmasked"]


def test_serve_migrates_loads_the_demo_and_starts_uvicorn(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    monkeypatch.setattr(cli.uvicorn, "run", lambda *a, **kw: calls.append((a, kw)))
    result = invoke(env, "serve", "--demo", "--port", "8123", "--workers", "2")
    assert result.exit_code == 0, result.output
    assert "admin" in result.output and "changlang-demo" in result.output
    assert "http://127.0.0.1:8123/graphql" in result.output
    assert "create-admin" not in result.output
    [(args, kwargs)] = calls
    assert args == ("api.app:app_from_env",)
    assert kwargs["factory"] is True
    assert (kwargs["host"], kwargs["port"], kwargs["workers"]) == ("127.0.0.1", 8123, 2)

    again = invoke(env, "serve", "--demo")
    assert again.exit_code == 0 and "demo was not loaded" in again.output


def test_serve_without_an_admin_says_how_to_create_one(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli.uvicorn, "run", lambda *a, **kw: None)
    result = invoke(env, "serve")
    assert result.exit_code == 0, result.output
    assert "changlang create-admin" in result.output


def test_serve_refuses_the_demo_in_production(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli.uvicorn, "run", lambda *a, **kw: pytest.fail("must not serve"))
    production = env | {
        "CHANGLANG_MODE": "production",
        "CHANGLANG_SECRET_KEY": "s" * 8 + "-random-enough-0123456789abcdefghij",
        "CHANGLANG_PII_KEY": "p" * 8 + "-random-enough-0123456789abcdefghij",
    }
    result = invoke(production, "serve", "--demo")
    assert result.exit_code == 1 and "production" in result.output


def test_compact_sync_purges_tombstones_and_departure_records(
    env: dict[str, str], database_url: str
) -> None:
    admin_with_grids(env, database_url)

    async def tombstones_and_a_move(session: AsyncSession) -> None:
        community = await session.scalar(select(Community.id))
        grids = list(await session.scalars(select(Grid.id).where(Grid.parent_id.is_not(None))))
        assert community is not None and len(grids) == 2
        rows = [
            Household(community_id=community, grid_id=grids[0], building="9", unit="1", room=r)
            for r in ("101", "102", "103")
        ]
        session.add_all(rows)
        await session.flush()
        rows[0].deleted = rows[1].deleted = True
        rows[2].grid_id = grids[1]

    query(database_url, tombstones_and_a_move)
    result = invoke(env, "compact-sync", "--retention-days", "7")
    assert result.exit_code == 0, result.output
    assert "1 communities: 2 tombstones, 1 departure records and 0 push" in result.output

    async def left(session: AsyncSession) -> tuple[int, int]:
        deleted = await session.scalar(select(func.count(Household.id)).where(Household.deleted))
        moved = await session.scalar(select(func.count(SyncDeparture.id)))
        return int(deleted or 0), int(moved or 0)

    assert query(database_url, left) == (0, 0)
    again = invoke(env, "compact-sync")
    assert again.exit_code == 0 and "0 tombstones, 0 departure records" in again.output
    assert invoke(env, "compact-sync", "--retention-days", "0").exit_code != 0


async def test_a_command_on_postgresql_wakes_the_live_streams_of_running_servers(
    env: dict[str, str], database_url: str, dialect: str, tmp_path: Path
) -> None:
    """Its writes are announced through NOTIFY, as a server's own are (SQLite has no channel
    between processes: the streams' safety poll finds them there)."""
    if dialect != "postgresql":
        pytest.skip("PostgreSQL only")
    await asyncio.to_thread(admin_with_grids, env, database_url)
    community = await asyncio.to_thread(
        query, database_url, lambda session: session.scalar(select(Community.id))
    )
    register = write_csv(tmp_path / "r.csv", good_rows())
    bus = PostgresEventBus(database_url)
    await bus.start()
    try:
        async with bus.subscribe(sync_channel(community)) as events:
            imported = await asyncio.to_thread(invoke, env, "import-residents", str(register))
            assert imported.exit_code == 0, imported.output
            event = await asyncio.wait_for(anext(events), 10)
    finally:
        await bus.stop()
    assert {"household", "resident"} <= set(event["collections"])

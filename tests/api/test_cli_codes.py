"""``changlang issue-code --name --household`` and ``changlang print-slips``."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import InvalidCredentials
from domain.models import Resident
from domain.services.sessions import login_with_code
from tests.api.test_cli import admin_with_grids, invoke, query
from tests.api.test_residents_io import good_rows, write_csv

CODE = re.compile(r"[A-Z0-9]{5}-[A-Z0-9]{5}")


@pytest.fixture
def env(tmp_path: Path, database_url: str) -> dict[str, str]:
    """English output, as ``tests/api/test_cli.py``; the Chinese is asked for where read."""
    return {
        "CHANGLANG_DATA_DIR": str(tmp_path / "data"),
        "CHANGLANG_DATABASE_URL": database_url,
        "CHANGLANG_LANGUAGE": "en",
    }


def redeems(url: str, code: str) -> bool:
    async def work(session: AsyncSession) -> bool:
        try:
            await login_with_code(
                session, code=code, device_name="phone", refresh_ttl=timedelta(days=1)
            )
        except InvalidCredentials:
            return False
        return True

    return query(url, work)


def registered(env: dict[str, str], url: str, tmp_path: Path) -> None:
    """The register's three residents, and a second 赵小雨 at her address (one the import
    would take for the same person, so added directly)."""
    admin_with_grids(env, url)
    imported = invoke(env, "import-residents", str(write_csv(tmp_path / "r.csv", good_rows())))
    assert imported.exit_code == 0, imported.output

    async def namesake(session: AsyncSession) -> None:
        zhao = await session.scalar(select(Resident).where(Resident.name == "赵小雨"))
        assert zhao is not None
        session.add(
            Resident(community_id=zhao.community_id, household_id=zhao.household_id, name="赵小雨")
        )

    query(url, namesake)


def test_issue_code_by_name_and_household_says_the_old_code_stopped(
    env: dict[str, str], database_url: str, tmp_path: Path
) -> None:
    registered(env, database_url, tmp_path)
    first = invoke(env, "issue-code", "--name", "王建国", "--household", "1号楼/1单元/101")
    assert first.exit_code == 0, first.output
    assert "no longer works" not in first.output
    second = invoke(env, "issue-code", "--name", " 王建国", "--household", "1号楼／1单元／101")
    assert second.exit_code == 0, second.output
    assert "the earlier login code of this resident no longer works" in second.output
    old, new = CODE.findall(first.output)[0], CODE.findall(second.output)[0]
    assert not redeems(database_url, old) and redeems(database_url, new)

    chinese = {**env, "CHANGLANG_LANGUAGE": "zh"}
    third = invoke(chinese, "issue-code", "--name", "王建国", "--household", "1号楼/1单元/101")
    assert "之前的登录码已失效" not in third.output  # the last one was used, not replaced
    fourth = invoke(chinese, "issue-code", "--name", "王建国", "--household", "1号楼/1单元/101")
    assert "之前的登录码已失效" in fourth.output


def test_issue_code_by_name_refuses_none_several_and_bad_households(
    env: dict[str, str], database_url: str, tmp_path: Path
) -> None:
    registered(env, database_url, tmp_path)
    zh = {**env, "CHANGLANG_LANGUAGE": "zh"}
    nobody = invoke(zh, "issue-code", "--name", "张三", "--household", "1号楼/1单元/101")
    several = invoke(zh, "issue-code", "--name", "赵小雨", "--household", "1号楼/2单元/502")
    bad = invoke(zh, "issue-code", "--name", "王建国", "--household", "1号楼101")
    neither = invoke(zh, "issue-code", "--name", "王建国")
    assert [r.exit_code for r in (nobody, several, bad, neither)] == [1, 1, 1, 1]
    assert "1号楼/1单元/101 没有名叫 张三 的居民" in nobody.output
    assert "有多位名叫 赵小雨 的居民，请改用身份证号" in several.output
    assert "楼/单元/室" in bad.output and "--household" in neither.output


def test_print_slips_writes_a_sheet_whose_codes_log_in(
    env: dict[str, str], database_url: str, tmp_path: Path
) -> None:
    registered(env, database_url, tmp_path)
    out = tmp_path / "slips.html"
    grid = ("--grid", "第一网格/1号楼2单元")
    wrote = invoke(env, "print-slips", *grid, "--url", "https://cl.example/", str(out))
    assert wrote.exit_code == 0, wrote.output
    assert "2 login slips written" in wrote.output
    page = out.read_text(encoding="utf-8")
    assert page.count('class="slip"') == 2 and page.count("<svg") == 2
    assert "浩宇苑社区" in page and "https://cl.example/" in page
    codes = CODE.findall(page)
    assert len(codes) == 2 and all(redeems(database_url, code) for code in codes)

    whole = invoke(env, "print-slips", "--grid", "第一网格", "--building", "1号楼", str(out))
    assert whole.exit_code == 0 and "4 login slips written" in whole.output
    assert "no longer work" not in whole.output  # the two printed codes were used
    again = invoke(env, "print-slips", "--grid", "第一网格", str(out))
    assert "the earlier login codes of 4 residents no longer work" in again.output
    unknown = invoke(
        {**env, "CHANGLANG_LANGUAGE": "zh"}, "print-slips", "--grid", "第九网格", str(out)
    )
    assert unknown.exit_code == 1 and "没有名为 第九网格 的网格节点" in unknown.output

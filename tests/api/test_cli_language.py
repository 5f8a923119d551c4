"""The command line speaks Chinese to the secretary by default, English with
``CHANGLANG_LANGUAGE=en``: output, errors, tables and the register's headers (both
databases). A register exported in either language imports again."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.api.test_cli import admin_with_grids, invoke
from tests.api.test_residents_io import bad_file, good_rows, write_csv


@pytest.fixture
def env(tmp_path: Path, database_url: str) -> dict[str, str]:
    return {
        "CHANGLANG_DATA_DIR": str(tmp_path / "data"),
        "CHANGLANG_DATABASE_URL": database_url,
        "CHANGLANG_LANGUAGE": "en",
    }


def _chinese(env: dict[str, str]) -> dict[str, str]:
    """No ``CHANGLANG_LANGUAGE``: the default, Chinese."""
    return {k: v for k, v in env.items() if k != "CHANGLANG_LANGUAGE"}


def test_the_cli_speaks_chinese_by_default_and_english_when_asked(
    env: dict[str, str],
    tmp_path: Path,
) -> None:
    zh, en = _chinese(env), env
    assert "数据库版本" in invoke(zh, "migrate").output
    assert "database at revision" in invoke(en, "migrate").output
    admin_with_grids(en, env["CHANGLANG_DATABASE_URL"])
    unknown = "00000000-0000-0000-0000-000000000000"
    refused_zh, refused_en = invoke(zh, "issue-code", unknown), invoke(en, "issue-code", unknown)
    assert refused_zh.exit_code == refused_en.exit_code == 1
    assert f"找不到编号为 {unknown} 的居民" in refused_zh.output
    assert f"no resident with id {unknown}" in refused_en.output

    bad = invoke(zh, "import-residents", str(bad_file(tmp_path)))
    assert bad.exit_code == 1
    assert "5 行被拒绝" in bad.output and "行号" in bad.output and "没有导入任何数据" in bad.output


def test_the_register_is_exported_with_headers_in_the_operator_s_language(
    env: dict[str, str],
    tmp_path: Path,
) -> None:
    zh, en = _chinese(env), env
    admin_with_grids(en, env["CHANGLANG_DATABASE_URL"])
    assert (
        invoke(zh, "import-residents", str(write_csv(tmp_path / "r.csv", good_rows()))).exit_code
        == 0
    )
    chinese, english = tmp_path / "zh.csv", tmp_path / "en.csv"
    said = invoke(zh, "export-residents", str(chinese))
    assert said.exit_code == 0 and "已导出 3 位居民" in said.output
    assert invoke(en, "export-residents", str(english)).exit_code == 0
    with chinese.open(encoding="utf-8-sig") as handle:
        zh_rows = list(csv.reader(handle))
    with english.open(encoding="utf-8-sig") as handle:
        en_rows = list(csv.reader(handle))
    assert zh_rows[0] == [
        "楼栋",
        "单元",
        "房号",
        "姓名",
        "手机",
        "身份证号",
        "出生日期",
        "标签",
        "党员",
        "微网格",
        "性别",
        "与户主关系",
        "政治面貌",
    ]
    assert en_rows[0][:4] == ["Building", "Unit", "Room", "Name"]
    assert {row[8] for row in zh_rows[1:]} <= {"是", "否"}
    assert {row[8] for row in en_rows[1:]} <= {"yes", "no"}
    # What either export wrote, the import reads back (the same residents, already there).
    for exported in (chinese, english):
        again = invoke(en, "import-residents", str(exported), "--skip-bad")
        assert "ignored columns" not in again.output, again.output

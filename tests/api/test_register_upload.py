"""POST /console/import/register and its refused rows: the bearer token, admin only, NDJSON."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import orjson
from sqlalchemy import select

from domain.database import Database
from domain.models import Resident
from tests import api_client
from tests.api_client import Api, api_for
from tests.world import World, id_number

URL = "/console/import/register"
HEADER = ["楼栋", "单元", "房号", "姓名", "性别", "身份证号", "手机", "微网格"]


def register_csv(encoding: str = "gbk") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([
        HEADER,
        ["H1a", "1", "102", "新居民", "女", "", "", "M1a"],  # new
        ["H1a", "1", "101", "H1a-x", "", id_number(1), "13912345678", ""],  # update by ID
        ["H9", "1", "101", "无处", "", "", "", "M9"],  # no such micro-grid
    ])  # fmt: skip
    return out.getvalue().encode(encoding)


async def post(
    api: Api, token: str | None, data: bytes, name: str = "r.csv", url: str = URL, **fields: str
) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await api.client.post(
        url, headers=headers, files={"file": (name, data, "text/csv")}, data=fields
    )


def lines(body: bytes) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in body.splitlines() if line]


async def test_only_the_admin_may_upload(api: Api, world: World) -> None:
    assert (await post(api, None, register_csv())).status_code == 401
    chief = await api.login("chief1")
    forbidden = await post(api, chief, register_csv())
    assert forbidden.status_code == 403
    assert forbidden.json()["errors"][0]["message"] == "只有社区管理员才能这样做"
    refused = await post(api, chief, register_csv(), url=URL + "/refused.xlsx")
    assert refused.status_code == 403


async def test_a_bad_file_is_a_400_in_chinese(api: Api, world: World) -> None:
    admin = await api.login("admin")
    wrong = await post(api, admin, b"x", name="r.txt")
    assert wrong.status_code == 400
    assert wrong.json()["errors"][0]["message"] == "花名册必须是 .csv 或 .xlsx 文件"
    headerless = await post(api, admin, "姓名\n张三\n".encode())
    assert headerless.status_code == 400
    assert headerless.json()["errors"][0]["message"].startswith("缺少这些列：楼栋")
    no_file = await api.client.post(
        URL, headers={"Authorization": f"Bearer {admin}"}, data={"mode": "preview"}
    )
    assert no_file.status_code == 400
    assert no_file.json()["errors"][0]["message"] == "file：请上传花名册文件"


async def test_an_upload_over_the_limit_is_refused(database: Database, world: World) -> None:
    small = api_for(database, api_client.test_settings(max_upload_bytes=1_000))
    try:
        admin = await small.login("admin")
        big = await post(small, admin, register_csv() + b"," * 5_000)
        assert big.status_code == 413
        assert "文件超过" in big.json()["errors"][0]["message"]
    finally:
        await small.client.aclose()


async def test_preview_streams_progress_then_the_report_and_apply_writes(
    api: Api, world: World, database: Database
) -> None:
    admin = await api.login("admin")
    preview = await post(api, admin, register_csv(), mode="preview")
    assert preview.status_code == 200
    assert preview.headers["content-type"].startswith("application/x-ndjson")
    found = lines(preview.content)
    assert found[0] == {"progress": 0, "total": 3} and found[-2] == {"progress": 3, "total": 3}
    report = found[-1]["report"]
    assert report["counts"] == {"create": 1, "update": 1, "unchanged": 0, "refused": 1}
    rows = {r["line"]: r for r in report["rows"]}
    assert rows[3]["changes"] == [{"field": "手机", "old": "138****0001", "new": "139****5678"}]
    assert rows[4]["reason"].startswith("微网格：") and "M9" in rows[4]["reason"]
    assert not report["applied"]

    workbook = await post(api, admin, register_csv(), url=URL + "/refused.xlsx")
    assert workbook.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content)).worksheets[0]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0] == [*HEADER, "错误原因"] and [r[3] for r in values[1:]] == ["无处"]

    rejected = lines((await post(api, admin, register_csv(), mode="apply")).content)[-1]
    assert rejected["report"]["applied"] is False
    applied = await post(api, admin, register_csv(), mode="apply", skipRefused="true")
    assert lines(applied.content)[-1]["report"]["applied"] is True
    async with database.read() as session:
        new = await session.scalar(select(Resident).where(Resident.name == "新居民"))
        old = await session.scalar(select(Resident).where(Resident.name == "H1a-x"))
    assert new is not None and old is not None and old.phone == "13912345678"

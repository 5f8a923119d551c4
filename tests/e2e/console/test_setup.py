"""开始设置 in a real browser on an empty server: the admin signs in, downloads the grid
template, fills it, previews and imports it, sees the tree; then the staff file, the posts
and the new accounts' initial passwords."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from playwright.sync_api import Page, expect

from tests.e2e.console.conftest import OpenConsole, Served, check_page
from tests.e2e.console.test_households import choose

PASSWORD = "secretary-password-1"


def filled(template: Path, rows: list[list[str]], out: Path) -> Path:
    book = openpyxl.load_workbook(template)
    sheet = book.active
    assert sheet is not None
    assert str(sheet["A2"].value).startswith("必填")  # the notes row stays, and is skipped
    for row in rows:
        sheet.append(row)
    book.save(out)
    return out


def download(page: Page, selector: str, folder: Path) -> Path:
    with page.expect_download() as info:
        page.click(selector)
    path = folder / info.value.suggested_filename
    info.value.save_as(path)
    page.mouse.move(0, 0)  # a hovered or focused button is lighter: axe judges the resting one
    page.evaluate("document.activeElement && document.activeElement.blur()")
    return path


def upload(page: Page, kind: str, file: Path) -> None:
    page.locator(f"[data-test={kind}-upload] input[type=file]").set_input_files(str(file))


def test_first_day_from_templates(
    empty_server: Served, open_console: OpenConsole, tmp_path: Path
) -> None:
    made = empty_server.cli(
        "create-admin", "--username", "shuji", "--display-name", "社区书记 王芳",
        "--community", "新建社区", input=f"{PASSWORD}\n{PASSWORD}\n",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    page = open_console(empty_server.base, "shuji", PASSWORD)
    page.goto(f"{empty_server.base}/console/#/setup")
    expect(page.locator("[data-test=step-community]")).to_be_visible()
    expect(page.locator("[data-test=community-name]")).to_contain_text("新建社区")
    check_page(page, "setup-community")
    page.get_by_role("button", name="下一步：网格").click()

    template = download(page, "[data-test=grid-template]", tmp_path)
    grids = filled(
        template,
        [["第一网格", "1号楼"], ["第一网格", "2号楼"], ["第二网格", "3号楼"], ["", "4号楼"]],
        tmp_path / "grids.xlsx",
    )
    upload(page, "grid", grids)
    preview = page.locator("[data-test=grid-preview]")
    expect(preview).to_contain_text("网格：必须填写")
    expect(page.locator("[data-test=grid-apply]")).to_be_disabled()
    fixed = filled(
        template, [["第一网格", "1号楼"], ["第一网格", "2号楼"], ["第二网格", "3号楼"]],
        tmp_path / "grids-fixed.xlsx",
    )  # fmt: skip
    upload(page, "grid", fixed)
    expect(preview).to_contain_text("新建微网格 3号楼")
    expect(page.locator("[data-test=grid-counts]")).to_contain_text("新建 3 行")
    check_page(page, "setup-grids-preview")
    page.click("[data-test=grid-apply]")
    tree = page.locator("[data-test=grid-tree]")
    expect(tree).to_contain_text("第二网格")
    expect(tree).to_contain_text("2号楼")
    page.get_by_label("新网格名称").fill("第三网格")
    page.get_by_role("button", name="添加网格").click()
    expect(tree).to_contain_text("第三网格")
    page.locator(".tree-node", has_text="第三网格").get_by_role("button", name="添加微网格").click()
    page.locator(".el-message-box input").fill("9号楼")
    page.get_by_role("button", name="确定").click()
    expect(tree).to_contain_text("9号楼")
    expect(page.locator(".el-message-box")).to_have_count(0)  # gone, not fading out
    check_page(page, "setup-grids")

    page.click("[data-test=to-staff]")
    staff_template = download(page, "[data-test=staff-template]", tmp_path)
    book = openpyxl.load_workbook(staff_template)
    assert [c.value for c in book.active[1]] == ["姓名", "用户名", "岗位", "网格", "管理员"]  # type: ignore[index]
    staff = filled(
        staff_template,
        [["张伟", "zhangwei", "网格长", "第一网格", ""],
         ["李娜", "lina", "红色微网格员", "第一网格/1号楼", ""]],
        tmp_path / "staff.xlsx",
    )  # fmt: skip
    upload(page, "staff", staff)
    expect(page.locator("[data-test=staff-preview]")).to_contain_text("新建岗位 网格长")
    check_page(page, "setup-staff-preview")
    page.click("[data-test=staff-apply]")
    table = page.locator("[data-test=staff-table]")
    expect(table).to_contain_text("网格长：第一网格")
    expect(table).to_contain_text("红色微网格员：第一网格/1号楼")
    expect(table).to_contain_text("社区书记（管理员）")  # the admin, who holds no post
    passwords = page.locator("[data-test=passwords]")
    expect(passwords).to_contain_text("zhangwei")
    saved = download(page, "[data-test=passwords-download]", tmp_path)
    lines = saved.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "用户名,姓名,初始密码" and len(lines) == 3
    page.get_by_role("button", name="添加工作人员").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("姓名").fill("王强")
    dialog.get_by_label("用户名").fill("wangqiang")
    choose(page, "岗位", "红色微网格员")
    choose(page, "网格", "第三网格/9号楼")
    dialog.get_by_role("button", name="保存").click()
    expect(table).to_contain_text("红色微网格员：第三网格/9号楼")
    expect(passwords).to_contain_text("wangqiang")
    expect(dialog).to_be_hidden()  # axe must not judge the dialog while it fades out
    check_page(page, "setup-staff")

    page.get_by_role("button", name="下一步：居民花名册").click()
    expect(page.locator("[data-test=step-register]")).to_be_visible()
    register = openpyxl.load_workbook(download(page, "[data-test=register-template]", tmp_path))
    assert register.active is not None and register.active["A1"].value == "楼栋"
    check_page(page, "setup-register")

"""A responsible contact (物业服务中心, a staff account with no post) in the console: their
home is 我负责的事项, they see only their own resolutions and report progress with a photo
by reference; the staff pages' queries answer them nothing."""

from __future__ import annotations

import hashlib
import struct
import zlib

import httpx
from playwright.sync_api import expect

from tests.e2e.console.conftest import OpenConsole, Served, check_page
from tests.e2e.graphql_http import graphql, login

QUEUE = """{ myResolutions { proposal { id title progressReports { text
  photos { url sha256 } } } overdue daysOverdue } }"""


def _png() -> bytes:
    """A 1×1 red PNG, made here so the test needs no file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    pixel = zlib.compress(b"\x00\xa6\x1b\x1b")
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", pixel) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


def test_the_staff_pages_answer_a_contact_nothing(console_server: Served) -> None:
    token = login(console_server.base, "wuye")
    data = graphql(
        console_server.base,
        """{ ledger(first: 5) { totalCount } households(first: 5) { edges { node { id } } }
             residents(first: 5) { edges { node { id } } } coverage { households }
             overdueQueue { daysOverdue } }""",
        token=token,
    )
    assert data["ledger"]["totalCount"] == 0
    assert data["households"]["edges"] == []
    assert data["residents"]["edges"] == []
    assert data["coverage"]["households"] == 0
    assert data["overdueQueue"] == []
    sessions = graphql(
        console_server.base,
        """{ votes { id } }""",
        token=token,
    )["votes"]
    refused = graphql(
        console_server.base,
        """query($v: UUID!) { inPersonSessions(voteId: $v) { __typename } }""",
        {"v": sessions[0]["id"]},
        token,
    )
    assert refused["inPersonSessions"]["__typename"] == "ForbiddenError"


def test_the_contact_lands_on_their_queue_and_reports_progress(
    console_server: Served, open_console: OpenConsole
) -> None:
    base = console_server.base
    token = login(base, "wuye")
    mine = graphql(base, QUEUE, token=token)["myResolutions"]
    assert mine, "the demo gives 物业 open resolutions"
    page = open_console(base, "wuye")
    expect(page.locator(".layout-header h1")).to_have_text("我负责的事项")
    menu = page.get_by_role("navigation", name="主菜单")
    expect(menu.get_by_role("menuitem")).to_have_count(1)
    expect(menu).to_contain_text("我负责的事项")
    cards = page.locator("[data-test=resolution]")
    expect(cards).to_have_count(len(mine))
    shown = cards.locator("[data-test=topic]").all_inner_texts()
    assert shown == [item["proposal"]["title"] for item in mine]
    late = next(item for item in mine if item["overdue"])
    card = cards.filter(has_text=late["proposal"]["title"])
    deadline = card.locator("[data-test=deadline]")
    expect(deadline).to_contain_text(f"已逾期 {late['daysOverdue']} 天")
    expect(deadline).to_have_class("overdue")
    check_page(page, "my-resolutions")

    card.get_by_role("button", name="报告进展").click()
    dialog = page.get_by_role("dialog", name="报告进展")
    dialog.get_by_label("进展情况").fill("止回阀已装好，排水管疏通完毕，下次大雨后复查。")
    photo = _png()
    digest = hashlib.sha256(photo).hexdigest()
    page.set_input_files(
        "#photo-file", files=[{"name": "pump.png", "mimeType": "image/png", "buffer": photo}]
    )
    expect(dialog.locator("[data-test=photo-hash]")).to_contain_text(digest[:12])
    check_page(page, "my-resolutions-report")
    dialog.get_by_role("button", name="提交").click()
    expect(dialog).to_be_hidden()
    expect(card.locator("[data-test=report]").last).to_contain_text("止回阀已装好")
    thumb = card.locator("img[data-test=photo]")
    expect(thumb).to_have_count(1)
    expect(thumb).to_have_js_property("naturalWidth", 1)

    after = graphql(base, QUEUE, token=token)["myResolutions"]
    reports = next(i for i in after if i["proposal"]["id"] == late["proposal"]["id"])
    last = reports["proposal"]["progressReports"][-1]
    assert last["photos"] == [{"url": f"{base}/files/{digest}", "sha256": digest}]
    served = httpx.get(f"{base}/files/{digest}", headers={"Authorization": f"Bearer {token}"})
    assert served.content == photo
    assert httpx.get(f"{base}/files/{digest}").status_code == 401

    page.goto(f"{base}/console/#/votes")
    expect(page.locator(".layout-header h1")).to_have_text("无权查看")

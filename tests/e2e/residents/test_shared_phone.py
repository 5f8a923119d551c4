"""One phone, one family: two residents vote in turn on a secret vote, each with their own
change token; signing out leaves nothing of the other on screen; a resident on another phone
is told in words where their token is and carries it over (QR code or code); once the vote is
closed the receipt is found among the published commitments and the tally verifies."""

from __future__ import annotations

import time

from playwright.sync_api import Page, expect

from tests.e2e.console.conftest import Served
from tests.e2e.graphql_http import adult_residents, graphql, issue_code, login, open_vote, result
from tests.e2e.residents.conftest import check_screen, sign_in, tab

KEPT_DATA = "Object.keys(localStorage).filter(k => k.startsWith('changlang.data.'))"


def _open(page: Page, vote_id: str) -> None:
    tab(page, "votes")
    page.locator(f"li[data-vote-id='{vote_id}'] button").click()
    expect(page.locator("#vote-view")).to_be_visible()


def _vote(page: Page, choice: str) -> None:
    page.get_by_role("button", name=choice, exact=True).click()
    expect(page.locator("#ballot-state")).to_contain_text(f"您刚才投了「{choice}」")
    expect(page.locator("#ballot-error")).to_be_empty()
    expect(page.locator("#receipt-short")).to_have_text(
        page.locator("#receipt-code").inner_text()[:8].upper()[:4]
        + "-"
        + page.locator("#receipt-code").inner_text()[:8].upper()[4:]
    )


def _sign_out(page: Page) -> None:
    page.locator("#logout").click()
    expect(page.locator("#login-view")).to_be_visible()
    expect(page.locator("#who")).to_be_hidden()
    assert page.evaluate(KEPT_DATA) == []
    expect(page.locator("#votes li")).to_have_count(0)
    expect(page.locator("#topics li")).to_have_count(0)


def test_two_residents_share_a_phone_and_carry_a_token_to_another(
    voting_server: Served, phones
) -> None:
    base = voting_server.base
    admin = login(base)
    mother, son = adult_residents(base, admin, 2)
    lasting = open_vote(base, admin, "东侧空地改建临时停车位", secret=True)
    brief = open_vote(base, admin, "楼道加装扶手", secret=True, minutes=1)
    brief_closes = time.monotonic() + 60
    _context, page = phones()

    sign_in(page, base, issue_code(base, admin, mother["id"]), mother["name"])
    tab(page, "votes")
    check_screen(page, f"votes-{voting_server.dialect}")
    _open(page, brief)
    _vote(page, "赞成")
    page.locator("#vote-view .back").click()
    _open(page, lasting)
    _vote(page, "赞成")
    check_screen(page, f"vote-cast-{voting_server.dialect}")
    _sign_out(page)

    sign_in(page, base, issue_code(base, admin, son["id"]), son["name"])
    _open(page, lasting)
    expect(page.locator("#ballot-state")).to_have_text("请选择您的意见。")
    expect(page.locator("#receipt")).to_be_hidden()
    _vote(page, "反对")
    _vote(page, "弃权")  # his own token, kept apart from his mother's
    _sign_out(page)

    sign_in(page, base, issue_code(base, admin, mother["id"]), mother["name"])
    _open(page, lasting)
    expect(page.locator("#ballot-state")).to_contain_text("您已投票，截止前可以改票")
    _vote(page, "反对")
    page.locator("#open-phone").click()
    expect(page.locator("#carry-code")).to_contain_text("CL1")
    code = page.locator("#carry-code").inner_text()
    assert page.evaluate("document.getElementById('carry-qr').naturalWidth") > 100
    check_screen(page, f"phone-tokens-{voting_server.dialect}")

    _other, elsewhere = phones()
    sign_in(elsewhere, base, issue_code(base, admin, mother["id"]), mother["name"])
    _open(elsewhere, lasting)
    expect(elsewhere.locator("#ballot-state")).to_contain_text(
        "改票凭证保存在您投票时用的那部手机上"
    )
    expect(elsewhere.get_by_role("button", name="赞成", exact=True)).to_be_disabled()
    check_screen(elsewhere, f"token-elsewhere-{voting_server.dialect}")
    elsewhere.locator("#open-phone").click()
    elsewhere.fill("#import-code", code)
    elsewhere.get_by_role("button", name="导入凭证").click()
    expect(elsewhere.locator("#import-message")).to_contain_text("已导入 2 张改票凭证")
    elsewhere.locator("#phone-view .back").click()
    _open(elsewhere, lasting)
    expect(elsewhere.locator("#ballot-state")).to_contain_text("您已投票，截止前可以改票")
    _vote(elsewhere, "赞成")

    _third, scanned = phones()  # the QR code is this page's address with the code after "#"
    scanned.goto(f"{base}/#carry={code.replace(' ', '')}")
    expect(scanned.locator("#login-error")).to_contain_text("已收到从另一部手机带来的改票凭证")
    assert "#" not in scanned.url
    scanned.fill("#code", issue_code(base, admin, mother["id"]))
    scanned.click("#login-form button[type=submit]")
    expect(scanned.locator("#phone-view")).to_be_visible()
    expect(scanned.locator("#import-message")).to_contain_text("已从二维码导入 2 张改票凭证")
    scanned.locator("#phone-view .back").click()
    _open(scanned, lasting)
    expect(scanned.locator("#ballot-state")).to_contain_text("您已投票，截止前可以改票")

    time.sleep(max(0.0, brief_closes - time.monotonic() + 1))
    closed = graphql(
        base,
        """mutation($v: UUID!) { closeVote(voteId: $v) { __typename ... on Vote { status }
             ... on Error { code message } } }""",
        {"v": brief},
        admin,
    )
    assert result(closed, "closeVote", "Vote")["status"] == "CLOSED"
    elsewhere.locator("#vote-view .back").click()
    _open(elsewhere, brief)
    expect(elsewhere.locator("#verify-state")).to_contain_text("核验通过")
    expect(elsewhere.locator("#count-for")).to_have_text("1")
    elsewhere.get_by_role("button", name="核对我的选票已计入").click()
    expect(elsewhere.locator("#receipt-message")).to_contain_text(
        "已核对：您的选票在公布的 1 条记录中"
    )
    check_screen(elsewhere, f"vote-closed-{voting_server.dialect}")


def test_a_household_member_sees_who_cast_the_households_ballot(
    voting_server: Served, phones
) -> None:
    base = voting_server.base
    admin = login(base)
    people = graphql(
        base,
        "{ residents(first: 100) { edges { node { id name birthYear householdId } } } }",
        token=admin,
    )["residents"]["edges"]
    homes: dict[str, list[dict[str, str]]] = {}
    for edge in people:
        if (edge["node"]["birthYear"] or 2100) < 1990:
            homes.setdefault(edge["node"]["householdId"], []).append(edge["node"])
    first, second = next(members for members in homes.values() if len(members) >= 2)[:2]
    vote = open_vote(base, admin, "每户出资修缮单元门", secret=True, electorate="HOUSEHOLDS")
    _context, page = phones()
    sign_in(page, base, issue_code(base, admin, first["id"]), first["name"])
    _open(page, vote)
    _vote(page, "赞成")
    _sign_out(page)
    sign_in(page, base, issue_code(base, admin, second["id"]), second["name"])
    tab(page, "votes")
    expect(page.locator(f"li[data-vote-id='{vote}']")).to_contain_text(
        f"家里已投票（{first['name']}）"
    )
    _open(page, vote)
    expect(page.locator("#ballot-state")).to_contain_text(
        f"您家的选票已由 {first['name']}（户代表）投出"
    )
    expect(page.get_by_role("button", name="反对", exact=True)).to_be_disabled()
    expect(page.locator("#receipt")).to_be_hidden()
    check_screen(page, f"household-vote-{voting_server.dialect}")

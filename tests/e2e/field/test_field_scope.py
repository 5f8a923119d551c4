"""A volunteer moved to another grid, in a real Chromium against a real server process, on
both databases: without a reset, the new grid's households arrive, and the old grid's leave
the screen and the device's IndexedDB (its residents' phones are nowhere in it)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.console.conftest import Served
from tests.e2e.field.conftest import DEMO_PASSWORD, PHONE, graphql, office_token, pulled

VOLUNTEER = "member2"
POSTS = "{ posts { id gridId accountId role grid { name } } }"
CREATE = """mutation($a: UUID!, $g: UUID!) { createGridPost(accountId: $a, gridId: $g,
  role: GRID_MEMBER) { __typename ... on Error { code message } } }"""
DELETE = """mutation($id: UUID!) { deleteGridPost(id: $id) { __typename
  ... on Error { code message } } }"""
# Every record of every object store of every IndexedDB database of the page, searched for
# the given strings: what the device holds, whatever the app shows.
SCAN = """async (needles) => {
  const found = [];
  for (const { name } of await indexedDB.databases()) {
    const db = await new Promise((ok, fail) => {
      const open = indexedDB.open(name);
      open.onsuccess = () => ok(open.result);
      open.onerror = () => fail(open.error);
    });
    for (const store of db.objectStoreNames) {
      const rows = await new Promise((ok) => {
        const read = db.transaction(store).objectStore(store).getAll();
        read.onsuccess = () => ok(read.result);
        read.onerror = () => ok([]);
      });
      const text = JSON.stringify(rows);
      for (const needle of needles) if (text.includes(needle)) found.push(needle);
    }
    db.close();
  }
  return [...new Set(found)];
}"""


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    opened = context.new_page()
    yield opened
    context.close()


def test_a_volunteer_moved_to_another_grid_loses_the_old_grids_households_from_the_device(
    field_server: Served, page: Page
) -> None:
    base = field_server.base
    mine = office_token(base, VOLUNTEER)
    old_households = pulled(base, mine, "household", "building")
    old_phones = [r["phone"] for r in pulled(base, mine, "resident", "phone") if r["phone"]]
    assert old_households and old_phones

    page.goto(f"{base}/field/")
    page.fill("#username", VOLUNTEER)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator(".household")).to_have_count(len(old_households), timeout=30_000)
    expect(page.locator(".status .state")).to_have_attribute("data-state", "online")
    assert sorted(page.evaluate(SCAN, old_phones)) == sorted(set(old_phones))

    admin = office_token(base, "admin")
    posts = graphql(base, POSTS, token=admin)["posts"]
    account = page.evaluate("JSON.parse(localStorage.getItem('changlang-field-session'))")
    own = [p for p in posts if p["accountId"] == account["viewer"]["accountId"]]
    assert [p["grid"]["name"] for p in own] == ["第二网格"], own
    first_grid = next(p["gridId"] for p in posts if p["grid"]["name"] == "第一网格")
    created = graphql(base, CREATE, {"a": own[0]["accountId"], "g": first_grid}, admin)
    assert created["createGridPost"]["__typename"] == "GridPost", created
    deleted = graphql(base, DELETE, {"id": own[0]["id"]}, admin)
    assert deleted["deleteGridPost"]["__typename"] == "Deleted", deleted

    new_households = pulled(base, office_token(base, VOLUNTEER), "household", "building")
    assert new_households and not {h["id"] for h in new_households} & {
        h["id"] for h in old_households
    }
    page.click("button.sync")
    expect(page.locator(".household")).to_have_count(len(new_households), timeout=30_000)
    buildings = page.locator(".group h3").all_inner_texts()
    assert buildings and not [b for b in buildings if b.startswith("3号楼")], buildings
    deadline = time.monotonic() + 20
    while (left := page.evaluate(SCAN, old_phones)) and time.monotonic() < deadline:
        page.wait_for_timeout(500)
    assert left == [], f"old residents' phones still on the device: {left}"

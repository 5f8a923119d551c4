"""The operations pages' API: the devices list, the filtered access log and the conflict
inbox's names, on both databases, with the rules of ``domain.permissions`` and statement
counts that do not grow with the rows.

The world (tests/world.py): admin; chief1 (G1), member1a (M1a), chief2 (G2) with posts.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from domain.database import Database
from domain.models import ConflictStatus, Device, DeviceSync, PersonalDataAccess, SyncConflict
from tests.api_client import Api
from tests.schema.test_permissions import resident_token
from tests.schema.test_statement_count import counting_statements
from tests.sync.client import Phone, edited, row
from tests.world import World

DEVICES = """query($r: Boolean! = true) { devices(includeRevoked: $r) {
  id name accountId accountName createdAt lastSeenAt lastSyncAt revokedAt current } }"""
REVOKE = """mutation($d: UUID!) { revokeDevice(deviceId: $d) {
  __typename ... on DeviceRevoked { revokedAt } ... on Error { code message } } }"""
LOG = """query($a: UUID, $k: AccessKind, $p: String, $s: DateTime, $u: DateTime, $f: Int! = 100) {
  personalDataAccessLog(accountId: $a, kind: $k, purpose: $p, since: $s, until: $u, first: $f) {
    kind at accountName residentId residentName purpose deviceName } }"""
REVEAL = """mutation($id: UUID!, $p: String!) { revealPersonalData(residentId: $id, purpose: $p) {
  __typename } }"""
INBOX = """{ syncConflicts { id field subject accountName deviceName gridName
  baseValue serverValue deviceValue } }"""


def _error(body: dict[str, Any]) -> str:
    return str(body["errors"][0]["extensions"]["code"])


# --- devices ---------------------------------------------------------------------------------


async def test_the_admin_lists_every_device_and_staff_only_their_own(
    api: Api, world: World
) -> None:
    chief = await api.login("chief1")
    member = await api.login("member1a")
    admin = await api.login("admin")
    everyone = (await api.ok(DEVICES, token=admin))["devices"]
    assert sorted(d["accountName"] for d in everyone) == ["admin", "chief1", "member1a"]
    assert [d["current"] for d in everyone if d["accountName"] == "admin"] == [True]
    own = (await api.ok(DEVICES, token=chief))["devices"]
    assert [(d["accountName"], d["current"]) for d in own] == [("chief1", True)]
    assert own[0]["lastSeenAt"] is not None and own[0]["lastSyncAt"] is None
    mine = (await api.ok(DEVICES, token=member))["devices"]
    assert [d["accountName"] for d in mine] == ["member1a"]
    body = await api.post(DEVICES)
    assert _error(body) == "UNAUTHENTICATED"


async def test_a_resident_sees_only_their_own_device(api: Api, world: World) -> None:
    await api.login("chief1")
    token = await resident_token(api, world, "H1a-x")
    found = (await api.ok(DEVICES, token=token))["devices"]
    assert len(found) == 1 and found[0]["current"] is True
    assert found[0]["accountName"] != "chief1"


async def test_a_sync_pull_sets_last_sync_and_a_revoked_device_is_listed_as_such(
    api: Api, world: World
) -> None:
    member = await api.login("member1a")
    await Phone(api, member).pull_all("household")
    admin = await api.login("admin")
    [device] = [
        d for d in (await api.ok(DEVICES, token=admin))["devices"] if d["accountName"] == "member1a"
    ]
    assert device["lastSyncAt"] is not None and device["revokedAt"] is None
    chief = await api.login("chief1")
    refused = await api.ok(REVOKE, {"d": device["id"]}, chief)
    assert refused["revokeDevice"]["code"] == "FORBIDDEN"
    revoked = await api.ok(REVOKE, {"d": device["id"]}, admin)
    assert revoked["revokeDevice"]["__typename"] == "DeviceRevoked"
    listed = {d["id"]: d for d in (await api.ok(DEVICES, token=admin))["devices"]}
    assert listed[device["id"]]["revokedAt"] == revoked["revokeDevice"]["revokedAt"]
    active = (await api.ok(DEVICES, {"r": False}, admin))["devices"]
    assert device["id"] not in {d["id"] for d in active}


async def _add_devices(database: Database, world: World, count: int) -> None:
    now = datetime.now(UTC)
    async with database.transaction() as session:
        for number in range(count):
            device = Device(
                id=uuid.uuid4(),
                community_id=world.community,
                account_id=world.accounts[("chief1", "member1a", "chief2")[number % 3]],
                name=f"phone {number}",
                last_seen_at=now - timedelta(minutes=number),
            )
            session.add(device)
            await session.flush()
            for collection in ("household", "resident"):
                session.add(
                    DeviceSync(
                        device_id=device.id,
                        collection=collection,
                        community_id=world.community,
                        position=1,
                        synced_at=now - timedelta(minutes=number, seconds=len(collection)),
                    )
                )


async def test_the_devices_list_costs_the_same_statements_for_3_or_60_devices(
    api: Api, world: World, database: Database
) -> None:
    admin = await api.login("admin")
    await _add_devices(database, world, 3)
    with counting_statements(database) as small:
        assert len((await api.ok(DEVICES, token=admin))["devices"]) == 4
    await _add_devices(database, world, 57)
    with counting_statements(database) as large:
        found = (await api.ok(DEVICES, token=admin))["devices"]
    assert len(found) == 61
    assert len(large) == len(small)
    newest = [d for d in found if d["name"] == "phone 0"]
    assert newest[0]["lastSyncAt"] is not None  # the newest of its collections
    seen = [d["lastSeenAt"] for d in found]
    assert seen == sorted(seen, reverse=True), "most recently used first"


# --- the access log --------------------------------------------------------------------------


async def _reads(database: Database, world: World) -> datetime:
    """Three logged reads a day apart; newest first: chief1 上门走访, admin export, 核实信息."""
    start = datetime(2026, 3, 1, 12, tzinfo=UTC)
    async with database.transaction() as session:
        for days, account, resident, purpose in (
            (0, "admin", "H1a-x", "核实信息"),
            (1, "admin", None, "export"),
            (2, "chief1", "H1b-y", "上门走访"),
        ):
            session.add(
                PersonalDataAccess(
                    community_id=world.community,
                    account_id=world.accounts[account],
                    resident_id=world.residents[resident] if resident else None,
                    purpose=purpose,
                    created_at=start + timedelta(days=days),
                )
            )
    return start


async def test_the_access_log_filters_by_account_purpose_kind_and_dates(
    api: Api, world: World, database: Database
) -> None:
    start = await _reads(database, world)
    member = await api.login("member1a")
    await Phone(api, member).pull_all("resident")  # its phone now holds M1a's phones
    admin = await api.login("admin")

    async def log(**variables: Any) -> list[dict[str, Any]]:
        return list((await api.ok(LOG, variables, admin))["personalDataAccessLog"])

    everything = await log()
    reads = [e for e in everything if e["kind"] == "READ"]
    assert [e["purpose"] for e in reads] == ["上门走访", "export", "核实信息"]
    assert [e["residentName"] for e in reads] == ["H1b-y", None, "H1a-x"]
    holdings = [e for e in everything if e["kind"] == "DEVICE_HOLDS"]
    assert sorted(e["residentName"] for e in holdings) == ["H1a-x", "H1a-y", "H1a2-x", "H1a2-y"]
    assert [e["at"] for e in everything] == sorted((e["at"] for e in everything), reverse=True)

    by_chief = await log(a=str(world.accounts["chief1"]))
    assert [e["purpose"] for e in by_chief] == ["上门走访"]
    by_member = await log(a=str(world.accounts["member1a"]))
    assert {e["kind"] for e in by_member} == {"DEVICE_HOLDS"} and len(by_member) == 4
    assert [e["purpose"] for e in await log(p="export")] == ["export"]
    assert {e["kind"] for e in await log(p="sync")} == {"DEVICE_HOLDS"}
    assert [e["purpose"] for e in await log(k="READ")] == ["上门走访", "export", "核实信息"]
    assert len(await log(k="DEVICE_HOLDS", p="export")) == 0
    window = await log(
        s=(start + timedelta(hours=1)).isoformat(), u=(start + timedelta(days=2)).isoformat()
    )
    assert [e["purpose"] for e in window] == ["export"], "since inclusive, until exclusive"
    assert len(await log(f=2)) == 2
    assert [e["purpose"] for e in await log(k="READ", f=1)] == ["上门走访"]


async def test_a_reveal_through_the_api_is_found_by_its_purpose(api: Api, world: World) -> None:
    chief = await api.login("chief1")
    resident = str(world.residents["H1a-y"])
    assert (await api.ok(REVEAL, {"id": resident, "p": "紧急联系"}, chief))["revealPersonalData"][
        "__typename"
    ] == "PersonalData"
    admin = await api.login("admin")
    [entry] = (await api.ok(LOG, {"p": "紧急联系"}, admin))["personalDataAccessLog"]
    assert (entry["accountName"], entry["residentId"], entry["residentName"]) == (
        "chief1",
        resident,
        "H1a-y",
    )


async def test_bad_access_log_filters_are_typed_errors_and_only_the_admin_reads_it(
    api: Api, world: World
) -> None:
    admin = await api.login("admin")
    for variables, field in (
        ({"f": 0}, "first"),
        ({"f": 501}, "first"),
        ({"s": "2026-03-02T00:00:00+00:00", "u": "2026-03-01T00:00:00+00:00"}, "until"),
        ({"s": "2026-03-02T00:00:00"}, "since"),
    ):
        body = await api.post(LOG, variables, admin)
        assert _error(body) == "INVALID_INPUT", body
        assert body["errors"][0]["extensions"]["field"] == field, body
        assert any("\u4e00" <= ch <= "\u9fff" for ch in body["errors"][0]["message"]), body
    for name in ("chief1", "member1a"):
        body = await api.post(LOG, {}, await api.login(name))
        assert _error(body) == "FORBIDDEN"
    resident = await resident_token(api, world, "H1a-x")
    assert _error(await api.post(LOG, {}, resident)) == "FORBIDDEN"
    assert _error(await api.post(INBOX, {}, resident)) == "FORBIDDEN"
    assert _error(await api.post(LOG, {})) == "UNAUTHENTICATED"


async def test_the_access_log_costs_the_same_statements_for_few_or_many_entries(
    api: Api, world: World, database: Database
) -> None:
    await _reads(database, world)
    admin = await api.login("admin")
    with counting_statements(database) as small:
        assert len((await api.ok(LOG, {}, admin))["personalDataAccessLog"]) == 3
    async with database.transaction() as session:
        for number in range(80):
            session.add(
                PersonalDataAccess(
                    community_id=world.community,
                    account_id=world.accounts["chief1"],
                    resident_id=world.residents[("H1a-x", "H1b-y", "H2a-x")[number % 3]],
                    purpose="上门走访",
                )
            )
    with counting_statements(database) as large:
        assert len((await api.ok(LOG, {}, admin))["personalDataAccessLog"]) == 83
    assert len(large) == len(small)


# --- the conflict inbox ----------------------------------------------------------------------


async def test_a_conflict_names_its_subject_account_device_and_grid(api: Api, world: World) -> None:
    """A phone edits a phone number from a base the server has since changed."""
    member = await api.login("member1a")
    phone = Phone(api, member)
    base = next(d for d in await phone.pull_all("resident") if d["name"] == "H1a-y")
    other = Phone(api, await api.login("chief1"))
    await other.push("resident", [row(edited(base, phone="13900000001"), base)])
    await phone.push("resident", [row(edited(base, phone="13900000002"), base)])
    [conflict] = (await api.ok(INBOX, token=await api.login("chief1")))["syncConflicts"]
    assert conflict["field"] == "phone"
    assert conflict["subject"] == "H1a-y（H1a1）"  # name (building + unit), never the room
    assert (conflict["accountName"], conflict["gridName"]) == ("member1a", "M1a")
    assert conflict["deviceName"] is not None
    assert (conflict["serverValue"], conflict["deviceValue"]) == ("13900000001", "13900000002")
    assert (await api.ok(INBOX, token=await api.login("chief2")))["syncConflicts"] == []


async def _add_conflicts(database: Database, world: World, count: int) -> None:
    async with database.transaction() as session:
        device = Device(
            id=uuid.uuid4(),
            community_id=world.community,
            account_id=world.accounts["chief1"],
            name="p",
        )
        session.add(device)
        await session.flush()
        for number in range(count):
            resident = ("H1a-x", "H1b-y")[number % 2]
            household = ("H1a", "H1b")[number % 2]
            for collection, document in (
                ("resident", world.residents[resident]),
                ("household", world.households[household]),
            ):
                session.add(
                    SyncConflict(
                        community_id=world.community,
                        collection=collection,
                        document_id=document,
                        field="phone" if collection == "resident" else "room",
                        policy="inbox",
                        base_value="a",
                        server_value="b",
                        device_value=f"c{number}",
                        device_id=device.id,
                        account_id=world.accounts[("chief1", "member1a")[number % 2]],
                        grid_id=world.grids[("M1a", "M1b")[number % 2]],
                        status=ConflictStatus.OPEN,
                        dedupe_key=uuid.uuid4().hex,
                    )
                )


async def test_the_inbox_costs_the_same_statements_for_2_or_80_conflicts(
    api: Api, world: World, database: Database
) -> None:
    chief = await api.login("chief1")
    await _add_conflicts(database, world, 1)
    await api.ok(INBOX, token=chief)  # the process reads the grid tree once, then keeps it
    with counting_statements(database) as small:
        found = (await api.ok(INBOX, token=chief))["syncConflicts"]
    assert len(found) == 2 and all(c["subject"] and c["deviceName"] == "p" for c in found)
    await _add_conflicts(database, world, 39)
    with counting_statements(database) as large:
        found = (await api.ok(INBOX, token=chief))["syncConflicts"]
    assert len(found) == 80 and all(c["subject"] and c["gridName"] for c in found)
    assert len(large) == len(small)

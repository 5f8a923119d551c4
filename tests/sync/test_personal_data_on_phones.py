"""Which personal data reaches which phone: full contact phones (logged), masked ID numbers,
the birth year only, and no two fields that together rebuild a masked one."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import update

from domain.database import Database
from domain.models import Resident
from domain.personal_data import id_number_check_digit
from tests.api_client import Api
from tests.sync.client import Phone
from tests.world import World

LOGIN = """mutation($u: String!, $d: String!) { login(username: $u,
    password: "correct-horse-battery", deviceName: $d) {
    ... on AuthSession { accessToken deviceId } ... on Error { code } } }"""
REVEAL = """mutation($id: UUID!) { revealPersonalData(residentId: $id, purpose: "回访") {
    ... on PersonalData { idNumber } ... on Error { code } } }"""
LOG = """query($r: UUID) { personalDataAccessLog(residentId: $r) {
    kind at accountName residentId deviceId deviceName purpose detail } }"""
A_DATE = re.compile(r"(18|19|20)\d\d-?(0[1-9]|1[0-2])-?(0[1-9]|[12]\d|3[01])")


def candidates(masked: str, year: int | None) -> list[str]:
    """Every ID number the masked form and the birth year allow (the check digit shown)."""
    years = [year] if year is not None else range(1900, 2030)
    found = []
    for y in years:
        day = date(y, 1, 1)
        for _ in range(366 if calendar.isleap(y) else 365):
            first17 = f"{masked[:6]}{day:%Y%m%d}{masked[14:17]}"
            if id_number_check_digit(first17) == masked[17]:
                found.append(first17 + masked[17])
            day += timedelta(days=1)
    return found


async def _login(api: Api, username: str, device: str) -> tuple[str, str]:
    data = await api.ok(LOGIN, {"u": username, "d": device})
    return data["login"]["accessToken"], data["login"]["deviceId"]


@pytest.mark.parametrize("username", ["admin", "member1a"])
async def test_a_pull_sends_the_birth_year_and_no_fields_that_rebuild_the_id_number(
    api: Api, world: World, username: str
) -> None:
    token, _ = await _login(api, username, "phone")
    phone = Phone(api, token)
    pulled = [doc for doc in await phone.pull_all("resident") if not doc["deleted"]]
    assert pulled
    for doc in pulled:
        assert "birthDate" not in doc
        for key, value in doc.items():
            if key in ("id", "householdId"):
                continue  # UUIDs: hex digits may look like a date
            assert not (isinstance(value, str) and A_DATE.search(value)), (doc, value)
        assert doc["birthYear"] == 1980.0  # every resident of the world was born 1980-01-01
        full = (await api.ok(REVEAL, {"id": doc["id"]}, token))["revealPersonalData"]
        possible = candidates(doc["idNumber"], int(doc["birthYear"]))
        assert full["idNumber"] in possible
        assert len(possible) > 1, doc  # the year narrows it to a few dozen, never to one


async def test_the_year_is_the_birth_dates_year(api: Api, world: World, database: Database) -> None:
    """(``tests/sync/test_fast_pull.py`` compares the two pull paths on random birth dates.)"""
    async with database.transaction() as session:
        await session.execute(
            update(Resident)
            .where(Resident.id == world.residents["H1a-x"])
            .values(birth_date=date(1947, 12, 31))
        )
    token, _ = await _login(api, "member1a", "phone")
    years = {doc["name"]: doc["birthYear"] for doc in await Phone(api, token).pull_all("resident")}
    assert years["H1a-x"] == 1947.0
    assert years["H1a-y"] == 1980.0


async def test_the_access_log_shows_which_phone_holds_whose_full_phone_since_when(
    api: Api, world: World, database: Database
) -> None:
    admin = await api.login("admin")
    assert (await api.ok(LOG, {"r": None}, admin))["personalDataAccessLog"] == []
    token, device = await _login(api, "member1a", "王师傅的手机")
    phone = Phone(api, token)
    await phone.pull_all("resident")
    log = (await api.ok(LOG, {"r": None}, admin))["personalDataAccessLog"]
    holds = {e["residentId"]: e for e in log if e["kind"] == "DEVICE_HOLDS"}
    covered = {str(world.residents[k]) for k in ("H1a-x", "H1a-y", "H1a2-x", "H1a2-y")}
    assert set(holds) == covered  # the phone holds exactly its households' full phones
    entry = holds[str(world.residents["H1a-x"])]
    assert (entry["deviceId"], entry["deviceName"], entry["accountName"]) == (
        device,
        "王师傅的手机",
        "member1a",
    )
    assert entry["detail"] == "phone (full), ID number (masked), birth year"
    since = entry["at"]

    await api.ok(REVEAL, {"id": str(world.residents["H1a-x"])}, token)
    await phone.pull_all("resident")  # nothing new: still held since the first pull
    mine = (await api.ok(LOG, {"r": str(world.residents["H1a-x"])}, admin))["personalDataAccessLog"]
    assert [(e["kind"], e["purpose"]) for e in mine] == [("READ", "回访"), ("DEVICE_HOLDS", "sync")]
    assert mine[1]["at"] == since

    async with database.transaction() as session:
        gone = await session.get(Resident, world.residents["H1a-y"])
        assert gone is not None
        gone.deleted = True
    [tombstone] = await phone.pull("resident")
    assert tombstone["deleted"] is True
    log = (await api.ok(LOG, {"r": None}, admin))["personalDataAccessLog"]
    assert str(world.residents["H1a-y"]) not in {
        e["residentId"] for e in log if e["kind"] == "DEVICE_HOLDS"
    }


async def test_only_the_admin_reads_the_access_log(api: Api, world: World) -> None:
    body = await api.post(LOG, {"r": None}, await api.login("chief1"))
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_no_graphql_read_of_a_resident_carries_the_full_birth_date(
    api: Api, world: World
) -> None:
    """Staff read the masked ID number beside the year only, as phones do."""
    for type_name in ("Resident", "ResidentDocument"):
        data = await api.ok(
            "query($t: String!) { __type(name: $t) { fields { name } } }", {"t": type_name}
        )
        names = {field["name"] for field in data["__type"]["fields"]}
        assert "idNumber" in names and "birthYear" in names
        assert not {name for name in names if "birth" in name.lower()} - {"birthYear"}

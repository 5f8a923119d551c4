"""Residents' personal data (PIPL): masked in lists, full only on a logged request, never in clear.

Only the staff whose posts cover a household (and the admin) and the resident themself see a
resident's phone and ID number, and even they get the masked form in lists; the full value is
``revealPersonalData``, one resident at a time, and every call leaves a row in
``personal_data_access``.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from sqlalchemy import select, text

from domain.database import Database
from domain.models import PersonalDataAccess
from tests.api_client import Api
from tests.world import CIPHER, World, id_number

# --- helpers ---------------------------------------------------------------------------------

# tests/world.py numbers the residents in the order it creates them: H1a-x is 1, H1a-y 2, ...
RESIDENT_ORDER = [f"{h}-{p}" for h in ("H1a", "H1a2", "H1b", "H2a", "HB") for p in "xy"]


def phone_of(resident: str) -> str:
    return f"1380000{RESIDENT_ORDER.index(resident) + 1:04d}"


def id_number_of(resident: str) -> str:
    return id_number(RESIDENT_ORDER.index(resident) + 1)


MASKED_PHONE = re.compile(r"^1[3-9]\d\*{4}\d{4}$")
MASKED_ID_NUMBER = re.compile(r"^\d{6}\*{8}\d{3}[\dX]$")

RESIDENT_FIELDS = (
    "id name phone { value hiddenReason } idNumber { value hiddenReason } "
    "tags birthYear partyMember"
)
ONE_RESIDENT = (
    f"query($id: UUID!) {{ resident(id: $id) {{ ... on Resident {{ {RESIDENT_FIELDS} }} }} }}"
)
REVEAL = """mutation($id: UUID!, $purpose: String!) {
  revealPersonalData(residentId: $id, purpose: $purpose) {
    __typename
    ... on PersonalData { residentId phone idNumber room }
    ... on Error { code message }
    ... on InvalidInputError { field }
  }
}"""


async def resident_token(api: Api, world: World, resident: str) -> str:
    admin = await api.login("admin")
    issued = await api.ok(
        """mutation($r: UUID!) { issueLoginCode(residentId: $r) {
             __typename ... on LoginCode { code } } }""",
        {"r": str(world.residents[resident])},
        admin,
    )
    session = await api.ok(
        """mutation($c: String!) { loginWithCode(code: $c) {
             __typename ... on AuthSession { accessToken } } }""",
        {"c": issued["issueLoginCode"]["code"]},
    )
    return str(session["loginWithCode"]["accessToken"])


async def token_for(api: Api, world: World, role: str) -> str | None:
    if role == "anonymous":
        return None
    if role == "resident":
        return await resident_token(api, world, "H1a-x")
    return await api.login(role)


async def account_id_of(api: Api, token: str) -> uuid.UUID:
    data = await api.ok("{ viewer { accountId } }", token=token)
    return uuid.UUID(data["viewer"]["accountId"])


async def access_log(db: Database) -> list[tuple[uuid.UUID, uuid.UUID | None, str]]:
    async with db.read() as session:
        rows = await session.execute(
            select(
                PersonalDataAccess.account_id,
                PersonalDataAccess.resident_id,
                PersonalDataAccess.purpose,
            )
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def by_name(edges: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {edge["node"]["name"]: edge["node"] for edge in edges}


def masked(value: str) -> dict[str, Any]:
    return {"value": value, "hiddenReason": None}


HIDDEN = {"value": None, "hiddenReason": "NOT_COVERED"}


# --- masked in lists -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "residents"),
    [
        ("admin", RESIDENT_ORDER[:8]),
        ("chief1", RESIDENT_ORDER[:6]),
        ("member1a", RESIDENT_ORDER[:4]),
    ],
)
async def test_covering_staff_see_masked_phones_and_id_numbers_in_lists(
    api: Api, world: World, database: Database, role: str, residents: list[str]
) -> None:
    token = await api.login(role)
    data = await api.ok(
        f"{{ residents(first: 100) {{ edges {{ node {{ {RESIDENT_FIELDS} }} }} }} }}", token=token
    )
    seen = by_name(data["residents"]["edges"])
    assert sorted(seen) == sorted(residents)
    for name, node in seen.items():
        phone, number = phone_of(name), id_number_of(name)
        assert node["phone"] == masked(f"{phone[:3]}****{phone[-4:]}"), name
        assert node["idNumber"] == masked(f"{number[:6]}********{number[-4:]}"), name
        assert MASKED_PHONE.match(node["phone"]["value"])
        assert MASKED_ID_NUMBER.match(node["idNumber"]["value"])
    assert seen["H1a-x"]["phone"]["value"] == "138****0001"
    assert seen["H1a-x"]["idNumber"]["value"] == "120104********001" + id_number_of("H1a-x")[-1]
    assert await access_log(database) == [], "masked lists are not a logged full read"


async def test_the_household_path_carries_the_same_masked_values(api: Api, world: World) -> None:
    token = await api.login("member1a")
    data = await api.ok(
        f"""{{ households(first: 100) {{ edges {{ node {{ building room {{ value hiddenReason }}
               residents {{ {RESIDENT_FIELDS} }} }} }} }} }}""",
        token=token,
    )
    households = {edge["node"]["building"]: edge["node"] for edge in data["households"]["edges"]}
    assert households["H1a"]["room"] == masked("101")
    residents = {node["name"]: node for node in households["H1a"]["residents"]}
    assert residents["H1a-y"]["phone"] == masked("138****0002")
    assert residents["H1a-y"]["idNumber"]["value"] == "120104********" + id_number_of("H1a-y")[-4:]


async def test_a_resident_sees_their_own_data_masked_and_a_housemate_s_hidden(
    api: Api, world: World
) -> None:
    token = await resident_token(api, world, "H1a-x")
    in_list = by_name(
        (
            await api.ok(
                f"{{ residents {{ edges {{ node {{ {RESIDENT_FIELDS} }} }} }} }}", token=token
            )
        )["residents"]["edges"]
    )
    household = (
        await api.ok(
            f"{{ viewer {{ household {{ room {{ value hiddenReason }} "
            f"residents {{ {RESIDENT_FIELDS} }} }} }} }}",
            token=token,
        )
    )["viewer"]["household"]
    via_household = {node["name"]: node for node in household["residents"]}
    one = {}
    for name in ("H1a-x", "H1a-y"):
        answer = await api.ok(
            ONE_RESIDENT,
            {"id": str(world.residents[name])},
            token,
        )
        one[name] = answer["resident"]

    assert household["room"] == masked("101")
    for view in (in_list, via_household, one):
        assert sorted(view) == ["H1a-x", "H1a-y"]
        assert view["H1a-x"]["phone"] == masked("138****0001")
        assert view["H1a-x"]["idNumber"] == masked("120104********" + id_number_of("H1a-x")[-4:])
        assert view["H1a-y"]["phone"] == HIDDEN
        assert view["H1a-y"]["idNumber"] == HIDDEN
        own, housemate = view["H1a-x"], view["H1a-y"]
        assert (own["tags"], own["birthYear"], own["partyMember"]) == (["高龄老人"], 1980, False)
        assert (housemate["tags"], housemate["birthYear"], housemate["partyMember"]) == (
            None,
            None,
            None,
        )


# --- the full value: one logged request ------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "chief1", "member1a", "resident"])
async def test_reveal_gives_the_full_values_to_covering_staff_and_the_resident_and_logs_it(
    api: Api, world: World, database: Database, role: str
) -> None:
    token = await token_for(api, world, role)
    assert token is not None
    account = await account_id_of(api, token)
    resident = world.residents["H1a-x"]
    data = await api.ok(REVEAL, {"id": str(resident), "purpose": "上门回访"}, token)
    assert data["revealPersonalData"] == {
        "__typename": "PersonalData",
        "residentId": str(resident),
        "phone": "13800000001",
        "idNumber": id_number_of("H1a-x"),
        "room": "101",
    }
    assert await access_log(database) == [(account, resident, "上门回访")]


@pytest.mark.parametrize(
    ("role", "resident", "typename", "code"),
    [
        ("nopost", "H1a-x", "NotFoundError", "NOT_FOUND"),
        ("chief2", "H1a-x", "NotFoundError", "NOT_FOUND"),
        ("member1a", "H1b-x", "NotFoundError", "NOT_FOUND"),
        ("resident", "H1a-y", "ForbiddenError", "FORBIDDEN"),
        ("resident", "H1a2-x", "NotFoundError", "NOT_FOUND"),
        ("anonymous", "H1a-x", "UnauthenticatedError", "UNAUTHENTICATED"),
        ("admin-b", "H1a-x", "NotFoundError", "NOT_FOUND"),
        ("staff-b", "H1a-x", "NotFoundError", "NOT_FOUND"),
        ("admin", "HB-x", "NotFoundError", "NOT_FOUND"),
    ],
)
async def test_reveal_is_refused_to_everyone_else_and_logs_nothing(
    api: Api,
    world: World,
    database: Database,
    role: str,
    resident: str,
    typename: str,
    code: str,
) -> None:
    token = await token_for(api, world, role)
    data = await api.ok(REVEAL, {"id": str(world.residents[resident]), "purpose": "好奇"}, token)
    answer = data["revealPersonalData"]
    assert (answer["__typename"], answer["code"]) == (typename, code)
    assert "phone" not in answer and "idNumber" not in answer
    assert await access_log(database) == []


async def test_every_reveal_writes_its_own_access_row(
    api: Api, world: World, database: Database
) -> None:
    token = await api.login("chief1")
    account = await account_id_of(api, token)
    calls = [("H1a-x", "回访"), ("H1a-x", "回访"), ("H1b-y", "核实身份")]
    for resident, purpose in calls:
        data = await api.ok(
            REVEAL, {"id": str(world.residents[resident]), "purpose": purpose}, token
        )
        assert data["revealPersonalData"]["__typename"] == "PersonalData"
    assert sorted(await access_log(database), key=str) == sorted(
        ((account, world.residents[r], p) for r, p in calls), key=str
    )


@pytest.mark.parametrize("purpose", ["", "   ", "x" * 10_000])
async def test_reveal_without_a_sensible_purpose_is_invalid_and_logs_nothing(
    api: Api, world: World, database: Database, purpose: str
) -> None:
    token = await api.login("admin")
    data = await api.ok(REVEAL, {"id": str(world.residents["H1a-x"]), "purpose": purpose}, token)
    answer = data["revealPersonalData"]
    assert (answer["__typename"], answer["field"]) == ("InvalidInputError", "purpose")
    assert await access_log(database) == []


# --- at rest ---------------------------------------------------------------------------------


async def raw_resident_rows(db: Database) -> dict[uuid.UUID, dict[str, Any]]:
    async with db.read() as session:
        rows = (await session.execute(text("SELECT * FROM resident"))).mappings().all()
    return {uuid.UUID(str(row["id"])): dict(row) for row in rows}


async def test_id_numbers_are_not_stored_in_clear_in_the_resident_table(
    api: Api, world: World, database: Database
) -> None:
    rows = await raw_resident_rows(database)
    assert len(rows) == len(RESIDENT_ORDER)
    for name in RESIDENT_ORDER:
        row, number = rows[world.residents[name]], id_number_of(name)
        for column, value in row.items():
            assert number[:17] not in str(value), (name, column)
        assert row["id_number_masked"] == f"{number[:6]}********{number[-4:]}"
        assert row["id_number_hash"] == CIPHER.lookup_hash(number)
        assert CIPHER.decrypt(row["id_number_cipher"]) == number


async def test_an_id_number_given_through_the_api_is_stored_encrypted(
    api: Api, world: World, database: Database
) -> None:
    number = id_number(105, born="20150607")
    assert number.endswith("X")  # sent in lower case with spaces: stored normalised
    token = await api.login("admin")
    data = await api.ok(
        """mutation($h: UUID!, $n: String!) { createResident(householdId: $h,
             fields: {name: "新生", idNumber: $n}) {
             __typename ... on Resident { id idNumber { value } birthYear } } }""",
        {"h": str(world.households["H1a"]), "n": f" {number.lower()} "},
        token,
    )
    created = data["createResident"]
    assert created["__typename"] == "Resident", created
    assert created["idNumber"]["value"] == f"{number[:6]}********{number[-4:]}"
    assert created["birthYear"] == 2015
    row = (await raw_resident_rows(database))[uuid.UUID(created["id"])]
    for column, value in row.items():
        assert number[:17] not in str(value), column
    assert CIPHER.decrypt(row["id_number_cipher"]) == number

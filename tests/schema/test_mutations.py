"""Creating, changing and soft-deleting grids, posts, households and residents through the API.

Every success is read back through the API; every bad input answers with its typed error (and
the offending ``field`` for an ``InvalidInputError``) and leaves the database exactly as it was.
The world is tests/world.py: G1 (M1a, M1b) and G2 (M2a) in community A, GB (MB) in B.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, NamedTuple

import pytest
from sqlalchemy import select, text

from domain.database import Database
from domain.models import Grid, Household, Resident, Synced
from domain.personal_data import id_number_check_digit
from tests.api_client import Api
from tests.world import World, id_number

# --- helpers ---------------------------------------------------------------------------------

ARGUMENT_TYPES = {
    "id": "UUID!",
    "name": "String!",
    "parentId": "UUID",
    "accountId": "UUID!",
    "gridId": "UUID!",
    "role": "PostRole!",
    "building": "String!",
    "unit": "String!",
    "room": "String!",
    "changes": "HouseholdChanges!",
    "householdId": "UUID!",
    "postId": "UUID",
    "fields": "ResidentFields!",
    "residentId": "UUID!",
    "purpose": "String!",
}

ERRORS = "__typename ... on Error { code message } ... on InvalidInputError { field }"
GRID = "... on Grid { id name level parentId parent { name } }"
POST = "... on GridPost { id role grid { name } account { displayName } }"
HOUSEHOLD = "... on Household { id building unit room { value } gridId contactPostId }"
RESIDENT = """... on Resident { id name householdId phone { value hiddenReason }
              idNumber { value } birthYear tags partyMember }"""
DELETED = "... on Deleted { id }"


class Ref(NamedTuple):
    """A world object named in a case table, resolved to its id when the test runs."""

    kind: str
    key: str


def grid(key: str) -> Ref:
    return Ref("grids", key)


def post(key: str) -> Ref:
    return Ref("posts", key)


def account(key: str) -> Ref:
    return Ref("accounts", key)


def household(key: str) -> Ref:
    return Ref("households", key)


def resident(key: str) -> Ref:
    return Ref("residents", key)


UNKNOWN = Ref("unknown", "")


def resolve(value: Any, world: World) -> Any:
    if isinstance(value, Ref):
        return (
            str(uuid.uuid4())
            if value.kind == "unknown"
            else str(getattr(world, value.kind)[value.key])
        )
    if isinstance(value, dict):
        return {key: resolve(item, world) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve(item, world) for item in value]
    return value


@dataclass(frozen=True)
class Call:
    mutation: str
    arguments: dict[str, Any]

    def document(self, selection: str) -> str:
        signature = ", ".join(f"${name}: {ARGUMENT_TYPES[name]}" for name in self.arguments)
        passed = ", ".join(f"{name}: ${name}" for name in self.arguments)
        return (
            f"mutation({signature}) {{ result: {self.mutation}({passed}) "
            f"{{ {ERRORS} {selection} }} }}"
        )


def call(mutation: str, **arguments: Any) -> Call:
    return Call(mutation, arguments)


async def run(
    api: Api, world: World, token: str, action: Call, selection: str = ""
) -> dict[str, Any]:
    data = await api.ok(action.document(selection), resolve(action.arguments, world), token)
    return dict(data["result"])


async def succeed(
    api: Api, world: World, token: str, action: Call, selection: str, typename: str
) -> dict[str, Any]:
    result = await run(api, world, token, action, selection)
    assert result["__typename"] == typename, result
    return result


async def snapshot(db: Database) -> dict[str, list[str]]:
    tables = ("change_counter", "grid", "grid_post", "account", "household", "resident")
    found: dict[str, list[str]] = {}
    async with db.read() as session:
        for table in tables:
            rows = (await session.execute(text(f"SELECT * FROM {table}"))).all()
            found[table] = sorted(repr(tuple(row)) for row in rows)
    return found


async def stored_deleted_flag(db: Database, model: type[Synced], row_id: str) -> bool:
    """The row is still there (a soft delete syncs out to devices), flagged deleted."""
    async with db.read() as session:
        value = await session.scalar(select(model.deleted).where(model.id == uuid.UUID(row_id)))
    assert value is not None, "the row must still exist"
    return bool(value)


async def resident_account(api: Api, world: World, key: str) -> str:
    """A resident logs in once with a code, which gives them an account; its id."""
    admin = await api.login("admin")
    issued = await run(
        api,
        world,
        admin,
        call("issueLoginCode", residentId=resident(key)),
        "... on LoginCode { code }",
    )
    session = await api.ok(
        """mutation($c: String!) { loginWithCode(code: $c) {
             ... on AuthSession { viewer { accountId } } } }""",
        {"c": issued["code"]},
    )
    return str(session["loginWithCode"]["viewer"]["accountId"])


def with_wrong_check_digit(number: str) -> str:
    wrong = "0" if number[-1] != "0" else "1"
    return number[:17] + wrong


def with_impossible_birth_date() -> str:
    first17 = "120104" + "19800231" + "001"
    return first17 + id_number_check_digit(first17)


TAKEN_ID_NUMBER = id_number(1)  # H1a-x's
FRESH_ID_NUMBER = id_number(500, born="20150607")


def in_other_digits(number: str, zero: str) -> str:
    """The same digits from another Unicode block (``zero`` is that block's 0); X stays."""
    return "".join(chr(ord(zero) + int(c)) if c.isdigit() else c for c in number)


def registered_id_number_in_disguise(zero: str) -> str:
    """H1a-x's ID number with the 17 leading digits in, say, full width: the same person."""
    return in_other_digits(TAKEN_ID_NUMBER[:17], zero) + TAKEN_ID_NUMBER[17]


FULL_WIDTH_ZERO, ARABIC_INDIC_ZERO = "\uff10", "\u0660"
LONG = "長" * 10_000

# --- grids -----------------------------------------------------------------------------------


async def test_an_admin_builds_renames_and_soft_deletes_grid_nodes(
    api: Api, world: World, database: Database
) -> None:
    token = await api.login("admin")
    top = await succeed(api, world, token, call("createGrid", name=" 三网格 "), GRID, "Grid")
    assert (top["name"], top["level"], top["parentId"]) == ("三网格", "GRID", None)
    world.grids["G3"] = uuid.UUID(top["id"])
    below = await succeed(
        api, world, token, call("createGrid", name="七号楼", parentId=grid("G3")), GRID, "Grid"
    )
    assert (below["level"], below["parentId"], below["parent"]) == (
        "MICRO_GRID",
        top["id"],
        {"name": "三网格"},
    )
    world.grids["M3a"] = uuid.UUID(below["id"])
    renamed = await succeed(
        api, world, token, call("renameGrid", id=grid("M3a"), name="七号楼一单元"), GRID, "Grid"
    )
    assert renamed["name"] == "七号楼一单元"
    tree = await api.ok("{ grids { id name children { name } } }", token=token)
    nodes = {node["id"]: node for node in tree["grids"]}
    assert nodes[top["id"]]["children"] == [{"name": "七号楼一单元"}]

    refused = await run(api, world, token, call("deleteGrid", id=grid("G3")))
    assert (refused["__typename"], refused["code"]) == ("ConflictError", "CONFLICT")
    for key in ("M3a", "G3"):
        deleted = await succeed(
            api, world, token, call("deleteGrid", id=grid(key)), DELETED, "Deleted"
        )
        assert deleted["id"] == str(world.grids[key])
        assert await stored_deleted_flag(database, Grid, deleted["id"])
    tree = await api.ok("{ grids { id } }", token=token)
    assert {node["id"] for node in tree["grids"]} == {
        str(world.grids[k]) for k in ("G1", "M1a", "M1b", "G2", "M2a")
    }
    gone = await api.ok(
        "query($id: UUID!) { grid(id: $id) { __typename } }", {"id": top["id"]}, token
    )
    assert gone["grid"]["__typename"] == "NotFoundError"


# --- posts -----------------------------------------------------------------------------------


async def test_a_post_covers_its_grid_at_once_and_stops_when_withdrawn(
    api: Api, world: World
) -> None:
    admin, staff = await api.login("admin"), await api.login("nopost")
    households = "{ households { edges { node { building } } } }"
    assert (await api.ok(households, token=staff))["households"]["edges"] == []

    created = await succeed(
        api,
        world,
        admin,
        call(
            "createGridPost",
            accountId=account("nopost"),
            gridId=grid("M1b"),
            role="MICRO_GRID_MEMBER",
        ),
        POST,
        "GridPost",
    )
    assert (created["role"], created["grid"], created["account"]) == (
        "MICRO_GRID_MEMBER",
        {"name": "M1b"},
        {"displayName": "nopost"},
    )
    on_grid = await api.ok(
        "query($g: UUID!) { posts(gridId: $g) { id } }", {"g": str(world.grids["M1b"])}, admin
    )
    assert on_grid["posts"] == [{"id": created["id"]}]
    assert (await api.ok(households, token=staff))["households"]["edges"] == [
        {"node": {"building": "H1b"}}
    ]

    world.posts["new"] = uuid.UUID(created["id"])
    await succeed(api, world, admin, call("deleteGridPost", id=post("new")), DELETED, "Deleted")
    assert (await api.ok(households, token=staff))["households"]["edges"] == []
    assert created["id"] not in {
        p["id"] for p in (await api.ok("{ posts { id } }", token=admin))["posts"]
    }
    again = await run(api, world, admin, call("deleteGridPost", id=post("new")))
    assert again["code"] == "NOT_FOUND"


async def test_a_resident_s_account_cannot_hold_a_post(
    api: Api, world: World, database: Database
) -> None:
    world.accounts["resident"] = uuid.UUID(await resident_account(api, world, "H1a-x"))
    token = await api.login("admin")
    before = await snapshot(database)
    result = await run(
        api,
        world,
        token,
        call(
            "createGridPost",
            accountId=account("resident"),
            gridId=grid("M1a"),
            role="MICRO_GRID_MEMBER",
        ),
    )
    assert (result["__typename"], result["field"]) == ("InvalidInputError", "accountId")
    assert await snapshot(database) == before


# --- households ------------------------------------------------------------------------------


async def test_staff_create_change_and_soft_delete_a_household(
    api: Api, world: World, database: Database
) -> None:
    token = await api.login("chief1")
    created = await succeed(
        api,
        world,
        token,
        call("createHousehold", gridId=grid("M1b"), building=" 5 ", unit="2", room="301"),
        HOUSEHOLD,
        "Household",
    )
    assert (created["building"], created["unit"], created["room"], created["gridId"]) == (
        "5",
        "2",
        {"value": "301"},
        str(world.grids["M1b"]),
    )
    world.households["new"] = uuid.UUID(created["id"])
    changed = await succeed(
        api,
        world,
        token,
        call("updateHousehold", id=household("new"), changes={"room": "302"}),
        HOUSEHOLD,
        "Household",
    )
    assert (changed["building"], changed["room"]) == ("5", {"value": "302"})

    deleted = await succeed(
        api, world, token, call("deleteHousehold", id=household("new")), DELETED, "Deleted"
    )
    assert await stored_deleted_flag(database, Household, deleted["id"])
    listed = await api.ok("{ households { edges { node { id } } } }", token=token)
    assert created["id"] not in {edge["node"]["id"] for edge in listed["households"]["edges"]}
    gone = await api.ok(
        "query($id: UUID!) { household(id: $id) { __typename } }", {"id": created["id"]}, token
    )
    assert gone["household"]["__typename"] == "NotFoundError"
    reused = call("createHousehold", gridId=grid("M1b"), building="5", unit="2", room="302")
    await succeed(api, world, token, reused, HOUSEHOLD, "Household")


async def test_moving_a_household_to_another_micro_grid_clears_its_contact(
    api: Api, world: World
) -> None:
    token = await api.login("chief1")
    moved = await succeed(
        api,
        world,
        token,
        call("updateHousehold", id=household("H1a"), changes={"gridId": grid("M1b")}),
        HOUSEHOLD,
        "Household",
    )
    assert (moved["gridId"], moved["contactPostId"]) == (str(world.grids["M1b"]), None)


async def test_moving_a_household_keeps_a_contact_whose_post_still_covers_it(
    api: Api, world: World
) -> None:
    token = await api.login("chief1")
    await succeed(
        api,
        world,
        token,
        call("assignHouseholdContact", householdId=household("H1a"), postId=post("chief1")),
        HOUSEHOLD,
        "Household",
    )
    moved = await succeed(
        api,
        world,
        token,
        call("updateHousehold", id=household("H1a"), changes={"gridId": grid("M1b")}),
        HOUSEHOLD,
        "Household",
    )
    assert (moved["gridId"], moved["contactPostId"]) == (
        str(world.grids["M1b"]),
        str(world.posts["chief1"]),
    )


async def test_an_address_taken_in_another_community_is_free_here(api: Api, world: World) -> None:
    token = await api.login("admin")
    same_as_hb = call("createHousehold", gridId=grid("M1a"), building="HB", unit="1", room="101")
    await succeed(api, world, token, same_as_hb, HOUSEHOLD, "Household")


# --- residents -------------------------------------------------------------------------------


async def test_staff_register_change_move_and_soft_delete_a_resident(
    api: Api, world: World, database: Database
) -> None:
    token = await api.login("member1a")
    fields = {
        "name": " 王小明 ",
        "phone": "138 1234 5678",
        "idNumber": FRESH_ID_NUMBER,
        "tags": ["儿童"],
        "partyMember": False,
    }
    created = await succeed(
        api,
        world,
        token,
        call("createResident", householdId=household("H1a"), fields=fields),
        RESIDENT,
        "Resident",
    )
    assert created["name"] == "王小明"
    assert created["phone"] == {"value": "138****5678", "hiddenReason": None}
    assert created["idNumber"] == {"value": f"{FRESH_ID_NUMBER[:6]}********{FRESH_ID_NUMBER[-4:]}"}
    assert (created["birthYear"], created["tags"], created["partyMember"]) == (
        2015,
        ["儿童"],
        False,
    )
    world.residents["new"] = uuid.UUID(created["id"])

    revealed = await api.ok(
        """mutation($id: UUID!) { revealPersonalData(residentId: $id, purpose: "登记核对") {
             ... on PersonalData { phone idNumber } } }""",
        {"id": created["id"]},
        token,
    )
    assert revealed["revealPersonalData"] == {"phone": "13812345678", "idNumber": FRESH_ID_NUMBER}

    changed = await succeed(
        api,
        world,
        token,
        call(
            "updateResident",
            id=resident("new"),
            fields={
                "name": "王明",
                "phone": None,
                "householdId": household("H1a2"),
                "partyMember": True,
            },
        ),
        RESIDENT,
        "Resident",
    )
    assert (changed["name"], changed["householdId"], changed["partyMember"]) == (
        "王明",
        str(world.households["H1a2"]),
        True,
    )
    assert changed["phone"] == {"value": None, "hiddenReason": None}
    assert changed["idNumber"] == created["idNumber"], "fields left out stay as they are"

    await succeed(api, world, token, call("deleteResident", id=resident("new")), DELETED, "Deleted")
    assert await stored_deleted_flag(database, Resident, created["id"])
    gone = await api.ok(
        "query($id: UUID!) { resident(id: $id) { __typename } }", {"id": created["id"]}, token
    )
    assert gone["resident"]["__typename"] == "NotFoundError"
    listed = await api.ok("{ residents(first: 100) { edges { node { id } } } }", token=token)
    assert created["id"] not in {edge["node"]["id"] for edge in listed["residents"]["edges"]}
    again = call(
        "createResident",
        householdId=household("H1a"),
        fields={"name": "王明", "idNumber": FRESH_ID_NUMBER},
    )
    await succeed(api, world, token, again, RESIDENT, "Resident")


async def test_a_household_with_residents_cannot_be_deleted_until_they_are_gone(
    api: Api, world: World
) -> None:
    token = await api.login("admin")
    refused = await run(api, world, token, call("deleteHousehold", id=household("H1b")))
    assert (refused["__typename"], refused["code"]) == ("ConflictError", "CONFLICT")
    for key in ("H1b-x", "H1b-y"):
        await succeed(
            api, world, token, call("deleteResident", id=resident(key)), DELETED, "Deleted"
        )
    await succeed(
        api, world, token, call("deleteHousehold", id=household("H1b")), DELETED, "Deleted"
    )


# --- red grid contacts -----------------------------------------------------------------------


async def test_a_contact_is_any_post_covering_the_household_and_can_be_cleared(
    api: Api, world: World
) -> None:
    token = await api.login("admin")
    contact = "... on Household { contact { role account { displayName } } }"
    assigned = await succeed(
        api,
        world,
        token,
        call("assignHouseholdContact", householdId=household("H1a2"), postId=post("member1a")),
        contact,
        "Household",
    )
    assert assigned["contact"] == {
        "role": "MICRO_GRID_MEMBER",
        "account": {"displayName": "member1a"},
    }
    from_the_grid_above = await succeed(
        api,
        world,
        token,
        call("assignHouseholdContact", householdId=household("H1b"), postId=post("chief1")),
        contact,
        "Household",
    )
    assert from_the_grid_above["contact"]["role"] == "GRID_CHIEF"
    cleared = await succeed(
        api,
        world,
        token,
        call("assignHouseholdContact", householdId=household("H1a"), postId=None),
        contact,
        "Household",
    )
    assert cleared["contact"] is None


# --- bad input changes nothing ---------------------------------------------------------------


class Expected(NamedTuple):
    typename: str
    code: str
    field: str | None = None


def invalid(field: str) -> Expected:
    return Expected("InvalidInputError", "INVALID_INPUT", field)


CONFLICT = Expected("ConflictError", "CONFLICT")
NOT_FOUND = Expected("NotFoundError", "NOT_FOUND")

BAD_INPUT: dict[str, tuple[Call, Expected]] = {
    # grids
    "grid: empty name": (call("createGrid", name="  "), invalid("name")),
    "grid: 10,000-character name": (call("createGrid", name=LONG), invalid("name")),
    "grid: control character in the name": (call("createGrid", name="a\u0000b"), invalid("name")),
    "grid: zero-width space in the name": (
        call("createGrid", name="一\u200b网格"),
        invalid("name"),
    ),
    "grid: under a micro-grid": (
        call("createGrid", name="x", parentId=grid("M1a")),
        invalid("parentId"),
    ),
    "grid: under an unknown parent": (call("createGrid", name="x", parentId=UNKNOWN), NOT_FOUND),
    "grid: under another community's grid": (
        call("createGrid", name="x", parentId=grid("GB")),
        NOT_FOUND,
    ),
    "grid: renamed to nothing": (call("renameGrid", id=grid("G1"), name=""), invalid("name")),
    "grid: renamed to 10,000 characters": (
        call("renameGrid", id=grid("G1"), name=LONG),
        invalid("name"),
    ),
    "grid: rename an unknown one": (call("renameGrid", id=UNKNOWN, name="x"), NOT_FOUND),
    "grid: delete one with children": (call("deleteGrid", id=grid("G1")), CONFLICT),
    "grid: delete one with households and posts": (call("deleteGrid", id=grid("M1a")), CONFLICT),
    "grid: delete one with households": (call("deleteGrid", id=grid("M1b")), CONFLICT),
    "grid: delete an unknown one": (call("deleteGrid", id=UNKNOWN), NOT_FOUND),
    "grid: delete another community's": (call("deleteGrid", id=grid("MB")), NOT_FOUND),
    # posts
    "post: the same role twice": (
        call(
            "createGridPost",
            accountId=account("member1a"),
            gridId=grid("M1a"),
            role="MICRO_GRID_MEMBER",
        ),
        CONFLICT,
    ),
    "post: for an unknown account": (
        call("createGridPost", accountId=UNKNOWN, gridId=grid("M1a"), role="MICRO_GRID_MEMBER"),
        NOT_FOUND,
    ),
    "post: for another community's account": (
        call(
            "createGridPost",
            accountId=account("staff-b"),
            gridId=grid("M1a"),
            role="MICRO_GRID_MEMBER",
        ),
        NOT_FOUND,
    ),
    "post: on an unknown grid": (
        call("createGridPost", accountId=account("nopost"), gridId=UNKNOWN, role="GRID_MEMBER"),
        NOT_FOUND,
    ),
    "post: withdraw an unknown one": (call("deleteGridPost", id=UNKNOWN), NOT_FOUND),
    "post: withdraw another community's": (call("deleteGridPost", id=post("staff-b")), NOT_FOUND),
    # households
    "household: empty building": (
        call("createHousehold", gridId=grid("M1a"), building="", unit="1", room="1"),
        invalid("building"),
    ),
    "household: blank unit": (
        call("createHousehold", gridId=grid("M1a"), building="1", unit="   ", room="1"),
        invalid("unit"),
    ),
    "household: 10,000-character room": (
        call("createHousehold", gridId=grid("M1a"), building="1", unit="1", room=LONG),
        invalid("room"),
    ),
    "household: on a grid, not a micro-grid": (
        call("createHousehold", gridId=grid("G1"), building="1", unit="1", room="1"),
        invalid("gridId"),
    ),
    "household: on an unknown grid": (
        call("createHousehold", gridId=UNKNOWN, building="1", unit="1", room="1"),
        NOT_FOUND,
    ),
    "household: an address already taken": (
        call("createHousehold", gridId=grid("M1b"), building="H1a", unit="1", room="101"),
        CONFLICT,
    ),
    "household: changed to an address already taken": (
        call("updateHousehold", id=household("H1a2"), changes={"building": "H1a"}),
        CONFLICT,
    ),
    "household: moved onto a grid, not a micro-grid": (
        call("updateHousehold", id=household("H1a"), changes={"gridId": grid("G2")}),
        invalid("gridId"),
    ),
    "household: changed to a 10,000-character building": (
        call("updateHousehold", id=household("H1a"), changes={"building": LONG}),
        invalid("building"),
    ),
    "household: an id already in use": (
        call(
            "createHousehold",
            gridId=grid("M1a"),
            building="9",
            unit="9",
            room="9",
            id=household("H1b"),
        ),
        CONFLICT,
    ),
    "household: change an unknown one": (
        call("updateHousehold", id=UNKNOWN, changes={"room": "1"}),
        NOT_FOUND,
    ),
    "household: delete an unknown one": (call("deleteHousehold", id=UNKNOWN), NOT_FOUND),
    # residents
    "resident: ID number with a wrong check digit": (
        call(
            "createResident",
            householdId=household("H1a"),
            fields={"name": "张三", "idNumber": with_wrong_check_digit(FRESH_ID_NUMBER)},
        ),
        invalid("idNumber"),
    ),
    "resident: ID number with an impossible birth date": (
        call(
            "createResident",
            householdId=household("H1a"),
            fields={"name": "张三", "idNumber": with_impossible_birth_date()},
        ),
        invalid("idNumber"),
    ),
    "resident: 10,000-character ID number": (
        call(
            "createResident",
            householdId=household("H1a"),
            fields={"name": "张三", "idNumber": "1" * 10_000},
        ),
        invalid("idNumber"),
    ),
    "resident: ID number already registered": (
        call(
            "createResident",
            householdId=household("H1b"),
            fields={"name": "张三", "idNumber": TAKEN_ID_NUMBER},
        ),
        CONFLICT,
    ),
    "resident: a registered ID number in full-width digits": (
        call(
            "createResident",
            householdId=household("H1b"),
            fields={"name": "张三", "idNumber": registered_id_number_in_disguise(FULL_WIDTH_ZERO)},
        ),
        invalid("idNumber"),
    ),
    "resident: a registered ID number in Arabic-Indic digits": (
        call(
            "createResident",
            householdId=household("H1b"),
            fields={
                "name": "张三",
                "idNumber": registered_id_number_in_disguise(ARABIC_INDIC_ZERO),
            },
        ),
        invalid("idNumber"),
    ),
    "resident: phone in full-width digits after the prefix": (
        call(
            "createResident",
            householdId=household("H1a"),
            fields={"name": "张三", "phone": "13" + in_other_digits("812345678", FULL_WIDTH_ZERO)},
        ),
        invalid("phone"),
    ),
    "resident: phone too short": (
        call(
            "createResident",
            householdId=household("H1a"),
            fields={"name": "张三", "phone": "12345"},
        ),
        invalid("phone"),
    ),
    "resident: 10,000-character phone": (
        call(
            "createResident",
            householdId=household("H1a"),
            fields={"name": "张三", "phone": "1" * 10_000},
        ),
        invalid("phone"),
    ),
    "resident: empty name": (
        call("createResident", householdId=household("H1a"), fields={"name": ""}),
        invalid("name"),
    ),
    "resident: blank name": (
        call("createResident", householdId=household("H1a"), fields={"name": "   "}),
        invalid("name"),
    ),
    "resident: no name at all": (
        call("createResident", householdId=household("H1a"), fields={"phone": "13812345678"}),
        invalid("name"),
    ),
    "resident: 10,000-character name": (
        call("createResident", householdId=household("H1a"), fields={"name": LONG}),
        invalid("name"),
    ),
    "resident: an id already in use": (
        call(
            "createResident",
            householdId=household("H1a"),
            fields={"name": "张三"},
            id=resident("H2a-x"),
        ),
        CONFLICT,
    ),
    "resident: in an unknown household": (
        call("createResident", householdId=UNKNOWN, fields={"name": "张三"}),
        NOT_FOUND,
    ),
    "resident: in another community's household": (
        call("createResident", householdId=household("HB"), fields={"name": "张三"}),
        NOT_FOUND,
    ),
    "resident: changed to an ID number already registered": (
        call("updateResident", id=resident("H1a-y"), fields={"idNumber": TAKEN_ID_NUMBER}),
        CONFLICT,
    ),
    "resident: changed to an empty name": (
        call("updateResident", id=resident("H1a-y"), fields={"name": ""}),
        invalid("name"),
    ),
    "resident: changed to a bad phone": (
        call("updateResident", id=resident("H1a-y"), fields={"phone": "not a phone"}),
        invalid("phone"),
    ),
    "resident: moved to an unknown household": (
        call("updateResident", id=resident("H1a-y"), fields={"householdId": UNKNOWN}),
        NOT_FOUND,
    ),
    "resident: change an unknown one": (
        call("updateResident", id=UNKNOWN, fields={"name": "x"}),
        NOT_FOUND,
    ),
    "resident: delete an unknown one": (call("deleteResident", id=UNKNOWN), NOT_FOUND),
    # contacts
    "contact: a post that does not cover the household": (
        call("assignHouseholdContact", householdId=household("H1a"), postId=post("chief2")),
        invalid("postId"),
    ),
    "contact: an unknown post": (
        call("assignHouseholdContact", householdId=household("H1a2"), postId=UNKNOWN),
        NOT_FOUND,
    ),
    "contact: another community's post": (
        call("assignHouseholdContact", householdId=household("H1a2"), postId=post("staff-b")),
        NOT_FOUND,
    ),
    "contact: for an unknown household": (
        call("assignHouseholdContact", householdId=UNKNOWN, postId=post("member1a")),
        NOT_FOUND,
    ),
}


@pytest.mark.parametrize("case", BAD_INPUT)
async def test_bad_input_answers_a_typed_error_and_changes_nothing(
    api: Api, world: World, database: Database, case: str
) -> None:
    action, expected = BAD_INPUT[case]
    token = await api.login("admin")
    before = await snapshot(database)
    result = await run(api, world, token, action)
    assert (result["__typename"], result.get("code"), result.get("field")) == expected, result
    assert await snapshot(database) == before


# --- coverage --------------------------------------------------------------------------------

COVERAGE = """{ coverage { households covered ratio
                grids { grid { name } households covered ratio }
                uncoveredHouseholds { edges { node { building } } } } }"""


def per_grid(coverage: dict[str, Any]) -> dict[str, tuple[int, int, float]]:
    return {
        row["grid"]["name"]: (row["households"], row["covered"], round(row["ratio"], 3))
        for row in coverage["grids"]
    }


def uncovered(coverage: dict[str, Any]) -> list[str]:
    return [edge["node"]["building"] for edge in coverage["uncoveredHouseholds"]["edges"]]


async def test_coverage_counts_contacts_per_grid_and_follows_assignments_and_withdrawals(
    api: Api, world: World
) -> None:
    token = await api.login("admin")

    async def coverage() -> dict[str, Any]:
        return dict((await api.ok(COVERAGE, token=token))["coverage"])

    start = await coverage()
    assert (start["households"], start["covered"], start["ratio"]) == (4, 1, 0.25)
    assert per_grid(start) == {
        "G1": (3, 1, 0.333),
        "M1a": (2, 1, 0.5),
        "M1b": (1, 0, 0.0),
        "G2": (1, 0, 0.0),
        "M2a": (1, 0, 0.0),
    }
    assert uncovered(start) == ["H1a2", "H1b", "H2a"]

    for key, contact in (("H1a2", "member1a"), ("H1b", "chief1")):
        assign = call("assignHouseholdContact", householdId=household(key), postId=post(contact))
        await succeed(api, world, token, assign, "", "Household")
    assigned = await coverage()
    assert (assigned["households"], assigned["covered"], assigned["ratio"]) == (4, 3, 0.75)
    assert per_grid(assigned) == {
        "G1": (3, 3, 1.0),
        "M1a": (2, 2, 1.0),
        "M1b": (1, 1, 1.0),
        "G2": (1, 0, 0.0),
        "M2a": (1, 0, 0.0),
    }
    assert uncovered(assigned) == ["H2a"]

    await succeed(api, world, token, call("deleteGridPost", id=post("member1a")), "", "Deleted")
    withdrawn = await coverage()
    assert (withdrawn["households"], withdrawn["covered"], withdrawn["ratio"]) == (4, 1, 0.25)
    assert per_grid(withdrawn) == {
        "G1": (3, 1, 0.333),
        "M1a": (2, 0, 0.0),
        "M1b": (1, 1, 1.0),
        "G2": (1, 0, 0.0),
        "M2a": (1, 0, 0.0),
    }
    assert uncovered(withdrawn) == ["H1a", "H1a2", "H2a"]
    contacts = await api.ok(
        "{ households { edges { node { building contactPostId } } } }", token=token
    )
    assert {
        edge["node"]["building"]: edge["node"]["contactPostId"]
        for edge in contacts["households"]["edges"]
    } == {"H1a": None, "H1a2": None, "H1b": str(world.posts["chief1"]), "H2a": None}


async def test_a_grid_worker_s_coverage_counts_only_their_own_households(
    api: Api, world: World
) -> None:
    token = await api.login("chief2")
    coverage = (await api.ok(COVERAGE, token=token))["coverage"]
    assert (coverage["households"], coverage["covered"], coverage["ratio"]) == (1, 0, 0.0)
    assert per_grid(coverage) == {"G2": (1, 0, 0.0), "M2a": (1, 0, 0.0)}
    assert uncovered(coverage) == ["H2a"]

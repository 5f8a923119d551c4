"""The permission matrix: which rows each role sees, and which changes each role may make.

The world (tests/world.py): community A has grids G1 (micro-grids M1a, M1b) and G2 (M2a);
households H1a and H1a2 live in M1a, H1b in M1b, H2a in M2a; community B has HB in MB.
Every household has residents ``-x`` and ``-y``; H1a's contact is member1a's post.

The roles: the admin of A; chief1 (grid chief of G1, so M1a and M1b); member1a (micro-grid
member of M1a); nopost (staff holding no post); chief2 (grid chief of G2); resident (H1a-x,
logged in with a one-time code); anonymous; admin-b and staff-b of community B.

Rules every table below states: another grid's and another community's ids answer exactly
like an unknown id, denials are typed errors, and a denied change changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import text

from domain.database import Database
from domain.models import AccountKind
from domain.principal import Principal
from domain.services import grids as grid_service
from domain.services import households as household_service
from tests.api_client import Api
from tests.world import World

OK = "ok"
FORBIDDEN = "FORBIDDEN"
NOT_FOUND = "NOT_FOUND"
UNAUTHENTICATED = "UNAUTHENTICATED"

ERROR_TYPES = {
    FORBIDDEN: "ForbiddenError",
    NOT_FOUND: "NotFoundError",
    UNAUTHENTICATED: "UnauthenticatedError",
}

ROLES = (
    "admin",
    "chief1",
    "member1a",
    "nopost",
    "chief2",
    "resident",
    "anonymous",
    "admin-b",
    "staff-b",
)
RESIDENT_LOGIN = "H1a-x"

ERROR_FIELDS = "__typename ... on Error { code message }"

# Tables a denied request must leave exactly as they were (logins write only devices and
# refresh tokens, which are left out).
WATCHED_TABLES = (
    "change_counter",
    "grid",
    "grid_post",
    "account",
    "household",
    "resident",
    "login_code",
    "personal_data_access",
)


# --- helpers ---------------------------------------------------------------------------------


async def resident_token(api: Api, world: World, resident: str) -> str:
    """The resident's own session: the admin issues a one-time code, the resident redeems it."""
    admin = await api.login("admin")
    issued = await api.ok(
        """mutation($r: UUID!) { issueLoginCode(residentId: $r) {
             __typename ... on LoginCode { code } } }""",
        {"r": str(world.residents[resident])},
        admin,
    )
    assert issued["issueLoginCode"]["__typename"] == "LoginCode", issued
    session = await api.ok(
        """mutation($c: String!) { loginWithCode(code: $c) {
             __typename ... on AuthSession { accessToken } ... on Error { code message } } }""",
        {"c": issued["issueLoginCode"]["code"]},
    )
    assert session["loginWithCode"]["__typename"] == "AuthSession", session
    return str(session["loginWithCode"]["accessToken"])


async def token_for(api: Api, world: World, role: str) -> str | None:
    if role == "anonymous":
        return None
    if role == "resident":
        return await resident_token(api, world, RESIDENT_LOGIN)
    return await api.login(role)


async def snapshot(db: Database) -> dict[str, list[str]]:
    """Every row of the watched tables, read straight from the database."""
    found: dict[str, list[str]] = {}
    async with db.read() as session:
        for table in WATCHED_TABLES:
            rows = (await session.execute(text(f"SELECT * FROM {table}"))).all()
            found[table] = sorted(repr(tuple(row)) for row in rows)
    return found


def keys_of(mapping: dict[str, uuid.UUID], ids: list[str]) -> set[str]:
    by_id = {str(value): key for key, value in mapping.items()}
    return {by_id.get(i, f"unknown:{i}") for i in ids}


def error_code(body: dict[str, Any]) -> str:
    """The code of a query that failed as a whole (a list field is not a result union)."""
    assert body.get("data") is None, body
    codes = {error["extensions"]["code"] for error in body["errors"]}
    assert len(codes) == 1, body
    return codes.pop()


def outcome(result: dict[str, Any], success: str) -> str:
    if result["__typename"] == success:
        return OK
    assert ERROR_TYPES.get(result.get("code", "")) == result["__typename"], result
    return str(result["code"])


def without_id(result: dict[str, Any], identifier: str) -> dict[str, Any]:
    """The answer with the asked-for id blanked: the rest must not depend on whose id it was."""
    return {key: str(value).replace(identifier, "<id>") for key, value in result.items()}


def admin_of(world: World) -> Principal:
    return Principal(
        account_id=world.accounts["admin"], community_id=world.community, kind=AccountKind.ADMIN
    )


# --- what each role sees ---------------------------------------------------------------------

HOUSEHOLDS_SEEN: dict[str, set[str] | str] = {
    "admin": {"H1a", "H1a2", "H1b", "H2a"},
    "chief1": {"H1a", "H1a2", "H1b"},
    "member1a": {"H1a", "H1a2"},
    "nopost": set(),
    "chief2": {"H2a"},
    "resident": {"H1a"},
    "anonymous": UNAUTHENTICATED,
    "admin-b": {"HB"},
    "staff-b": {"HB"},
}


def residents_seen(role: str) -> set[str] | str:
    households = HOUSEHOLDS_SEEN[role]
    if isinstance(households, str):
        return households
    return {f"{household}-{person}" for household in households for person in "xy"}


COMMUNITY_A_GRIDS = {"G1", "M1a", "M1b", "G2", "M2a"}
COMMUNITY_B_GRIDS = {"GB", "MB"}
GRIDS_SEEN: dict[str, set[str] | str] = {
    role: COMMUNITY_B_GRIDS if role.endswith("-b") else COMMUNITY_A_GRIDS for role in ROLES
} | {"anonymous": UNAUTHENTICATED}

POSTS_SEEN: dict[str, set[str] | str] = {
    role: {"staff-b"} if role.endswith("-b") else {"chief1", "member1a", "chief2"} for role in ROLES
} | {"anonymous": UNAUTHENTICATED}

# role: (households, covered, {grid: (households, covered)}), or the error.
COVERAGE_SEEN: dict[str, tuple[int, int, dict[str, tuple[int, int]]] | str] = {
    "admin": (
        4,
        1,
        {"G1": (3, 1), "M1a": (2, 1), "M1b": (1, 0), "G2": (1, 0), "M2a": (1, 0)},
    ),
    "chief1": (3, 1, {"G1": (3, 1), "M1a": (2, 1), "M1b": (1, 0)}),
    "member1a": (2, 1, {"G1": (2, 1), "M1a": (2, 1)}),
    "nopost": (0, 0, {}),
    "chief2": (1, 0, {"G2": (1, 0), "M2a": (1, 0)}),
    "resident": FORBIDDEN,
    "anonymous": UNAUTHENTICATED,
    "admin-b": (1, 0, {"GB": (1, 0), "MB": (1, 0)}),
    "staff-b": (1, 0, {"GB": (1, 0), "MB": (1, 0)}),
}


@pytest.mark.parametrize("role", ROLES)
async def test_household_list_holds_exactly_the_households_the_role_covers(
    api: Api, world: World, role: str
) -> None:
    token = await token_for(api, world, role)
    body = await api.post(
        "{ households(first: 100) { totalCount edges { node { id } } } }", token=token
    )
    expected = HOUSEHOLDS_SEEN[role]
    if isinstance(expected, str):
        assert error_code(body) == expected
        return
    connection = body["data"]["households"]
    ids = [edge["node"]["id"] for edge in connection["edges"]]
    assert keys_of(world.households, ids) == expected
    assert connection["totalCount"] == len(expected) == len(ids)


@pytest.mark.parametrize("role", ROLES)
async def test_resident_list_holds_exactly_the_residents_of_those_households(
    api: Api, world: World, role: str
) -> None:
    token = await token_for(api, world, role)
    body = await api.post(
        "{ residents(first: 100) { totalCount edges { node { id } } } }", token=token
    )
    expected = residents_seen(role)
    if isinstance(expected, str):
        assert error_code(body) == expected
        return
    connection = body["data"]["residents"]
    ids = [edge["node"]["id"] for edge in connection["edges"]]
    assert keys_of(world.residents, ids) == expected
    assert connection["totalCount"] == len(expected) == len(ids)


@pytest.mark.parametrize("role", ROLES)
async def test_one_household_or_resident_answers_only_inside_the_role_s_view(
    api: Api, world: World, role: str
) -> None:
    token = await token_for(api, world, role)
    seen_households, seen_residents = HOUSEHOLDS_SEEN[role], residents_seen(role)
    for field, success, ids, seen in (
        ("household", "Household", world.households, seen_households),
        ("resident", "Resident", world.residents, seen_residents),
    ):
        for key, identifier in ids.items():
            data = await api.ok(
                f"query($id: UUID!) {{ one: {field}(id: $id) {{ {ERROR_FIELDS} "
                f"... on {success} {{ id }} }} }}",
                {"id": str(identifier)},
                token,
            )
            expected = seen if isinstance(seen, str) else OK if key in seen else NOT_FOUND
            assert outcome(data["one"], success) == expected, (field, key)
            if expected == OK:
                assert data["one"]["id"] == str(identifier)


@pytest.mark.parametrize("role", ROLES)
async def test_grids_and_posts_are_the_role_s_own_community_s(
    api: Api, world: World, role: str
) -> None:
    token = await token_for(api, world, role)
    for field, ids, expected in (
        ("grids", world.grids, GRIDS_SEEN[role]),
        ("posts", world.posts, POSTS_SEEN[role]),
    ):
        body = await api.post(f"{{ {field} {{ id }} }}", token=token)
        if isinstance(expected, str):
            assert error_code(body) == expected, field
            continue
        assert keys_of(ids, [row["id"] for row in body["data"][field]]) == expected, field


@pytest.mark.parametrize("role", ROLES)
async def test_coverage_counts_only_the_households_the_role_sees(
    api: Api, world: World, role: str
) -> None:
    token = await token_for(api, world, role)
    body = await api.post(
        "{ coverage { households covered grids { grid { id } households covered } } }",
        token=token,
    )
    expected = COVERAGE_SEEN[role]
    if isinstance(expected, str):
        assert error_code(body) == expected
        return
    households, covered, per_grid = expected
    coverage = body["data"]["coverage"]
    assert (coverage["households"], coverage["covered"]) == (households, covered)
    by_id = {str(v): k for k, v in world.grids.items()}
    reported = {
        by_id[row["grid"]["id"]]: (row["households"], row["covered"]) for row in coverage["grids"]
    }
    assert reported == per_grid


# --- who may change what ---------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """One mutation on a target in M1a (H1a's micro-grid), and its outcome for each role."""

    signature: str
    call: str
    variables: Callable[[World], dict[str, Any]]
    success: str
    outcomes: tuple[str, ...]

    @property
    def document(self) -> str:
        return f"mutation({self.signature}) {{ result: {self.call} {{ {ERROR_FIELDS} }} }}"


def _ids(**chosen: tuple[str, str]) -> Callable[[World], dict[str, Any]]:
    """Variables naming world objects: ``_ids(id=("households", "H1a"))``."""
    return lambda world: {
        name: str(getattr(world, kind)[key]) for name, (kind, key) in chosen.items()
    }


# Outcomes in the order of ROLES, grouped:
#   admin, chief1, member1a | nopost, chief2 | resident, anonymous | admin-b, staff-b
# fmt: off
COVERING_STAFF_ONLY = (
    OK, OK, OK,
    NOT_FOUND, NOT_FOUND,
    FORBIDDEN, UNAUTHENTICATED,
    NOT_FOUND, NOT_FOUND,
)
ADMIN_ONLY = (
    OK, FORBIDDEN, FORBIDDEN,
    FORBIDDEN, FORBIDDEN,
    FORBIDDEN, UNAUTHENTICATED,
    NOT_FOUND, FORBIDDEN,
)
STAFF_ON_A_GRID_THEY_COVER = (
    OK, OK, OK,
    FORBIDDEN, FORBIDDEN,
    FORBIDDEN, UNAUTHENTICATED,
    NOT_FOUND, NOT_FOUND,
)
COVERING_STAFF_AND_THE_RESIDENT = (
    OK, OK, OK,
    NOT_FOUND, NOT_FOUND,
    OK, UNAUTHENTICATED,
    NOT_FOUND, NOT_FOUND,
)
# fmt: on

ACTIONS: dict[str, Action] = {
    "createHousehold in M1a": Action(
        "$grid: UUID!",
        'createHousehold(gridId: $grid, building: "9", unit: "1", room: "901")',
        _ids(grid=("grids", "M1a")),
        "Household",
        STAFF_ON_A_GRID_THEY_COVER,
    ),
    "updateHousehold H1a": Action(
        "$id: UUID!",
        'updateHousehold(id: $id, changes: {room: "102"})',
        _ids(id=("households", "H1a")),
        "Household",
        COVERING_STAFF_ONLY,
    ),
    "deleteHousehold (an empty one in M1a)": Action(
        "$id: UUID!",
        "deleteHousehold(id: $id)",
        _ids(id=("households", "empty")),
        "Deleted",
        COVERING_STAFF_ONLY,
    ),
    "createResident in H1a": Action(
        "$household: UUID!",
        'createResident(householdId: $household, fields: {name: "新居民", phone: "13912345678"})',
        _ids(household=("households", "H1a")),
        "Resident",
        COVERING_STAFF_ONLY,
    ),
    "updateResident H1a-x": Action(
        "$id: UUID!",
        'updateResident(id: $id, fields: {name: "改名"})',
        _ids(id=("residents", "H1a-x")),
        "Resident",
        COVERING_STAFF_ONLY,
    ),
    "deleteResident H1a-y": Action(
        "$id: UUID!",
        "deleteResident(id: $id)",
        _ids(id=("residents", "H1a-y")),
        "Deleted",
        COVERING_STAFF_ONLY,
    ),
    "assignHouseholdContact H1a2 to member1a": Action(
        "$household: UUID!, $post: UUID!",
        "assignHouseholdContact(householdId: $household, postId: $post)",
        _ids(household=("households", "H1a2"), post=("posts", "member1a")),
        "Household",
        COVERING_STAFF_ONLY,
    ),
    "issueLoginCode for H1a-y": Action(
        "$id: UUID!",
        "issueLoginCode(residentId: $id)",
        _ids(id=("residents", "H1a-y")),
        "LoginCode",
        COVERING_STAFF_ONLY,
    ),
    "revealPersonalData of H1a-x (the resident themself)": Action(
        "$id: UUID!",
        'revealPersonalData(residentId: $id, purpose: "回访")',
        _ids(id=("residents", "H1a-x")),
        "PersonalData",
        COVERING_STAFF_AND_THE_RESIDENT,
    ),
    "revealPersonalData of H1a-y (the resident's housemate)": Action(
        "$id: UUID!",
        'revealPersonalData(residentId: $id, purpose: "回访")',
        _ids(id=("residents", "H1a-y")),
        "PersonalData",
        COVERING_STAFF_ONLY,
    ),
    "createGrid under G1": Action(
        "$parent: UUID!",
        'createGrid(name: "M1c", parentId: $parent)',
        _ids(parent=("grids", "G1")),
        "Grid",
        ADMIN_ONLY,
    ),
    "renameGrid G1": Action(
        "$id: UUID!",
        'renameGrid(id: $id, name: "一网格")',
        _ids(id=("grids", "G1")),
        "Grid",
        ADMIN_ONLY,
    ),
    "deleteGrid (an empty one under G1)": Action(
        "$id: UUID!",
        "deleteGrid(id: $id)",
        _ids(id=("grids", "empty")),
        "Deleted",
        ADMIN_ONLY,
    ),
    "createGridPost for nopost on M1b": Action(
        "$account: UUID!, $grid: UUID!",
        "createGridPost(accountId: $account, gridId: $grid, role: MICRO_GRID_MEMBER)",
        _ids(account=("accounts", "nopost"), grid=("grids", "M1b")),
        "GridPost",
        ADMIN_ONLY,
    ),
    "deleteGridPost of chief2": Action(
        "$id: UUID!",
        "deleteGridPost(id: $id)",
        _ids(id=("posts", "chief2")),
        "Deleted",
        ADMIN_ONLY,
    ),
}

ALLOWED = [
    pytest.param(name, role, id=f"{name} | {role}")
    for name, action in ACTIONS.items()
    for role, expected in zip(ROLES, action.outcomes, strict=True)
    if expected == OK
]


def refusals(action: Action) -> list[tuple[str, str]]:
    return [
        (role, expected)
        for role, expected in zip(ROLES, action.outcomes, strict=True)
        if expected != OK
    ]


REFUSED = [
    pytest.param(name, id=f"{name} | " + ", ".join(f"{r} {e}" for r, e in refusals(ACTIONS[name])))
    for name in ACTIONS
]


async def add_empty_targets(db: Database, world: World) -> None:
    """An empty household in M1a and an empty micro-grid under G1: things one may delete."""
    async with db.transaction() as session:
        household = await household_service.create_household(
            session, admin_of(world), grid_id=world.grids["M1a"], building="8", unit="1", room="1"
        )
        grid = await grid_service.create_grid(
            session, admin_of(world), name="空", parent_id=world.grids["G1"]
        )
    world.households["empty"] = household.id
    world.grids["empty"] = grid.id


@pytest.mark.parametrize(("action", "role"), ALLOWED)
async def test_mutation_allowed(
    api: Api, world: World, database: Database, action: str, role: str
) -> None:
    await add_empty_targets(database, world)
    token = await token_for(api, world, role)
    mutation = ACTIONS[action]
    before = await snapshot(database)
    data = await api.ok(mutation.document, mutation.variables(world), token)
    assert outcome(data["result"], mutation.success) == OK, data
    assert await snapshot(database) != before, "a successful mutation must change something"


@pytest.mark.parametrize("action", REFUSED)
async def test_mutation_refused_with_a_typed_error_and_nothing_changed(
    api: Api, world: World, database: Database, action: str
) -> None:
    """Refusals change nothing, so every refused role can try in turn on one world."""
    await add_empty_targets(database, world)
    mutation = ACTIONS[action]
    tokens = {role: await token_for(api, world, role) for role, _ in refusals(mutation)}
    before = await snapshot(database)
    answers = {}
    for role, _ in refusals(mutation):
        data = await api.ok(mutation.document, mutation.variables(world), tokens[role])
        answers[role] = outcome(data["result"], mutation.success)
    assert answers == dict(refusals(mutation))
    assert await snapshot(database) == before, "a refused mutation must change nothing"


# --- hidden ids answer like unknown ones -----------------------------------------------------


@dataclass(frozen=True)
class ByIdOperation:
    """An operation taking one id (``$id``) of ``kind``; its answer must not tell hidden from
    unknown."""

    kind: str
    document: str


def _query(field: str, success: str) -> str:
    selection = f"{ERROR_FIELDS} ... on {success} {{ id }}"
    return f"query($id: UUID!) {{ result: {field}(id: $id) {{ {selection} }} }}"


def _mutation(call: str) -> str:
    return f"mutation($id: UUID!) {{ result: {call} {{ {ERROR_FIELDS} }} }}"


BY_ID = (
    ByIdOperation("households", _query("household", "Household")),
    ByIdOperation("residents", _query("resident", "Resident")),
    ByIdOperation("grids", _query("grid", "Grid")),
    ByIdOperation("households", _mutation('updateHousehold(id: $id, changes: {room: "9"})')),
    ByIdOperation("households", _mutation("deleteHousehold(id: $id)")),
    ByIdOperation(
        "households", _mutation("assignHouseholdContact(householdId: $id, postId: null)")
    ),
    ByIdOperation(
        "households", _mutation('createResident(householdId: $id, fields: {name: "某"})')
    ),
    ByIdOperation("residents", _mutation('updateResident(id: $id, fields: {name: "某"})')),
    ByIdOperation("residents", _mutation("deleteResident(id: $id)")),
    ByIdOperation("residents", _mutation("issueLoginCode(residentId: $id)")),
    ByIdOperation("residents", _mutation('revealPersonalData(residentId: $id, purpose: "x")')),
    ByIdOperation("grids", _mutation('renameGrid(id: $id, name: "x")')),
    ByIdOperation("grids", _mutation("deleteGrid(id: $id)")),
    ByIdOperation("grids", _mutation('createGrid(name: "x", parentId: $id)')),
    ByIdOperation(
        "grids",
        _mutation('createHousehold(gridId: $id, building: "7", unit: "7", room: "7")'),
    ),
)


def hidden_ids(world: World, role: str, kind: str) -> dict[str, uuid.UUID]:
    """Ids of ``kind`` the role cannot see: other grids' and other communities' rows."""
    ids: dict[str, uuid.UUID] = getattr(world, kind)
    if kind == "grids":
        own = COMMUNITY_B_GRIDS if role.endswith("-b") else COMMUNITY_A_GRIDS
        return {key: value for key, value in ids.items() if key not in own}
    seen = HOUSEHOLDS_SEEN[role] if kind == "households" else residents_seen(role)
    visible = set() if isinstance(seen, str) else seen
    return {key: value for key, value in ids.items() if key not in visible}


@pytest.mark.parametrize("role", ROLES)
async def test_ids_out_of_view_answer_exactly_like_an_unknown_id(
    api: Api, world: World, database: Database, role: str
) -> None:
    token = await token_for(api, world, role)
    before = await snapshot(database)
    mismatches = []
    for operation in BY_ID:
        unknown = str(uuid.uuid4())
        reference = (await api.ok(operation.document, {"id": unknown}, token))["result"]
        assert reference["__typename"].endswith("Error"), (operation.document, reference)
        expected = without_id(reference, unknown)
        for key, identifier in hidden_ids(world, role, operation.kind).items():
            answer = (await api.ok(operation.document, {"id": str(identifier)}, token))["result"]
            if without_id(answer, str(identifier)) != expected:
                mismatches.append((operation.document, key, answer, reference))
    assert mismatches == []
    assert await snapshot(database) == before


@pytest.mark.parametrize("field", ["households", "residents"])
async def test_a_list_filtered_by_another_community_s_grid_fails_like_an_unknown_grid(
    api: Api, world: World, field: str
) -> None:
    token = await api.login("admin")
    document = f"query($g: UUID!) {{ {field}(filter: {{gridId: $g}}) {{ totalCount }} }}"
    unknown = str(uuid.uuid4())
    reference = await api.post(document, {"g": unknown}, token)
    assert error_code(reference) == NOT_FOUND
    for key in ("GB", "MB"):
        other = str(world.grids[key])
        answer = await api.post(document, {"g": other}, token)
        assert error_code(answer) == NOT_FOUND
        assert answer["errors"][0]["message"].replace(other, "<id>") == reference["errors"][0][
            "message"
        ].replace(unknown, "<id>")


# --- staff cannot move rows out of their coverage --------------------------------------------

OUT_OF_COVERAGE = [
    pytest.param(
        "member1a",
        "($id: UUID!, $to: UUID!) { result: updateHousehold(id: $id, changes: {gridId: $to})",
        _ids(id=("households", "H1a"), to=("grids", "M1b")),
        ("ForbiddenError", FORBIDDEN),
        id="member1a moves H1a to M1b, which they do not cover",
    ),
    pytest.param(
        "member1a",
        "($id: UUID!, $to: UUID!) { result: updateResident(id: $id, fields: {householdId: $to})",
        _ids(id=("residents", "H1a-x"), to=("households", "H1b")),
        ("NotFoundError", NOT_FOUND),
        id="member1a moves H1a-x into H1b, which they cannot see",
    ),
    pytest.param(
        "chief2",
        "($id: UUID!, $to: UUID!) { result: updateResident(id: $id, fields: {householdId: $to})",
        _ids(id=("residents", "H2a-x"), to=("households", "HB")),
        ("NotFoundError", NOT_FOUND),
        id="chief2 moves H2a-x into another community's household",
    ),
    pytest.param(
        "admin",
        "($id: UUID!, $to: UUID!) { result: updateHousehold(id: $id, changes: {gridId: $to})",
        _ids(id=("households", "H1a"), to=("grids", "MB")),
        ("NotFoundError", NOT_FOUND),
        id="admin moves H1a onto another community's micro-grid",
    ),
]


@pytest.mark.parametrize(("role", "call", "variables", "expected"), OUT_OF_COVERAGE)
async def test_staff_cannot_move_rows_out_of_their_reach(
    api: Api,
    world: World,
    database: Database,
    role: str,
    call: str,
    variables: Callable[[World], dict[str, Any]],
    expected: tuple[str, str],
) -> None:
    token = await api.login(role)
    before = await snapshot(database)
    data = await api.ok(f"mutation{call} {{ {ERROR_FIELDS} }} }}", variables(world), token)
    assert (data["result"]["__typename"], data["result"]["code"]) == expected
    assert await snapshot(database) == before

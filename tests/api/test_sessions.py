"""Logging in, one-time codes, rotating refresh tokens and lost devices, through the server.

Every refusal is an ``InvalidCredentialsError`` (or another typed error), never a crash, and
every "nothing changed" is checked by reading the database or the server again.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update

from domain.credentials import hash_password
from domain.database import Database
from domain.models import Account, AccountKind, Device, LoginCode, RefreshToken
from tests.api_client import Api
from tests.world import PASSWORD, World

SESSION_FIELDS = """__typename
    ... on AuthSession { accessToken accessTokenExpiresAt refreshToken deviceId
                         viewer { accountId kind residentId householdId deviceId } }
    ... on Error { code message }"""

LOGIN = f"""mutation($u: String!, $p: String!, $d: String! = "web", $device: UUID) {{
    login(username: $u, password: $p, deviceName: $d, deviceId: $device) {{
        {SESSION_FIELDS} }} }}"""
LOGIN_WITH_CODE = f"""mutation($code: String!) {{
    loginWithCode(code: $code) {{ {SESSION_FIELDS} }} }}"""
REFRESH = f"""mutation($t: String!) {{ refreshSession(refreshToken: $t) {{ {SESSION_FIELDS} }} }}"""
LOGOUT = """mutation($t: String!) { logout(refreshToken: $t) {
    __typename ... on LoggedOut { ok } ... on Error { code message } } }"""
ISSUE_CODE = """mutation($id: UUID!) { issueLoginCode(residentId: $id) {
    __typename ... on LoginCode { residentId code expiresAt } ... on Error { code message } } }"""
REVOKE_DEVICE = """mutation($id: UUID!) { revokeDevice(deviceId: $id) {
    __typename ... on DeviceRevoked { deviceId revokedAt } ... on Error { code message } } }"""
VIEWER = "{ viewer { accountId deviceId } }"


async def login(
    api: Api,
    username: str,
    password: str = PASSWORD,
    device_name: str = "web",
    device_id: str | None = None,
) -> dict[str, Any]:
    variables = {"u": username, "p": password, "d": device_name, "device": device_id}
    return dict((await api.ok(LOGIN, variables))["login"])


async def signed_in(api: Api, username: str, device_name: str = "web") -> dict[str, Any]:
    result = await login(api, username, device_name=device_name)
    assert result["__typename"] == "AuthSession", result
    return result


async def refresh(api: Api, token: str) -> dict[str, Any]:
    return dict((await api.ok(REFRESH, {"t": token}))["refreshSession"])


async def issue_code(api: Api, token: str, resident: uuid.UUID) -> dict[str, Any]:
    return dict((await api.ok(ISSUE_CODE, {"id": str(resident)}, token=token))["issueLoginCode"])


async def login_with_code(api: Api, code: str) -> dict[str, Any]:
    return dict((await api.ok(LOGIN_WITH_CODE, {"code": code}))["loginWithCode"])


async def revoke_device(api: Api, token: str, device: str) -> dict[str, Any]:
    return dict((await api.ok(REVOKE_DEVICE, {"id": device}, token=token))["revokeDevice"])


async def viewer(api: Api, token: str) -> Any:
    return (await api.ok(VIEWER, token=token))["viewer"]


async def count(database: Database, column: Any, *where: Any) -> int:
    async with database.read() as session:
        return int(await session.scalar(select(func.count(column)).where(*where)) or 0)


def refused(result: dict[str, Any]) -> None:
    assert result["__typename"] == "InvalidCredentialsError", result
    assert result["code"] == "INVALID_CREDENTIALS"


# --- Passwords ---------------------------------------------------------------------------


async def test_staff_log_in_with_a_password_and_the_access_token_names_them(
    api: Api, world: World
) -> None:
    session = await signed_in(api, "chief1", device_name="office pc")
    assert session["viewer"]["accountId"] == str(world.accounts["chief1"])
    assert session["viewer"]["kind"] == "STAFF"
    assert session["viewer"]["deviceId"] == session["deviceId"]
    assert await viewer(api, session["accessToken"]) == {
        "accountId": str(world.accounts["chief1"]),
        "deviceId": session["deviceId"],
    }


async def test_the_username_is_not_case_sensitive(api: Api, world: World) -> None:
    session = await signed_in(api, "  Chief1 ")
    assert session["viewer"]["accountId"] == str(world.accounts["chief1"])


async def test_a_wrong_password_and_an_unknown_user_are_indistinguishable(
    api: Api, world: World, database: Database
) -> None:
    wrong_password = await login(api, "chief1", "not-the-password")
    unknown_user = await login(api, "nobody-here", PASSWORD)
    refused(wrong_password)
    refused(unknown_user)
    assert wrong_password["message"] == unknown_user["message"]
    assert await count(database, Device.id) == 0
    assert await count(database, RefreshToken.id) == 0


async def test_an_absurdly_long_password_is_just_wrong(api: Api, world: World) -> None:
    refused(await login(api, "chief1", "x" * 50_000))


async def test_a_disabled_account_cannot_log_in_and_its_tokens_stop_working(
    api: Api, world: World, database: Database
) -> None:
    session = await signed_in(api, "chief1")
    async with database.transaction() as db:
        await db.execute(
            update(Account).where(Account.id == world.accounts["chief1"]).values(disabled=True)
        )
    refused(await login(api, "chief1"))
    assert await viewer(api, session["accessToken"]) is None
    refused(await refresh(api, session["refreshToken"]))


async def test_a_resident_account_cannot_log_in_with_a_password(
    api: Api, world: World, database: Database
) -> None:
    admin = await signed_in(api, "admin")
    code = await issue_code(api, admin["accessToken"], world.residents["H1a-x"])
    resident = await login_with_code(api, code["code"])
    assert resident["viewer"]["kind"] == "RESIDENT"
    async with database.transaction() as db:
        await db.execute(
            update(Account)
            .where(Account.id == uuid.UUID(resident["viewer"]["accountId"]))
            .values(username="resident-h1a-x", password_hash=hash_password(PASSWORD))
        )
    result = await login(api, "resident-h1a-x")
    refused(result)
    assert result["message"] == (await login(api, "chief1", "not-the-password"))["message"]


async def test_logging_in_again_with_a_known_device_id_reuses_that_device(
    api: Api, world: World, database: Database
) -> None:
    first = await signed_in(api, "chief1")
    again = await login(api, "chief1", device_id=first["deviceId"])
    assert again["deviceId"] == first["deviceId"]
    assert await count(database, Device.id) == 1


async def test_another_accounts_or_a_revoked_device_id_is_not_reused(
    api: Api, world: World, database: Database
) -> None:
    chief = await signed_in(api, "chief1")
    other = await login(api, "chief2", device_id=chief["deviceId"])
    assert other["deviceId"] != chief["deviceId"]
    assert (await revoke_device(api, chief["accessToken"], chief["deviceId"]))[
        "__typename"
    ] == "DeviceRevoked"
    fresh = await login(api, "chief1", device_id=chief["deviceId"])
    assert fresh["deviceId"] not in (chief["deviceId"], other["deviceId"])
    assert await viewer(api, fresh["accessToken"]) is not None


# --- One-time codes for residents --------------------------------------------------------


async def test_covering_staff_issue_a_code_and_the_resident_logs_in_with_it(
    api: Api, world: World
) -> None:
    member = await signed_in(api, "member1a")
    issued = await issue_code(api, member["accessToken"], world.residents["H1a-x"])
    assert issued["__typename"] == "LoginCode", issued
    assert issued["residentId"] == str(world.residents["H1a-x"])
    session = await login_with_code(api, issued["code"])
    assert session["__typename"] == "AuthSession", session
    assert session["viewer"]["kind"] == "RESIDENT"
    assert session["viewer"]["residentId"] == str(world.residents["H1a-x"])
    assert session["viewer"]["householdId"] == str(world.households["H1a"])
    assert (await viewer(api, session["accessToken"]))["deviceId"] == session["deviceId"]


async def test_an_admin_may_issue_a_code_for_any_resident_of_the_community(
    api: Api, world: World
) -> None:
    admin = await signed_in(api, "admin")
    issued = await issue_code(api, admin["accessToken"], world.residents["H2a-y"])
    assert issued["__typename"] == "LoginCode", issued


async def test_who_may_not_issue_a_code_gets_a_typed_error_and_no_code_is_stored(
    api: Api, world: World, database: Database
) -> None:
    resident = world.residents["H1a-x"]
    chief2 = await signed_in(api, "chief2")  # covers G2, not H1a
    admin_b = await signed_in(api, "admin-b")  # another community
    nopost = await signed_in(api, "nopost")
    assert (await issue_code(api, chief2["accessToken"], resident))["code"] == "NOT_FOUND"
    assert (await issue_code(api, admin_b["accessToken"], resident))["code"] == "NOT_FOUND"
    assert (await issue_code(api, nopost["accessToken"], resident))["code"] == "NOT_FOUND"
    assert (await api.ok(ISSUE_CODE, {"id": str(resident)}))["issueLoginCode"][
        "__typename"
    ] == "UnauthenticatedError"
    admin = await signed_in(api, "admin")
    code = await issue_code(api, admin["accessToken"], world.residents["H1b-x"])
    resident_session = await login_with_code(api, code["code"])
    forbidden = await issue_code(api, resident_session["accessToken"], world.residents["H1b-y"])
    assert forbidden["__typename"] == "ForbiddenError", forbidden
    assert await count(database, LoginCode.id, LoginCode.resident_id == resident) == 0
    assert await count(database, LoginCode.id) == 1


async def test_a_code_works_once(api: Api, world: World) -> None:
    admin = await signed_in(api, "admin")
    code = (await issue_code(api, admin["accessToken"], world.residents["H1a-x"]))["code"]
    assert (await login_with_code(api, code))["__typename"] == "AuthSession"
    refused(await login_with_code(api, code))


async def test_a_code_may_be_typed_in_lower_case_without_its_dash(api: Api, world: World) -> None:
    admin = await signed_in(api, "admin")
    code = (await issue_code(api, admin["accessToken"], world.residents["H1a-x"]))["code"]
    typed = f" {code.replace('-', '').lower()} "
    assert (await login_with_code(api, typed))["__typename"] == "AuthSession"


async def test_an_expired_code_fails(api: Api, world: World, database: Database) -> None:
    admin = await signed_in(api, "admin")
    code = (await issue_code(api, admin["accessToken"], world.residents["H1a-x"]))["code"]
    async with database.transaction() as db:
        await db.execute(
            update(LoginCode).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    refused(await login_with_code(api, code))
    assert await count(database, Account.id, Account.kind == AccountKind.RESIDENT) == 0


async def test_a_new_code_kills_the_older_unused_one(api: Api, world: World) -> None:
    admin = await signed_in(api, "admin")
    older = (await issue_code(api, admin["accessToken"], world.residents["H1a-x"]))["code"]
    newer = (await issue_code(api, admin["accessToken"], world.residents["H1a-x"]))["code"]
    refused(await login_with_code(api, older))
    assert (await login_with_code(api, newer))["__typename"] == "AuthSession"


async def test_a_code_for_one_resident_does_not_kill_anothers(api: Api, world: World) -> None:
    admin = await signed_in(api, "admin")
    first = (await issue_code(api, admin["accessToken"], world.residents["H1a-x"]))["code"]
    await issue_code(api, admin["accessToken"], world.residents["H1a-y"])
    assert (await login_with_code(api, first))["__typename"] == "AuthSession"


async def test_a_resident_logging_in_again_gets_the_same_account(
    api: Api, world: World, database: Database
) -> None:
    admin = await signed_in(api, "admin")
    resident = world.residents["H1a-x"]
    first = await login_with_code(
        api, (await issue_code(api, admin["accessToken"], resident))["code"]
    )
    second = await login_with_code(
        api, (await issue_code(api, admin["accessToken"], resident))["code"]
    )
    assert first["viewer"]["accountId"] == second["viewer"]["accountId"]
    assert first["deviceId"] != second["deviceId"]
    assert await count(database, Account.id, Account.resident_id == resident) == 1


async def test_a_made_up_code_fails(api: Api, world: World) -> None:
    for code in ("ABCDE-FGHJK", "", "x" * 10_000, "😀" * 20):
        refused(await login_with_code(api, code))


# --- Rotating refresh tokens -------------------------------------------------------------


async def test_a_refresh_hands_out_a_new_refresh_token_and_retires_the_old(
    api: Api, world: World
) -> None:
    session = await signed_in(api, "chief1")
    renewed = await refresh(api, session["refreshToken"])
    assert renewed["__typename"] == "AuthSession", renewed
    assert renewed["refreshToken"] != session["refreshToken"]
    assert renewed["deviceId"] == session["deviceId"]
    assert renewed["viewer"]["accountId"] == str(world.accounts["chief1"])
    assert (await viewer(api, renewed["accessToken"]))["deviceId"] == session["deviceId"]
    refused(await refresh(api, session["refreshToken"]))


async def test_a_chain_of_refreshes_keeps_working(api: Api, world: World) -> None:
    token = (await signed_in(api, "chief1"))["refreshToken"]
    for _ in range(3):
        renewed = await refresh(api, token)
        assert renewed["__typename"] == "AuthSession", renewed
        token = renewed["refreshToken"]


async def test_reusing_a_rotated_token_revokes_the_whole_family(
    api: Api, world: World, database: Database
) -> None:
    session = await signed_in(api, "chief1", device_name="phone")
    other_device = await signed_in(api, "chief1", device_name="office pc")
    second = await refresh(api, session["refreshToken"])
    third = await refresh(api, second["refreshToken"])
    assert third["__typename"] == "AuthSession"

    refused(await refresh(api, session["refreshToken"]))  # the thief (or the owner) replays

    refused(await refresh(api, third["refreshToken"]))  # the newest link dies too
    family_left = await count(
        database,
        RefreshToken.id,
        RefreshToken.device_id == uuid.UUID(session["deviceId"]),
        RefreshToken.revoked_at.is_(None),
    )
    assert family_left == 0
    assert (await refresh(api, other_device["refreshToken"]))["__typename"] == "AuthSession"


async def test_an_expired_refresh_token_fails(api: Api, world: World, database: Database) -> None:
    session = await signed_in(api, "chief1")
    async with database.transaction() as db:
        await db.execute(
            update(RefreshToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    refused(await refresh(api, session["refreshToken"]))


async def test_a_made_up_refresh_token_fails(api: Api, world: World) -> None:
    for token in ("nonsense", "", "x" * 100_000):
        refused(await refresh(api, token))


async def test_concurrent_refreshes_with_one_token_give_exactly_one_session(
    api: Api, world: World, database: Database
) -> None:
    session = await signed_in(api, "chief1")
    results = await asyncio.gather(*(refresh(api, session["refreshToken"]) for _ in range(10)))
    kinds = sorted(result["__typename"] for result in results)
    assert kinds == ["AuthSession"] + ["InvalidCredentialsError"] * 9, results
    winners = await count(
        database,
        RefreshToken.id,
        RefreshToken.device_id == uuid.UUID(session["deviceId"]),
        RefreshToken.rotated_at.is_(None),
    )
    assert winners == 1  # one successor was issued, not ten


# --- Logging out and lost devices --------------------------------------------------------


async def test_logout_ends_the_refresh_token_family(api: Api, world: World) -> None:
    session = await signed_in(api, "chief1")
    renewed = await refresh(api, session["refreshToken"])
    result = dict((await api.ok(LOGOUT, {"t": renewed["refreshToken"]}))["logout"])
    assert result == {"__typename": "LoggedOut", "ok": True}
    refused(await refresh(api, renewed["refreshToken"]))


async def test_logout_with_an_unknown_token_reveals_nothing(api: Api, world: World) -> None:
    result = dict((await api.ok(LOGOUT, {"t": "never-issued"}))["logout"])
    assert result == {"__typename": "LoggedOut", "ok": True}


async def test_revoking_a_device_stops_its_access_and_refresh_tokens_at_once(
    api: Api, world: World
) -> None:
    phone = await signed_in(api, "chief1", device_name="phone")
    desk = await signed_in(api, "chief1", device_name="desk")
    assert await viewer(api, phone["accessToken"]) is not None

    revoked = await revoke_device(api, desk["accessToken"], phone["deviceId"])

    assert revoked["__typename"] == "DeviceRevoked", revoked
    assert revoked["deviceId"] == phone["deviceId"]
    assert await viewer(api, phone["accessToken"]) is None
    refused(await refresh(api, phone["refreshToken"]))
    assert (await viewer(api, desk["accessToken"]))["deviceId"] == desk["deviceId"]
    assert (await refresh(api, desk["refreshToken"]))["__typename"] == "AuthSession"


async def test_revoking_a_device_also_kills_tokens_rotated_before(api: Api, world: World) -> None:
    phone = await signed_in(api, "chief1", device_name="phone")
    renewed = await refresh(api, phone["refreshToken"])
    await revoke_device(api, renewed["accessToken"], phone["deviceId"])
    assert await viewer(api, renewed["accessToken"]) is None
    refused(await refresh(api, renewed["refreshToken"]))


async def test_an_admin_may_revoke_anyones_device(api: Api, world: World) -> None:
    phone = await signed_in(api, "chief1", device_name="phone")
    admin = await signed_in(api, "admin")
    revoked = await revoke_device(api, admin["accessToken"], phone["deviceId"])
    assert revoked["__typename"] == "DeviceRevoked", revoked
    assert await viewer(api, phone["accessToken"]) is None


async def test_only_the_owner_or_an_admin_may_revoke_a_device(
    api: Api, world: World, database: Database
) -> None:
    phone = await signed_in(api, "chief1", device_name="phone")
    colleague = await signed_in(api, "chief2")
    other_admin = await signed_in(api, "admin-b")

    forbidden = await revoke_device(api, colleague["accessToken"], phone["deviceId"])
    assert forbidden["__typename"] == "ForbiddenError", forbidden
    unseen = await revoke_device(api, other_admin["accessToken"], phone["deviceId"])
    assert unseen["__typename"] == "NotFoundError", unseen
    anonymous = dict((await api.ok(REVOKE_DEVICE, {"id": phone["deviceId"]}))["revokeDevice"])
    assert anonymous["__typename"] == "UnauthenticatedError", anonymous

    assert await count(database, Device.id, Device.revoked_at.is_not(None)) == 0
    assert await count(database, RefreshToken.id, RefreshToken.revoked_at.is_not(None)) == 0
    assert await viewer(api, phone["accessToken"]) is not None
    assert (await refresh(api, phone["refreshToken"]))["__typename"] == "AuthSession"


async def test_revoking_an_unknown_device_is_not_found(api: Api, world: World) -> None:
    admin = await signed_in(api, "admin")
    result = await revoke_device(api, admin["accessToken"], str(uuid.uuid4()))
    assert result["__typename"] == "NotFoundError", result


# --- Access tokens end with their session ------------------------------------------------


async def test_logging_out_ends_the_sessions_access_tokens_at_once(api: Api, world: World) -> None:
    phone = await signed_in(api, "chief1", device_name="phone")
    renewed = await refresh(api, phone["refreshToken"])
    desk = await signed_in(api, "chief1", device_name="desk")
    for token in (phone["accessToken"], renewed["accessToken"]):
        assert (await viewer(api, token))["deviceId"] == phone["deviceId"]

    await api.ok(LOGOUT, {"t": renewed["refreshToken"]})

    for token in (phone["accessToken"], renewed["accessToken"]):
        assert await viewer(api, token) is None
        refusal = await issue_code(api, token, world.residents["H1a-x"])
        assert refusal["__typename"] == "UnauthenticatedError"
        assert refusal["code"] == "UNAUTHENTICATED"
    assert (await viewer(api, desk["accessToken"]))["deviceId"] == desk["deviceId"]


async def test_logging_in_again_on_a_logged_out_device_gives_working_tokens(
    api: Api, world: World
) -> None:
    """Only the family ends: the device itself stays registered and may start a new one."""
    phone = await signed_in(api, "chief1", device_name="phone")
    await api.ok(LOGOUT, {"t": phone["refreshToken"]})
    again = await login(api, "chief1", device_id=phone["deviceId"])
    assert again["deviceId"] == phone["deviceId"]
    assert (await viewer(api, again["accessToken"]))["deviceId"] == phone["deviceId"]
    assert await viewer(api, phone["accessToken"]) is None


async def test_a_reused_refresh_token_ends_the_familys_access_tokens_at_once(
    api: Api, world: World
) -> None:
    owner = await signed_in(api, "chief1", device_name="phone")
    thief = await refresh(api, owner["refreshToken"])  # the copy is used first
    assert (await viewer(api, thief["accessToken"]))["deviceId"] == owner["deviceId"]

    refused(await refresh(api, owner["refreshToken"]))  # the owner's try reveals the theft

    for token in (owner["accessToken"], thief["accessToken"]):
        assert await viewer(api, token) is None
        refusal = await issue_code(api, token, world.residents["H1a-x"])
        assert refusal["__typename"] == "UnauthenticatedError"


async def test_checking_the_session_costs_no_statement_of_its_own(
    api: Api, world: World, database: Database
) -> None:
    """The device, the family and the posts are read in the statement that loads the account:
    a request authenticates in one statement, staff (the grid tree kept) and residents alike."""
    from tests.schema.test_statement_count import counting_statements

    staff = await signed_in(api, "chief1")
    code = (await issue_code(api, staff["accessToken"], world.residents["H1a-x"]))["code"]
    resident = await login_with_code(api, code)

    async def statements(token: str | None) -> list[str]:
        await api.ok("{ __typename }", token=token)  # warm up
        with counting_statements(database) as seen:
            await api.ok("{ __typename }", token=token)
        return [s for s in seen if s.lstrip().upper().startswith("SELECT")]

    anonymous = await statements(None)
    for token, cost in ((staff["accessToken"], 1), (resident["accessToken"], 1)):
        seen = await statements(token)
        assert len(seen) - len(anonymous) == cost, seen
        checks = [s for s in seen if "refresh_token" in s]
        assert len(checks) == 1 and "account" in checks[0] and "device" in checks[0], seen

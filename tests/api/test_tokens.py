"""Access tokens: only an HS256 token this server signed, unexpired and complete, is trusted.

Every refusal is checked twice: on ``TokenService`` itself, and through the whole server,
where a refused token must behave exactly like no token (``viewer`` is null and a mutation
answers ``UnauthenticatedError``). Forged tokens are built with PyJWT directly, each one a
single change away from a token the server accepts (``test_the_forging_baseline_is_accepted``
proves the baseline is good, so each refusal is caused by its one change).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import func, select, update

from api.tokens import MAX_TOKEN_CHARS, ExpiredToken, InvalidToken, TokenService, key_id
from domain.database import Database
from domain.models import Device, LoginCode, RefreshToken
from tests.api_client import SECRET, Api, api_for
from tests.api_client import test_settings as settings_with
from tests.world import PASSWORD, World

OTHER_SECRET = "another-secret-key-9876543210-zyxwvutsrqponml"
ACCOUNT = uuid.UUID("11111111-1111-4111-8111-111111111111")
COMMUNITY = uuid.UUID("22222222-2222-4222-8222-222222222222")
DEVICE = uuid.UUID("33333333-3333-4333-8333-333333333333")
FAMILY = uuid.UUID("44444444-4444-4444-8444-444444444444")

# HS384/HS512 forgeries use the server's own (HS256-sized) secret on purpose.
pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")

REQUIRED = ("exp", "iat", "nbf", "aud", "iss", "sub", "cid", "did", "fam", "jti")

VIEWER = "{ viewer { accountId deviceId } }"
ISSUE_CODE = """mutation($id: UUID!) { issueLoginCode(residentId: $id) {
    __typename ... on LoginCode { code } ... on Error { code message } } }"""


def good_claims(
    account: uuid.UUID = ACCOUNT,
    community: uuid.UUID = COMMUNITY,
    device: uuid.UUID = DEVICE,
    family: uuid.UUID = FAMILY,
    **changes: Any,
) -> dict[str, Any]:
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "iss": "changlang",
        "aud": "changlang-api",
        "sub": str(account),
        "cid": str(community),
        "did": str(device),
        "fam": str(family),
        "iat": now,
        "nbf": now,
        "exp": now + timedelta(minutes=10),
        "jti": uuid.uuid4().hex,
    }
    claims.update(changes)
    return claims


def sign(
    claims: dict[str, Any],
    secret: str = SECRET,
    algorithm: str = "HS256",
    kid: str | None = "current",
) -> str:
    """A JWT over ``claims``; ``kid="current"`` names the key the server signs with now."""
    headers = {} if kid is None else {"kid": key_id(SECRET) if kid == "current" else kid}
    return jwt.encode(claims, secret, algorithm=algorithm, headers=headers)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def hs256_body_labelled(alg: str, claims: dict[str, Any], kid: Any = None) -> str:
    """A token signed with the real secret by HMAC-SHA256, but whose header claims ``alg``
    (and ``kid``, the current key's unless given)."""
    header = {"alg": alg, "typ": "JWT", "kid": kid or key_id(SECRET)}
    payload = json.loads(json.dumps(claims, default=lambda d: int(d.timestamp())))
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}"
    signature = hmac.new(SECRET.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def without(claim: str) -> Callable[[dict[str, Any]], str]:
    def forge(claims: dict[str, Any]) -> str:
        return sign({k: v for k, v in claims.items() if k != claim})

    return forge


def rs256(claims: dict[str, Any]) -> str:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims, private, algorithm="RS256", headers={"kid": key_id(SECRET)})


def future(seconds: int) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)


# Each forger turns good claims into a token the server must refuse.
FORGERIES: dict[str, Callable[[dict[str, Any]], str]] = {
    "alg none": lambda c: jwt.encode(c, None, algorithm="none", headers={"kid": key_id(SECRET)}),
    "signature stripped": lambda c: sign(c).rsplit(".", 1)[0] + ".",
    "HS512 with the right secret": lambda c: sign(c, algorithm="HS512"),
    "HS384 with the right secret": lambda c: sign(c, algorithm="HS384"),
    "RS256 signed with an RSA key": rs256,
    "HS256 signature labelled RS256": lambda c: hs256_body_labelled("RS256", c),
    "HS256 signature labelled none": lambda c: hs256_body_labelled("none", c),
    "signed with a wrong key under the current kid": lambda c: sign(c, secret=OTHER_SECRET),
    "signed with a wrong key under its own kid": lambda c: sign(
        c, secret=OTHER_SECRET, kid=key_id(OTHER_SECRET)
    ),
    "expired": lambda c: sign(
        {**c, "exp": future(-60), "iat": future(-1000), "nbf": future(-1000)}
    ),
    "not yet valid (nbf in the future)": lambda c: sign({**c, "nbf": future(120)}),
    "issued in the future (iat)": lambda c: sign({**c, "iat": future(120)}),
    "wrong audience": lambda c: sign({**c, "aud": "someone-else"}),
    "wrong issuer": lambda c: sign({**c, "iss": "someone-else"}),
    **{f"missing {claim}": without(claim) for claim in REQUIRED},
    "unknown kid": lambda c: sign(c, kid="0123456789abcdef"),
    "no kid": lambda c: sign(c, kid=None),
    "subject is not a uuid": lambda c: sign({**c, "sub": "admin"}),
    "community is not a uuid": lambda c: sign({**c, "cid": "everything"}),
    "device is not a uuid": lambda c: sign({**c, "did": "phone"}),
    "family is not a uuid": lambda c: sign({**c, "fam": "all"}),
    "no device (did null)": lambda c: sign({**c, "did": None}),
    "no family (fam null)": lambda c: sign({**c, "fam": None}),
    "exp as a numeric string": lambda c: sign({**c, "exp": str(int(future(600).timestamp()))}),
    "exp far away as a numeric string": lambda c: sign({**c, "exp": "1893456000"}),
    "iat as a numeric string": lambda c: sign({**c, "iat": str(int(future(0).timestamp()))}),
    "nbf as a numeric string": lambda c: sign({**c, "nbf": str(int(future(0).timestamp()))}),
    "exp as a boolean": lambda c: sign({**c, "exp": True}),
    "subject as a number": lambda c: sign({**c, "sub": ACCOUNT.int}),
    "community as a number": lambda c: sign({**c, "cid": 12345}),
    "community as a list": lambda c: sign({**c, "cid": [str(COMMUNITY)]}),
    "device as an object": lambda c: sign({**c, "did": {"id": str(DEVICE)}}),
    "jti as a number": lambda c: sign({**c, "jti": 7}),
    "audience as a list": lambda c: sign({**c, "aud": ["changlang-api"]}),
    "kid as a number": lambda c: hs256_body_labelled("HS256", c, kid=1),
    "kid as a list": lambda c: hs256_body_labelled("HS256", c, kid=[key_id(SECRET)]),
    # 20 KB: over the token limit (4 KB), under the request-head limit (64 KiB, a 431)
    "20 KB of padding in a claim": lambda c: sign({**c, "pad": "x" * 20_000}),
    "payload altered after signing": lambda c: _altered(sign(c)),
}

GARBAGE = ["garbage", "a.b.c", "...", "eyJhbGciOiJIUzI1NiJ9", "Bearer", "ünïcödé.tök.en"]


def _altered(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = str(uuid.uuid4())
    return f"{header}.{_b64(json.dumps(claims).encode())}.{signature}"


@pytest.fixture
def tokens() -> TokenService:
    return TokenService(settings_with())


# --- TokenService on its own -------------------------------------------------------------


def test_an_issued_token_verifies_to_its_account_community_and_device(
    tokens: TokenService,
) -> None:
    token, expires = tokens.issue(ACCOUNT, COMMUNITY, DEVICE, FAMILY)
    claims = tokens.verify(token)
    assert (claims.account_id, claims.community_id, claims.device_id, claims.family_id) == (
        ACCOUNT,
        COMMUNITY,
        DEVICE,
        FAMILY,
    )
    assert timedelta(minutes=14) < expires - datetime.now(UTC) <= timedelta(minutes=15)
    assert len(token) < 1024


def test_an_issued_token_is_hs256_names_its_key_and_carries_every_required_claim(
    tokens: TokenService,
) -> None:
    token, _ = tokens.issue(ACCOUNT, COMMUNITY, DEVICE, FAMILY)
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "HS256"
    assert header["kid"] == key_id(SECRET)
    payload = jwt.decode(token, options={"verify_signature": False})
    assert set(REQUIRED) <= set(payload)
    assert (payload["did"], payload["fam"]) == (str(DEVICE), str(FAMILY))


def test_two_tokens_for_the_same_account_have_different_ids(tokens: TokenService) -> None:
    first, _ = tokens.issue(ACCOUNT, COMMUNITY, DEVICE, FAMILY)
    second, _ = tokens.issue(ACCOUNT, COMMUNITY, DEVICE, FAMILY)
    unverified = [jwt.decode(t, options={"verify_signature": False}) for t in (first, second)]
    assert unverified[0]["jti"] != unverified[1]["jti"]


def test_the_forging_baseline_is_accepted(tokens: TokenService) -> None:
    claims = tokens.verify(sign(good_claims()))
    assert (claims.account_id, claims.community_id, claims.device_id, claims.family_id) == (
        ACCOUNT,
        COMMUNITY,
        DEVICE,
        FAMILY,
    )


@pytest.mark.parametrize("forgery", FORGERIES.values(), ids=FORGERIES.keys())
def test_a_forged_token_is_refused(
    tokens: TokenService, forgery: Callable[[dict[str, Any]], str]
) -> None:
    with pytest.raises(InvalidToken):
        tokens.verify(forgery(good_claims()))


@pytest.mark.parametrize("token", GARBAGE)
def test_garbage_is_refused(tokens: TokenService, token: str) -> None:
    with pytest.raises(InvalidToken):
        tokens.verify(token)


def test_clock_skew_of_a_few_seconds_is_tolerated(tokens: TokenService) -> None:
    token = sign(good_claims(nbf=future(2), iat=future(2)))
    assert tokens.verify(token).account_id == ACCOUNT


def test_a_token_expires_after_its_lifetime() -> None:
    service = TokenService(settings_with(access_token_seconds=60))
    issued = datetime.now(UTC) - timedelta(minutes=2)
    token, _ = service.issue(ACCOUNT, COMMUNITY, DEVICE, FAMILY, now=issued)
    with pytest.raises(ExpiredToken):
        service.verify(token)


def test_after_rotation_tokens_signed_with_a_previous_key_are_still_accepted() -> None:
    old_service = TokenService(settings_with(secret_key=OTHER_SECRET))
    old_token, _ = old_service.issue(ACCOUNT, COMMUNITY, DEVICE, FAMILY)
    rotated = TokenService(settings_with(previous_secret_keys=(OTHER_SECRET,)))
    assert rotated.verify(old_token).account_id == ACCOUNT
    new_token, _ = rotated.issue(ACCOUNT, COMMUNITY, DEVICE, FAMILY)
    assert jwt.get_unverified_header(new_token)["kid"] == key_id(SECRET)
    assert rotated.verify(new_token).account_id == ACCOUNT


def test_once_a_previous_key_is_dropped_its_tokens_are_refused(tokens: TokenService) -> None:
    old_token, _ = TokenService(settings_with(secret_key=OTHER_SECRET)).issue(
        ACCOUNT, COMMUNITY, DEVICE, FAMILY
    )
    with pytest.raises(InvalidToken):
        tokens.verify(old_token)


def test_the_kid_of_a_previous_key_does_not_unlock_the_current_key() -> None:
    rotated = TokenService(settings_with(previous_secret_keys=(OTHER_SECRET,)))
    with pytest.raises(InvalidToken):
        rotated.verify(sign(good_claims(), secret=SECRET, kid=key_id(OTHER_SECRET)))


# --- Through the server: a refused token is no token --------------------------------------


async def _viewer(api: Api, token: str) -> Any:
    return (await api.ok(VIEWER, token=token))["viewer"]


async def _issue_code(api: Api, world: World, token: str) -> dict[str, Any]:
    data = await api.ok(ISSUE_CODE, {"id": str(world.residents["H1a-x"])}, token=token)
    return dict(data["issueLoginCode"])


async def _codes(database: Database) -> int:
    async with database.read() as session:
        return int(await session.scalar(select(func.count(LoginCode.id))) or 0)


@dataclass(frozen=True)
class RealSession:
    """The admin's logged-in device and session: forged tokens are one change away from it."""

    account: uuid.UUID
    community: uuid.UUID
    device: uuid.UUID
    family: uuid.UUID

    def claims(self, **changes: Any) -> dict[str, Any]:
        return good_claims(self.account, self.community, self.device, self.family, **changes)


@pytest.fixture
async def admin(api: Api, world: World) -> RealSession:
    session = await _login(api, "admin")
    payload = jwt.decode(session["accessToken"], options={"verify_signature": False})
    return RealSession(
        world.accounts["admin"],
        world.community,
        uuid.UUID(payload["did"]),
        uuid.UUID(payload["fam"]),
    )


async def test_a_well_formed_token_for_a_real_session_is_accepted(
    api: Api, world: World, admin: RealSession
) -> None:
    token = sign(admin.claims())
    assert await _viewer(api, token) == {
        "accountId": str(world.accounts["admin"]),
        "deviceId": str(admin.device),
    }
    assert (await _issue_code(api, world, token))["__typename"] == "LoginCode"


@pytest.mark.parametrize("forgery", FORGERIES.values(), ids=FORGERIES.keys())
async def test_a_forged_token_gets_no_viewer_and_an_unauthenticated_mutation(
    api: Api,
    world: World,
    database: Database,
    admin: RealSession,
    forgery: Callable[[dict[str, Any]], str],
) -> None:
    token = forgery(admin.claims())
    assert await _viewer(api, token) is None
    result = await _issue_code(api, world, token)
    assert result["__typename"] == "UnauthenticatedError"
    assert result["code"] == "UNAUTHENTICATED"
    assert await _codes(database) == 0


@pytest.mark.parametrize("token", GARBAGE)
async def test_a_garbage_token_gets_no_viewer(api: Api, world: World, token: str) -> None:
    response = await api.client.post(
        "/graphql",
        json={"query": VIEWER},
        headers={"Authorization": b"Bearer " + token.encode()},
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"viewer": None}}


async def test_a_token_signed_with_a_previous_key_still_works_through_the_server(
    database: Database, world: World, admin: RealSession
) -> None:
    old = TokenService(settings_with(secret_key=OTHER_SECRET))
    token, _ = old.issue(admin.account, admin.community, admin.device, admin.family)
    rotated = api_for(database, settings_with(previous_secret_keys=(OTHER_SECRET,)))
    unrotated = api_for(database, settings_with())
    try:
        assert (await _viewer(rotated, token))["accountId"] == str(world.accounts["admin"])
        assert await _viewer(unrotated, token) is None
    finally:
        await rotated.client.aclose()
        await unrotated.client.aclose()


async def test_a_token_whose_community_is_not_the_accounts_is_refused(
    api: Api, world: World, database: Database, admin: RealSession
) -> None:
    token = sign(admin.claims(cid=str(world.other_community)))
    assert await _viewer(api, token) is None
    assert (await _issue_code(api, world, token))["__typename"] == "UnauthenticatedError"
    assert await _codes(database) == 0


async def test_a_token_for_an_unknown_account_is_refused(
    api: Api, world: World, admin: RealSession
) -> None:
    token = sign(admin.claims(sub=str(uuid.uuid4())))
    assert await _viewer(api, token) is None


async def test_a_token_for_an_unknown_device_is_refused(
    api: Api, world: World, admin: RealSession
) -> None:
    token = sign(admin.claims(did=str(uuid.uuid4())))
    assert await _viewer(api, token) is None


async def test_a_token_for_an_unknown_session_is_refused(
    api: Api, world: World, admin: RealSession
) -> None:
    token = sign(admin.claims(fam=str(uuid.uuid4())))
    assert await _viewer(api, token) is None


async def test_a_token_naming_another_accounts_device_is_refused(
    api: Api, world: World, admin: RealSession
) -> None:
    chief_session = await _login(api, "chief1")
    token = sign(admin.claims(did=chief_session["deviceId"]))
    assert await _viewer(api, token) is None


async def test_a_token_naming_another_devices_session_is_refused(
    api: Api, world: World, admin: RealSession
) -> None:
    """A family is one device's: the admin's second device cannot borrow the first's."""
    other = await _login(api, "admin")
    token = sign(admin.claims(did=other["deviceId"]))
    assert await _viewer(api, token) is None


async def test_a_token_of_a_revoked_device_is_refused_at_once(
    api: Api, world: World, database: Database
) -> None:
    session = await _login(api, "chief1")
    token = session["accessToken"]
    assert (await _viewer(api, token))["deviceId"] == session["deviceId"]
    async with database.transaction() as db_session:
        await db_session.execute(
            update(Device)
            .where(Device.id == uuid.UUID(session["deviceId"]))
            .values(revoked_at=datetime.now(UTC))
        )
    assert await _viewer(api, token) is None
    assert (await _issue_code(api, world, token))["__typename"] == "UnauthenticatedError"


async def test_a_token_of_a_deleted_device_is_refused(
    api: Api, world: World, database: Database
) -> None:
    session = await _login(api, "chief1")
    fam = jwt.decode(session["accessToken"], options={"verify_signature": False})["fam"]
    token = sign(
        good_claims(
            world.accounts["chief1"],
            world.community,
            device=uuid.UUID(session["deviceId"]),
            family=uuid.UUID(fam),
        )
    )
    assert (await _viewer(api, token))["accountId"] == str(world.accounts["chief1"])
    async with database.transaction() as db_session:
        await db_session.execute(
            RefreshToken.__table__.delete().where(
                RefreshToken.device_id == uuid.UUID(session["deviceId"])
            )
        )
        await db_session.execute(
            Device.__table__.delete().where(Device.id == uuid.UUID(session["deviceId"]))
        )
    assert await _viewer(api, token) is None


@pytest.mark.parametrize(
    "header", ["Basic {token}", "Token {token}", "{token}", "Bearer  ", "Bearer {token}{pad}"]
)
async def test_only_the_bearer_scheme_carries_a_token(
    api: Api, world: World, admin: RealSession, header: str
) -> None:
    """``{pad}``: the right token, then 5 KB of spaces: the header is refused by its size."""
    token = sign(admin.claims())
    response = await api.client.post(
        "/graphql",
        json={"query": VIEWER},
        headers={"Authorization": header.format(token=token, pad=" " * 5000)},
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"viewer": None}}


async def test_the_bearer_scheme_baseline_is_accepted(
    api: Api, world: World, admin: RealSession
) -> None:
    response = await api.client.post(
        "/graphql",
        json={"query": VIEWER},
        headers={"Authorization": f"Bearer {sign(admin.claims())}"},
    )
    assert response.json()["data"]["viewer"]["deviceId"] == str(admin.device)


def test_a_long_token_is_refused_before_it_is_decoded(
    tokens: TokenService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Neither its header nor its body is parsed (a 100 KB token costs nothing)."""
    parsed: list[str] = []
    monkeypatch.setattr(jwt, "get_unverified_header", lambda t: parsed.append(t) or {})
    monkeypatch.setattr(jwt, "decode", lambda *a, **k: parsed.append("decode") or {})
    with pytest.raises(InvalidToken):
        tokens.verify(sign(good_claims(pad="x" * 100_000)))
    with pytest.raises(InvalidToken):
        tokens.verify("x" * (MAX_TOKEN_CHARS + 1))
    assert parsed == []


async def _login(api: Api, username: str) -> dict[str, Any]:
    data = await api.ok(
        """mutation($u: String!, $p: String!) { login(username: $u, password: $p) {
             __typename ... on AuthSession { accessToken deviceId } } }""",
        {"u": username, "p": PASSWORD},
    )
    assert data["login"]["__typename"] == "AuthSession", data
    return dict(data["login"])

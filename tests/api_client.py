"""Drive the real ASGI app in-process: the same middleware, auth and schema as production."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from api.app import create_app
from api.settings import Settings
from domain.database import Database
from tests.world import PASSWORD, PII_KEY

SECRET = "test-secret-key-0123456789-abcdefghijklmnopq"


def test_settings(**overrides: Any) -> Settings:
    # Votes in tests fix their result at the close unless a test gives offline ballots a grace.
    values: dict[str, Any] = {
        "secret_key": SECRET,
        "pii_key": PII_KEY,
        "offline_ballot_grace_seconds": 0,
    }
    values.update(overrides)
    return Settings(**values)


@dataclass
class Api:
    client: httpx.AsyncClient
    language: str | None = None
    """Sent as ``Accept-Language`` when set; without it the server answers in Chinese."""

    async def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        token: str | None = None,
        *,
        language: str | None = None,
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if language or self.language:
            headers["Accept-Language"] = language or self.language or ""
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def ok(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        body = await self.post(query, variables, token)
        assert "errors" not in body, body["errors"]
        return dict(body["data"])

    async def login(self, username: str, password: str = PASSWORD) -> str:
        data = await self.ok(
            """mutation($u: String!, $p: String!) { login(username: $u, password: $p) {
                 __typename ... on AuthSession { accessToken } ... on Error { code message } } }""",
            {"u": username, "p": password},
        )
        assert data["login"]["__typename"] == "AuthSession", data
        return str(data["login"]["accessToken"])


def api_for(db: Database, settings: Settings | None = None, language: str | None = None) -> Api:
    """``language``: the ``Accept-Language`` of every request (``"en"`` where a test reads the
    English text); None sends none, and the server answers in Chinese."""
    app = create_app(settings or test_settings(), db=db)
    transport = httpx.ASGITransport(app=app)
    headers = {"Accept-Language": language} if language else {}
    client = httpx.AsyncClient(transport=transport, base_url="http://testserver", headers=headers)
    return Api(client, language)

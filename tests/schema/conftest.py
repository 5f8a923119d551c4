from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from domain.credentials import use_fast_password_hashing
from domain.database import Database
from tests.api_client import Api, api_for
from tests.world import World, build_world

use_fast_password_hashing()


@pytest.fixture
async def world(database: Database) -> World:
    return await build_world(database)


@pytest.fixture
async def api(database: Database) -> AsyncIterator[Api]:
    client = api_for(database)
    try:
        yield client
    finally:
        await client.client.aclose()

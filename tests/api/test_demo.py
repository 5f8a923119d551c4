"""The demo community: the promised size, valid personal data, every role, and loaded once."""

from __future__ import annotations

import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from api.demo import DEMO_PASSWORD, load_demo
from api.settings import Settings
from domain.credentials import use_fast_password_hashing
from domain.database import Database, open_database
from domain.migrate import upgrade
from domain.models import (
    Account,
    AccountKind,
    Grid,
    GridLevel,
    GridPost,
    Household,
    LoginCode,
    PostRole,
    Resident,
)
from domain.personal_data import PersonalDataCipher, normalize_id_number, normalize_phone
from domain.services.sessions import login_with_code, login_with_password

TODAY = date(2026, 11, 25)


@pytest.fixture(autouse=True)
def _fast_hashing() -> None:
    use_fast_password_hashing()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, pii_key="demo-test-pii-key-0123456789-abcdefghijk")


def _age(born: date) -> int:
    return TODAY.year - born.year - ((TODAY.month, TODAY.day) < (born.month, born.day))


async def test_demo_has_the_promised_shape(database: Database, settings: Settings) -> None:
    started = time.perf_counter()
    logins = await load_demo(database, settings, today=TODAY)
    assert time.perf_counter() - started < 10
    assert logins is not None
    async with database.read() as session:
        levels = list(await session.scalars(select(Grid.level)))
        households = list(await session.scalars(select(Household)))
        residents = await session.scalar(select(func.count(Resident.id)))
        roles = set(await session.scalars(select(GridPost.role)))
        posts = {p.id: p for p in await session.scalars(select(GridPost))}
        usernames = set(await session.scalars(select(Account.username)))
    assert levels.count(GridLevel.GRID) == 4
    assert 8 <= levels.count(GridLevel.MICRO_GRID) <= 12
    assert len(households) == 200
    assert residents is not None and 450 <= residents <= 550
    assert roles == set(PostRole)
    uncovered = [h for h in households if h.contact_post_id is None]
    assert 1 <= len(uncovered) <= 10
    for household in households:
        if household.contact_post_id is not None:
            assert posts[household.contact_post_id].grid_id == household.grid_id
    assert {login.username for login in logins.staff} == usernames
    assert {login.password for login in logins.staff} == {DEMO_PASSWORD}
    assert {"社区书记", "包联社区干部", "网格长", "副网格长", "网格员", "红色微网格员"} <= {
        login.role for login in logins.staff
    }
    assert len(logins.residents) == 3


async def test_demo_personal_data_is_valid_and_consistent(
    database: Database, settings: Settings
) -> None:
    await load_demo(database, settings, today=TODAY)
    cipher = PersonalDataCipher(settings.pii_key)
    async with database.read() as session:
        residents = list(await session.scalars(select(Resident)))
    hashes = set()
    for resident in residents:
        assert resident.id_number_cipher and resident.birth_date
        id_number = normalize_id_number(cipher.decrypt(resident.id_number_cipher))
        assert id_number[6:14] == f"{resident.birth_date:%Y%m%d}"
        assert resident.id_number_hash == cipher.lookup_hash(id_number)
        assert resident.id_number_masked == f"{id_number[:6]}********{id_number[-4:]}"
        hashes.add(resident.id_number_hash)
        age = _age(resident.birth_date)
        assert ("elderly" in resident.tags) == (age >= 65)
        assert ("child" in resident.tags) == (age < 14)
        if resident.phone is not None:
            assert normalize_phone(resident.phone) == resident.phone
            assert age >= 14
        assert 2 <= len(resident.name) <= 3
        assert not (resident.party_member and age < 18)
    assert len(hashes) == len(residents)
    assert 0 < sum(r.party_member for r in residents) < len(residents) // 4
    assert any("vulnerable" in r.tags for r in residents)
    assert any("special_needs" in r.tags for r in residents)


async def test_demo_logins_work(database: Database, settings: Settings) -> None:
    logins = await load_demo(database, settings, today=TODAY)
    assert logins is not None
    admin = next(login for login in logins.staff if login.username == "admin")
    async with database.transaction() as session:
        issued = await login_with_password(
            session,
            username=admin.username,
            password=admin.password,
            device_name="test",
            device_id=None,
            refresh_ttl=timedelta(days=1),
        )
        assert issued.account.kind is AccountKind.ADMIN
        resident = await login_with_code(
            session, code=logins.residents[0].code, device_name="phone", refresh_ttl=timedelta(1)
        )
        assert resident.account.display_name == logins.residents[0].name
    async with database.read() as session:
        live = await session.scalar(select(func.count()).where(LoginCode.used_at.is_(None)))
    assert live == 2


async def test_demo_loads_only_into_an_empty_database(
    database: Database, settings: Settings
) -> None:
    assert await load_demo(database, settings, today=TODAY) is not None
    assert await load_demo(database, settings, today=TODAY) is None
    async with database.read() as session:
        assert await session.scalar(select(func.count(Household.id))) == 200
        assert await session.scalar(select(func.count(Account.id))) == 27


async def test_demo_is_the_same_every_time(
    database: Database, settings: Settings, tmp_path: Path
) -> None:
    """A fixed seed: two fresh databases get the same people (ids and codes aside)."""
    other = open_database(f"sqlite+aiosqlite:///{tmp_path / 'other.sqlite3'}")
    try:
        await upgrade(other.write_engine)
        people = []
        for db in (database, other):
            await load_demo(db, settings, today=TODAY)
            async with db.read() as session:
                rows = await session.execute(select(Resident.name, Resident.id_number_hash))
                people.append(sorted(tuple(row) for row in rows))
    finally:
        await other.dispose()
    assert people[0] == people[1]

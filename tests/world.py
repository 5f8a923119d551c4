"""A small, fully known world for API tests: two communities, grids, staff, residents.

Community A has grids G1 (micro-grids M1a, M1b) and G2 (micro-grid M2a); community B has one
grid with one micro-grid. Every role a permission test needs holds a post somewhere.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from domain.credentials import hash_password
from domain.database import Database
from domain.models import AccountKind, GridPost, PostRole
from domain.personal_data import PersonalDataCipher, id_number_check_digit
from domain.principal import Principal
from domain.services import accounts, grids, households, residents

PASSWORD = "correct-horse-battery"
PII_KEY = "test-pii-key-0123456789-abcdefghijklmnop"
CIPHER = PersonalDataCipher(PII_KEY)


def id_number(serial: int, born: str = "19800101") -> str:
    first17 = f"120104{born}{serial:03d}"
    return first17 + id_number_check_digit(first17)


@dataclass
class World:
    community: uuid.UUID
    other_community: uuid.UUID
    grids: dict[str, uuid.UUID] = field(default_factory=dict)
    accounts: dict[str, uuid.UUID] = field(default_factory=dict)
    posts: dict[str, uuid.UUID] = field(default_factory=dict)
    households: dict[str, uuid.UUID] = field(default_factory=dict)
    residents: dict[str, uuid.UUID] = field(default_factory=dict)


def _admin(community: uuid.UUID, account: uuid.UUID) -> Principal:
    return Principal(account_id=account, community_id=community, kind=AccountKind.ADMIN)


async def build_world(db: Database) -> World:
    password_hash = hash_password(PASSWORD)
    async with db.transaction() as session:
        a = await accounts.create_community(session, "浩宇苑社区")
        b = await accounts.create_community(session, "别的社区")
        world = World(community=a.id, other_community=b.id)

        async def staff(community: uuid.UUID, name: str, admin: bool = False) -> uuid.UUID:
            account = await accounts.create_staff_account(
                session,
                community,
                username=name,
                password=PASSWORD,
                display_name=name,
                admin=admin,
                password_hash=password_hash,
            )
            world.accounts[name] = account.id
            return account.id

        admin_a = _admin(a.id, await staff(a.id, "admin", admin=True))
        admin_b = _admin(b.id, await staff(b.id, "admin-b", admin=True))
        for key, parent, principal in (
            ("G1", None, admin_a),
            ("M1a", "G1", admin_a),
            ("M1b", "G1", admin_a),
            ("G2", None, admin_a),
            ("M2a", "G2", admin_a),
            ("GB", None, admin_b),
            ("MB", "GB", admin_b),
        ):
            grid = await grids.create_grid(
                session, principal, name=key, parent_id=world.grids.get(parent or "")
            )
            world.grids[key] = grid.id
        for name, grid, role, community in (
            ("chief1", "G1", PostRole.GRID_CHIEF, a.id),
            ("member1a", "M1a", PostRole.MICRO_GRID_MEMBER, a.id),
            ("chief2", "G2", PostRole.GRID_CHIEF, a.id),
            ("nopost", None, None, a.id),
            ("staff-b", "MB", PostRole.MICRO_GRID_MEMBER, b.id),
        ):
            account_id = await staff(community, name)
            if grid is not None and role is not None:
                post = GridPost(
                    community_id=community,
                    account_id=account_id,
                    grid_id=world.grids[grid],
                    role=role,
                )
                session.add(post)
                await session.flush()
                world.posts[name] = post.id
        serial = 0
        for key, grid, principal in (
            ("H1a", "M1a", admin_a),
            ("H1a2", "M1a", admin_a),
            ("H1b", "M1b", admin_a),
            ("H2a", "M2a", admin_a),
            ("HB", "MB", admin_b),
        ):
            household = await households.create_household(
                session, principal, grid_id=world.grids[grid], building=key, unit="1", room="101"
            )
            world.households[key] = household.id
            for person in ("x", "y"):
                serial += 1
                resident = await residents.create_resident(
                    session,
                    principal,
                    CIPHER,
                    household_id=household.id,
                    fields={
                        "name": f"{key}-{person}",
                        "phone": f"1380000{serial:04d}",
                        "id_number": id_number(serial),
                        "tags": ["高龄老人"] if person == "x" else [],
                    },
                )
                world.residents[f"{key}-{person}"] = resident.id
        await households.assign_contact(
            session, admin_a, world.households["H1a"], world.posts["member1a"]
        )
    return world

"""Generated registry data for the differential test: ``tests.world`` and much more variety.

The roles of ``tests.world`` (admin, chief1, member1a, the resident of H1a-x) keep their
posts; around them a seeded generator adds grids, households and residents with the data a
real register holds and the compiled path must write exactly as the general one does: names
with quotes, backslashes, emoji, markup, LIKE wildcards and characters outside the BMP,
ties between names, phones of every length and form (fullwidth digits, landlines, blanks),
masked ID numbers or none, missing birth dates and relations, timestamps with and without
a fraction, deleted rows (grids, posts, households, residents), a household in a deleted
grid, a contact whose post was withdrawn, empty households, and a second community's rows
whose ids must behave as unknown ones. Rows are written directly, as an import or a sync
push leaves them (the model's own flush hooks compute the sort keys).
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from domain.database import Database
from domain.models import Gender, Grid, GridLevel, GridPost, Household, PostRole, Relation, Resident
from tests.world import World, build_world

NAMES = [
    "张三",
    "李四",
    "O'Brien",
    '"引号"',
    "back\\slash",
    "😀王",
    "</script>李",
    "a%b_c",
    "𠀀𠀁",
    "e\u0301",
    "zero\u200bwidth",
    "Ab" * 25,
    "王 小 明",
    "10号",
    "2号",
    "Ω",
    "\u2028分隔",
    "ＡＢＣ",
]
BUILDINGS = ["1号楼", "2号楼", "10号楼", "A座", 'B"座\\', "第二栋", "第十一栋", "１２号楼", "😀楼"]
UNITS = ["1", "2", "10", "一", "%"]
ROOMS = ["101", "102", "1001", "B1", "0101", "9"]
GRID_NAMES = ["第二网格", "第十一网格", "10号网格", "2号网格", "O'网格", "网格\\", "😀"]
PHONES = [
    None,
    "",
    "13800001111",
    "010-12345678",
    "1234",
    "12345",
    "+8613800001111",
    "１３８００００１１１１",
    "138 0000 1111",
    "1380000111",
]
MASKED_IDS = [None, "120104********123X", "120104********0012", "1201**", ""]
TAGS = [[], ["高龄老人"], ["低保", "高龄老人"], ['"x"'], ["残疾人"]]
STATUSES = [None, "中共党员", "群众", "", "共青团员"]
TIMES = [
    datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    datetime(2026, 1, 2, 3, 4, 5, 500000, tzinfo=UTC),
    datetime(2026, 1, 2, 3, 4, 5, 1, tzinfo=UTC),
    datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
]
SEARCHES = ["", "张", "号楼", "%", "_", "1-1", "\\", '"', "😀", "x" * 51, "A座-1", "H1a", " "]
SEARCHES.append("\ud800x")  # a lone surrogate: not Unicode text, refused on either path


@dataclass
class Generated:
    """The world and the values an operation may name: ids of every kind, tags, searches."""

    world: World
    seed: int
    ids: dict[str, list[str]] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    searches: list[str] = field(default_factory=lambda: list(SEARCHES))


async def build_generated_world(db: Database, seed: int) -> Generated:
    world = await build_world(db)
    rng = random.Random(seed)
    made = Generated(world, seed)
    households: list[uuid.UUID] = []
    residents: list[uuid.UUID] = []
    async with db.transaction() as session:
        community = world.community
        parents = [world.grids["G1"], world.grids["G2"]]
        for n in range(rng.randint(2, 3)):
            top = Grid(
                community_id=community,
                level=GridLevel.GRID,
                name=rng.choice(GRID_NAMES),
                sort_order=rng.choice([None, None, n + 1]),
                deleted=n == 2,
            )
            session.add(top)
            await session.flush()
            parents.append(top.id)
        micro = [world.grids["M1a"], world.grids["M1b"], world.grids["M2a"]]
        for n in range(rng.randint(3, 5)):
            child = Grid(
                community_id=community,
                level=GridLevel.MICRO_GRID,
                name=rng.choice(GRID_NAMES),
                parent_id=rng.choice(parents),
                sort_order=rng.choice([None, None, 1, 2]),
                deleted=n == 0,
                updated_at=rng.choice(TIMES),
            )
            session.add(child)
            await session.flush()
            micro.append(child.id)
        withdrawn = GridPost(
            community_id=community,
            account_id=world.accounts["chief2"],
            grid_id=world.grids["M1a"],
            role=PostRole.GRID_MEMBER,
            deleted=True,
        )
        session.add(withdrawn)
        await session.flush()
        contacts = [None, None, world.posts["member1a"], world.posts["chief1"], withdrawn.id]
        addresses: set[tuple[str, str, str]] = set()
        for _ in range(rng.randint(14, 20)):
            address = (rng.choice(BUILDINGS), rng.choice(UNITS), rng.choice(ROOMS))
            if address in addresses:
                continue
            addresses.add(address)
            building, unit, room = address
            home = Household(
                community_id=community,
                grid_id=rng.choice(micro + parents[:1]),
                building=building,
                unit=unit,
                room=room,
                contact_post_id=rng.choice(contacts),
                deleted=rng.random() < 0.1,
                updated_at=rng.choice(TIMES),
            )
            session.add(home)
            await session.flush()
            households.append(home.id)
        homes = [*households, world.households["H1a"], world.households["H1b"]]
        for home_id in homes:
            for _ in range(rng.choice([0, 1, 2, 3, 4])):
                residents.append(await _resident(session, rng, community, home_id))
        other = Household(
            community_id=world.other_community,
            grid_id=world.grids["MB"],
            building=rng.choice(BUILDINGS),
            unit="1",
            room="1",
        )
        session.add(other)
        await session.flush()
        for _ in range(2):
            residents.append(await _resident(session, rng, world.other_community, other.id))
        households.append(other.id)
    grid_ids = [*world.grids.values(), *parents, *micro]
    made.ids = {
        "Grid": [str(i) for i in dict.fromkeys(grid_ids)],
        "Household": [str(i) for i in [*world.households.values(), *households]],
        "Resident": [str(i) for i in [*world.residents.values(), *residents]],
        "GridPost": [str(i) for i in [*world.posts.values(), withdrawn.id]],
        "unknown": [str(uuid.UUID(int=rng.getrandbits(128)))],
    }
    made.tags = ["高龄老人", "低保", '"x"', "无此标签", ""]
    return made


async def _resident(
    session: object, rng: random.Random, community: uuid.UUID, household_id: uuid.UUID
) -> uuid.UUID:
    name = rng.choice(NAMES)
    if rng.random() < 0.5:
        name = f"{name}{rng.randint(1, 3)}"
    resident = Resident(
        community_id=community,
        household_id=household_id,
        name=name[:50],
        phone=rng.choice(PHONES),
        id_number_masked=rng.choice(MASKED_IDS),
        birth_date=rng.choice([None, date(1950, 1, 1), date(2020, 12, 31), date(999, 1, 1)]),
        tags=rng.choice(TAGS),
        party_member=rng.random() < 0.3,
        political_status=rng.choice(STATUSES),
        gender=rng.choice(list(Gender)),
        relation_to_head=rng.choice([None, *Relation]),
        deleted=rng.random() < 0.1,
        updated_at=rng.choice(TIMES),
    )
    session.add(resident)  # type: ignore[attr-defined]
    await session.flush()  # type: ignore[attr-defined]
    return resident.id

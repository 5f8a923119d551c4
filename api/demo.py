"""The demo community 浩宇苑社区: a believable red grid to click through on a fresh server.

``changlang serve --demo`` must be usable within seconds, so the bulk rows (households and
residents) are added as ORM objects in two flushes instead of one service call each, and
the demo password is hashed once (argon2 costs ~95 ms a hash). The structure (community,
grids, accounts, posts, login codes) still goes through the services, which validate it.
The rows are generated from a fixed seed, so every demo database is the same.
The council on top of them (topics, meetings, votes) is ``api.demo_council``'s, played
through the council's services.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.demo_council import Register, load_council
from api.settings import Settings
from domain.credentials import hash_password
from domain.database import Database
from domain.electorate import is_adult
from domain.models import (
    AccountKind,
    Community,
    Gender,
    Grid,
    Household,
    PostRole,
    Relation,
    Resident,
)
from domain.models.base import utcnow
from domain.personal_data import PersonalDataCipher, id_number_check_digit, mask_id_number
from domain.principal import Principal
from domain.services.accounts import (
    create_community,
    create_staff_account,
    issue_login_code_as_system,
)
from domain.services.grids import create_grid
from domain.services.posts import create_post

COMMUNITY_NAME = "浩宇苑社区"
DEMO_PASSWORD = "changlang-demo"
SEED = 20261125
FLOORS = 10
ROOMS_PER_FLOOR = 2
UNCOVERED_HOUSEHOLDS = 6
CODE_RESIDENTS = 3

# 网格 → its micro-grids, each one stairwell (building, unit): 10 stairwells × 20 flats.
GRIDS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("第一网格", (("1号楼", "1单元"), ("1号楼", "2单元"), ("2号楼", "1单元"))),
    ("第二网格", (("3号楼", "1单元"), ("3号楼", "2单元"))),
    ("第三网格", (("4号楼", "1单元"), ("4号楼", "2单元"), ("5号楼", "1单元"))),
    ("第四网格", (("6号楼", "1单元"), ("6号楼", "2单元"))),
)

ROLE_LABELS: dict[str, str] = {
    "admin": "社区书记",
    PostRole.CADRE: "包联社区干部",
    PostRole.GRID_CHIEF: "网格长",
    PostRole.DEPUTY_CHIEF: "副网格长",
    PostRole.GRID_MEMBER: "网格员",
    PostRole.MICRO_GRID_MEMBER: "红色微网格员",
    "property": "物业公司",
}
GRID_ROLES = (
    ("cadre", PostRole.CADRE),
    ("chief", PostRole.GRID_CHIEF),
    ("deputy", PostRole.DEPUTY_CHIEF),
    ("member", PostRole.GRID_MEMBER),
)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许"
    "韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
MALE_CHARS = "伟强磊军勇杰涛明超刚平辉鹏华飞斌波建国志文宇浩俊海东林峰凯鑫博昊轩子睿德福庆"
FEMALE_CHARS = "芳娜敏静丽艳娟霞秀玲桂英兰红梅琳婷雪慧颖佳欣怡萱涵诗雨思梦晨淑珍凤"
LOCAL_REGIONS = ("120104", "120103", "120105", "120106", "120101", "120102")
OTHER_REGIONS = ("130102", "370102", "410105", "210102", "320102", "150102")
MOBILE_PREFIXES = ("135", "136", "138", "139", "150", "152", "158", "166", "177", "186", "189")


@dataclass(frozen=True)
class StaffLogin:
    username: str
    password: str
    role: str
    display_name: str
    grid: str


@dataclass(frozen=True)
class ResidentLogin:
    name: str
    address: str
    code: str


@dataclass(frozen=True)
class DemoLogins:
    """What ``changlang serve --demo`` prints, so someone can log in as each kind of user."""

    community: str
    staff: list[StaffLogin] = field(default_factory=list)
    residents: list[ResidentLogin] = field(default_factory=list)


async def load_demo(
    db: Database, settings: Settings, today: date | None = None
) -> DemoLogins | None:
    """Create the demo community unless the database already has a community (then None)."""
    async with db.transaction() as session:
        if await session.scalar(select(Community.id).limit(1)) is not None:
            return None
        builder = _DemoBuilder(session, PersonalDataCipher(settings.pii_key), today or date.today())
        return await builder.build(timedelta(seconds=settings.login_code_seconds))


class _DemoBuilder:
    def __init__(self, session: AsyncSession, cipher: PersonalDataCipher, today: date) -> None:
        self.session = session
        self.cipher = cipher
        self.today = today
        self.rng = random.Random(SEED)
        self.password_hash = hash_password(DEMO_PASSWORD)
        self.staff: list[StaffLogin] = []
        self.accounts: dict[str, uuid.UUID] = {}
        self.used_ids: set[str] = set()

    async def build(self, code_ttl: timedelta) -> DemoLogins:
        community = await create_community(self.session, COMMUNITY_NAME)
        admin = await self._account(community.id, "admin", "admin", "社区", admin=True)
        principal = Principal(account_id=admin, community_id=community.id, kind=AccountKind.ADMIN)
        micro_posts: dict[uuid.UUID, uuid.UUID] = {}
        stairwell_staff: dict[uuid.UUID, uuid.UUID] = {}
        stairwells: list[tuple[Grid, str, str]] = []
        grids: dict[str, Grid] = {}
        grid_numbers: dict[str, int] = {}
        for number, (grid_name, units) in enumerate(GRIDS, start=1):
            grid = await create_grid(self.session, principal, name=grid_name, parent_id=None)
            grids[grid_name] = grid
            grid_numbers[grid_name] = number
            for prefix, role in GRID_ROLES:
                account = await self._account(community.id, f"{prefix}{number}", role, grid_name)
                await create_post(
                    self.session, principal, account_id=account, grid_id=grid.id, role=role
                )
            for index, (building, unit) in enumerate(units, start=1):
                micro = await create_grid(
                    self.session, principal, name=f"{building}{unit}", parent_id=grid.id
                )
                account = await self._account(
                    community.id, f"micro{number}-{index}", PostRole.MICRO_GRID_MEMBER, micro.name
                )
                post = await create_post(
                    self.session,
                    principal,
                    account_id=account,
                    grid_id=micro.id,
                    role=PostRole.MICRO_GRID_MEMBER,
                )
                micro_posts[micro.id] = post.id
                stairwell_staff[micro.id] = account
                stairwells.append((micro, building, unit))
                grids[micro.name] = micro
                grid_numbers[micro.name] = number
        households = self._households(community.id, stairwells, micro_posts)
        self.session.add_all(households)
        await self.session.flush()
        residents = [r for h in households for r in self._residents(community.id, h.id)]
        self.session.add_all(residents)
        await self.session.flush()
        coded = self._code_residents(households, residents)
        await self._account(community.id, "wuye", "property", "物业服务中心")
        await load_council(
            self.session,
            Register(
                community_id=community.id,
                admin=principal,
                accounts=self.accounts,
                grids=grids,
                grid_numbers=grid_numbers,
                stairwell_staff=stairwell_staff,
                households=households,
                residents=residents,
                reserved=frozenset(r.household_id for r in coded),
            ),
        )
        codes = await self._login_codes(community.id, households, coded, code_ttl)
        return DemoLogins(community=COMMUNITY_NAME, staff=self.staff, residents=codes)

    async def _account(
        self, community_id: uuid.UUID, username: str, role: str, grid: str, admin: bool = False
    ) -> uuid.UUID:
        display_name = self._name(male=self.rng.random() < 0.5)
        account = await create_staff_account(
            self.session,
            community_id,
            username=username,
            password=DEMO_PASSWORD,
            display_name=display_name,
            admin=admin,
            password_hash=self.password_hash,
        )
        self.staff.append(
            StaffLogin(username, DEMO_PASSWORD, ROLE_LABELS[role], display_name, grid)
        )
        self.accounts[username] = account.id
        return account.id

    def _households(
        self,
        community_id: uuid.UUID,
        stairwells: list[tuple[Grid, str, str]],
        micro_posts: dict[uuid.UUID, uuid.UUID],
    ) -> list[Household]:
        households = [
            Household(
                id=uuid.uuid4(),
                community_id=community_id,
                grid_id=micro.id,
                building=building,
                unit=unit,
                room=f"{floor}{flat:02d}",
                contact_post_id=micro_posts[micro.id],
            )
            for micro, building, unit in stairwells
            for floor in range(1, FLOORS + 1)
            for flat in range(1, ROOMS_PER_FLOOR + 1)
        ]
        for household in self.rng.sample(households, UNCOVERED_HOUSEHOLDS):
            household.contact_post_id = None  # 未落实联系人: the coverage report's gap
        return households

    def _residents(self, community_id: uuid.UUID, household_id: uuid.UUID) -> list[Resident]:
        """One household's members: a plausible mix of couples, children and grandparents."""
        rng = self.rng
        surname = rng.choice(SURNAMES)
        kind = rng.random()
        members: list[tuple[int, bool, str]] = []  # (age, male, surname)
        if kind < 0.25:  # elderly couple
            age = rng.randint(65, 88)
            members += [(age, True, surname), (age - rng.randint(0, 4), False, "")]
        elif kind < 0.35:  # living alone, elderly
            members.append((rng.randint(66, 92), rng.random() < 0.4, surname))
        elif kind < 0.65:  # young family
            age = rng.randint(28, 42)
            members += [(age, True, surname), (age - rng.randint(0, 3), False, "")]
            for _ in range(rng.randint(0, 2)):
                members.append((rng.randint(0, 12), rng.random() < 0.5, surname))
        elif kind < 0.9:  # middle-aged couple, a teenager or student, maybe a grandparent
            age = rng.randint(40, 58)
            members += [(age, True, surname), (age - rng.randint(0, 4), False, "")]
            members.append((rng.randint(12, 24), rng.random() < 0.5, surname))
            if rng.random() < 0.4:
                members.append((age + rng.randint(24, 32), rng.random() < 0.5, surname))
        else:  # a single adult renting
            members.append((rng.randint(22, 60), rng.random() < 0.5, ""))
        people = [
            self._resident(community_id, household_id, age, male, family)
            for age, male, family in members
        ]
        people[0].relation_to_head = Relation.HEAD  # the first adult listed heads the household
        return people

    def _resident(
        self, community_id: uuid.UUID, household_id: uuid.UUID, age: int, male: bool, surname: str
    ) -> Resident:
        rng = self.rng
        born = self.today - timedelta(days=int(age * 365.25) + rng.randint(1, 360))
        id_number = self._id_number(born, male)
        years = _age(born, self.today)
        tags = {"高龄老人"} if years >= 80 else set()
        if years < 14:
            tags.add("儿童")
        if rng.random() < 0.03:
            tags.add("困难家庭")
        if rng.random() < 0.02:
            tags.add("残疾人")
        party = years >= 18 and rng.random() < (0.2 if years >= 60 else 0.1)
        has_phone = years >= 16 and not (years >= 80 and rng.random() < 0.5)
        return Resident(
            id=uuid.uuid4(),
            community_id=community_id,
            household_id=household_id,
            name=self._name(male, surname),
            phone=self._mobile() if has_phone else None,
            id_number_cipher=self.cipher.encrypt(id_number),
            id_number_hash=self.cipher.lookup_hash(id_number),
            id_number_masked=mask_id_number(id_number),
            birth_date=born,
            tags=sorted(tags),
            party_member=party,
            political_status="中共党员" if party else "群众",
            gender=Gender.MALE if male else Gender.FEMALE,
        )

    def _name(self, male: bool, surname: str = "") -> str:
        chars = MALE_CHARS if male else FEMALE_CHARS
        given = "".join(self.rng.choice(chars) for _ in range(self.rng.choice((1, 2, 2))))
        return (surname or self.rng.choice(SURNAMES)) + given

    def _id_number(self, born: date, male: bool) -> str:
        """A valid, unique ID: region, birth date, sequence (odd for men), check digit."""
        regions = LOCAL_REGIONS if self.rng.random() < 0.8 else OTHER_REGIONS
        while True:
            sequence = self.rng.randrange(100) * 10 + self.rng.choice(
                (1, 3, 5, 7, 9) if male else (0, 2, 4, 6, 8)
            )
            first17 = f"{self.rng.choice(regions)}{born:%Y%m%d}{sequence:03d}"
            value = first17 + id_number_check_digit(first17)
            if value not in self.used_ids:
                self.used_ids.add(value)
                return value

    def _mobile(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def _code_residents(
        self, households: list[Household], residents: list[Resident]
    ) -> list[Resident]:
        """Adults with a phone in different grids, as a grid contact would pick them.

        Chosen before the council is played: their households are kept out of every topic
        and ballot, so each of them can log in and cast a first ballot in the open votes.
        """
        step = len(households) // CODE_RESIDENTS
        now = utcnow()
        chosen: list[Resident] = []
        for index in range(CODE_RESIDENTS):
            for household in households[index * step :]:
                members = [r for r in residents if r.household_id == household.id]
                adult = next((r for r in members if r.phone and is_adult(r.birth_date, now)), None)
                if adult is not None:
                    chosen.append(adult)
                    break
        return chosen

    async def _login_codes(
        self,
        community_id: uuid.UUID,
        households: list[Household],
        coded: list[Resident],
        ttl: timedelta,
    ) -> list[ResidentLogin]:
        address = {h.id: f"{h.building}{h.unit}{h.room}" for h in households}
        logins: list[ResidentLogin] = []
        for resident in coded:
            issued = await issue_login_code_as_system(self.session, community_id, resident.id, ttl)
            logins.append(ResidentLogin(resident.name, address[resident.household_id], issued.code))
        return logins


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

"""Staff accounts and their posts (定岗定责) from a spreadsheet: one row per post.

Columns 姓名, 用户名, 岗位, 网格 and 管理员 (是/否, optional). A person with several posts
has several rows under one username; a row without 岗位 and 网格 makes the account alone (a
responsible contact such as the property company). Accounts are matched by username and
posts by (account, node, role), so importing the same file again changes nothing.

A new account gets a random initial password, returned once in the result for the
secretary to hand over: only its hash is stored, and it is never logged. The accounts and
posts are made by the services behind ``createStaffAccount`` and ``createGridPost``.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.import_outcome import (
    ImportResult,
    ImportRolledBack,
    NewAccount,
    Outcome,
    RowOutcome,
    Summary,
    as_column,
)
from api.residents_io import admin_principal
from api.sheet_rows import SheetRow, read_sheet
from domain.credentials import hash_password_off_loop
from domain.database import Database
from domain.errors import Conflict, DomainError, InvalidInput
from domain.i18n import N_, word
from domain.models import Account, Grid, GridLevel, GridPost, PostRole
from domain.permissions import require_admin
from domain.principal import Principal
from domain.services.accounts import create_staff_account
from domain.services.grids import community_grids
from domain.services.posts import create_post

HEADERS = {
    "name": ("姓名", "name", "显示名"),
    "username": ("用户名", "username", "登录名", "账号"),
    "role": ("岗位", "role", "职务"),
    "grid": ("网格", "grid", "所在网格"),
    "admin": ("管理员", "admin", "是否管理员"),
}
REQUIRED = ("name", "username", "role", "grid")

ROLE_WORDS = {
    "包联社区干部": PostRole.CADRE,
    "包联干部": PostRole.CADRE,
    "网格长": PostRole.GRID_CHIEF,
    "副网格长": PostRole.DEPUTY_CHIEF,
    "网格员": PostRole.GRID_MEMBER,
    "专职网格员": PostRole.GRID_MEMBER,
    "红色微网格员": PostRole.MICRO_GRID_MEMBER,
    "微网格员": PostRole.MICRO_GRID_MEMBER,
} | {role.value: role for role in PostRole}
ROLE_CHOICES = "包联社区干部、网格长、副网格长、网格员、红色微网格员"

_YES = {"是", "yes", "y", "true", "1"}
_NO = {"否", "no", "n", "false", "0", ""}

PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PASSWORD_LENGTH = 12
DRY_RUN_HASH = "dry-run"  # a dry run rolls back: no need to spend argon2 on a password


def read_staff_file(data: bytes, filename: str) -> list[SheetRow]:
    return read_sheet(data, filename, HEADERS, REQUIRED)


def new_password() -> str:
    """Readable aloud and on paper: no 0/O, 1/l/I."""
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))


def _role(text: str) -> PostRole:
    role = ROLE_WORDS.get(text.strip()) or ROLE_WORDS.get(text.strip().casefold())
    if role is None:
        raise InvalidInput(
            "岗位",
            N_("unknown post {role}; write one of {choices}"),
            role=repr(text),
            choices=ROLE_CHOICES,
        )
    return role


def _admin(text: str) -> bool:
    folded = text.strip().casefold()
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    raise InvalidInput("管理员", N_("{text}: write 是 or 否"), text=repr(text))


class _Grids:
    def __init__(self, grids: list[Grid]) -> None:
        self.by_id = {grid.id: grid for grid in grids}
        self.grids = grids

    def find(self, reference: str) -> Grid:
        """``网格`` names a grid (else a micro-grid of that name); ``网格/微网格`` a micro-grid."""
        parent_name, _, micro_name = reference.partition("/")
        if micro_name:
            found = [
                g
                for g in self.grids
                if g.level is GridLevel.MICRO_GRID
                and g.name == micro_name.strip()
                and g.parent_id in self.by_id
                and self.by_id[g.parent_id].name == parent_name.strip()
            ]
        else:
            found = [g for g in self.grids if g.level is GridLevel.GRID and g.name == reference]
            found = found or [g for g in self.grids if g.name == reference]
        if not found:
            raise InvalidInput(
                "网格", N_("no grid named {name}; import the grids first"), name=repr(reference)
            )
        if len(found) > 1:
            raise InvalidInput(
                "网格", N_("{name} is ambiguous; write 网格/微网格"), name=repr(reference)
            )
        return found[0]


class _Importer:
    def __init__(self, session: AsyncSession, who: Principal, grids: _Grids, dry_run: bool) -> None:
        self.session = session
        self.who = who
        self.grids = grids
        self.dry_run = dry_run
        self.accounts: list[NewAccount] = []

    async def account(self, username: str, name: str, admin: bool) -> tuple[Account, bool]:
        found = await self.session.scalar(select(Account).where(Account.username == username))
        if found is not None:
            if found.community_id != self.who.community_id:
                raise Conflict(N_("the username {name} is taken"), name=username)
            return found, False
        password = new_password()
        account = await create_staff_account(
            self.session,
            self.who.community_id,
            username=username,
            password=password,
            display_name=name,
            admin=admin,
            password_hash=DRY_RUN_HASH if self.dry_run else await hash_password_off_loop(password),
        )
        self.accounts.append(
            NewAccount(account.username or username, account.display_name, password)
        )
        return account, True

    async def row(self, row: SheetRow) -> RowOutcome:
        cells = row.cells
        name, username = cells.get("name", ""), cells.get("username", "").strip().lower()
        role_text, grid_text = cells.get("role", ""), cells.get("grid", "")
        if not name:
            raise InvalidInput("姓名", N_("is required"))
        if not username:
            raise InvalidInput("用户名", N_("is required"))
        if bool(role_text) != bool(grid_text):
            raise InvalidInput("岗位", N_("write both 岗位 and 网格, or neither"))
        admin = _admin(cells.get("admin", ""))
        role = _role(role_text) if role_text else None
        grid = self.grids.find(grid_text) if grid_text else None
        async with self.session.begin_nested():
            account, made = await self.account(username, name, admin)
            summary = [
                Summary(
                    N_("new account {username} ({name})")
                    if made
                    else N_("account {username} ({name})"),
                    {"username": username, "name": account.display_name},
                )
            ]
            if role is not None and grid is not None:
                held = await self.session.scalar(
                    select(GridPost.id).where(
                        GridPost.account_id == account.id,
                        GridPost.grid_id == grid.id,
                        GridPost.role == role,
                        GridPost.deleted.is_(False),
                    )
                )
                if held is None:
                    await create_post(
                        self.session, self.who, account_id=account.id, grid_id=grid.id, role=role
                    )
                    made = True
                summary.append(
                    Summary(
                        N_("post {role} on {grid}") if held else N_("new post {role} on {grid}"),
                        {"role": word(role.value), "grid": grid.name},
                    )
                )
        return RowOutcome(row.line, Outcome.CREATE if made else Outcome.UNCHANGED, summary)


async def import_staff_rows(
    session: AsyncSession, principal: Principal | None, rows: list[SheetRow], *, dry_run: bool
) -> ImportResult:
    """Into the caller's transaction; raises ``ImportRolledBack`` on a dry run or a bad row."""
    who = require_admin(principal)
    importer = _Importer(
        session, who, _Grids(await community_grids(session, who.community_id)), dry_run
    )
    result = ImportResult()
    for row in rows:
        made = len(importer.accounts)
        try:
            result.rows.append(await importer.row(row))
        except DomainError as error:
            as_column(error, {"username": "用户名", "displayName": "姓名"})
            del importer.accounts[made:]  # the row's SAVEPOINT took its account back
            result.rows.append(RowOutcome(row.line, Outcome.REFUSED, [], error))
    result.accounts = importer.accounts
    if dry_run or result.refused:
        result.accounts = []  # rolled back: these passwords were never kept
        raise ImportRolledBack(result)
    result.applied = True
    return result


async def import_staff(
    db: Database,
    data: bytes,
    filename: str,
    *,
    dry_run: bool,
    community: str | None = None,
    principal: Principal | None = None,
) -> ImportResult:
    """Read and import in one transaction, as ``principal`` or else the community's admin."""
    rows = read_staff_file(data, filename)
    try:
        async with db.transaction() as session:
            who = principal or await admin_principal(session, community)
            return await import_staff_rows(session, who, rows, dry_run=dry_run)
    except ImportRolledBack as rolled_back:
        return rolled_back.result

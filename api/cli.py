"""The ``changlang`` command: run the server and do the operator's chores on its database.

Each command is thin (settings, a database, one call into ``api.demo``,
``api.residents_io`` or a domain service) so that what it does is tested without a shell.
Expected failures (``DomainError``, bad settings) print one line and exit with status 1.
Everything it says is in ``CHANGLANG_LANGUAGE`` (``zh``, the default, or ``en``), from the
same catalogs as the server's messages.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
import uvicorn
from alembic.migration import MigrationContext
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from sqlalchemy import select
from sqlalchemy import text as sql_text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession
from uvicorn.config import LOGGING_CONFIG

from api.demo import DemoLogins, load_demo
from api.grid_import import import_grids
from api.header_limit import bounded_protocol
from api.import_outcome import ImportResult as ImportResult_
from api.import_outcome import Outcome
from api.import_templates import SHEET_TITLES, template_xlsx
from api.login_slips import render_sheet
from api.pg_events import PostgresEventBus
from api.register_file import read_register
from api.register_plan import row_reason
from api.register_refused import refused_workbook
from api.residents_io import (
    ImportReport,
    export_residents,
    find_community,
    import_residents,
)
from api.server_sizing import default_workers, pool_per_worker
from api.settings import Settings, SettingsError
from api.staff_import import import_staff
from domain.credentials import hash_password
from domain.database import Database, open_database
from domain.errors import DomainError, InvalidInput, NotFound
from domain.i18n import N_, negotiate, render
from domain.migrate import upgrade
from domain.models import Account, AccountKind, Community, Grid, Household, Resident
from domain.personal_data import PersonalDataCipher, normalize_id_number
from domain.services.accounts import (
    IssuedCode,
    create_community,
    create_staff_account,
    issue_login_code_as_system,
)
from domain.services.grids import community_grids
from domain.services.login_slips import SlipSheet, issue_slips_as_system
from schema.sync.commit_events import sync_event_publisher
from sync.compaction import Compacted, compact_all

app = typer.Typer(
    name="changlang",
    help=render(
        N_("长廊 changlang: the corridor deliberation council and red grid server."),
        None,
        negotiate(os.environ.get("CHANGLANG_LANGUAGE")),
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # locals may hold passwords and residents' data
)
console = Console()
errors = Console(stderr=True)


def language() -> str:
    """The operator's language: ``CHANGLANG_LANGUAGE`` (``zh`` by default, or ``en``)."""
    return negotiate(os.environ.get("CHANGLANG_LANGUAGE"))


def t(template: str, **params: object) -> str:
    """``template`` (marked with ``N_``) in the operator's language."""
    return render(template, params, language())


def _problem(exc: DomainError) -> str:
    return escape(exc.render(language()))


T = TypeVar("T")
WORKER_STARTUP_SECONDS = 60
"""How long uvicorn waits for a new worker to start (its default, 5 s, is too short on a
busy machine: it kills the worker as dead and starts another, over and over)."""


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as exc:
        errors.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(1) from exc


def _run(work: Callable[[Database], Awaitable[T]], settings: Settings) -> T:
    """Migrate, then run ``work`` on the database; a ``DomainError`` becomes exit status 1.

    Every command migrates first (a no-op when current), so that ``create-admin`` works as
    the first command on a fresh machine, before ``serve`` has ever run.
    """

    async def main() -> T:
        async with _database(settings) as db:
            return await work(db)

    try:
        return asyncio.run(main())
    except DomainError as exc:
        errors.print(f"[red]{_problem(exc)}[/red]")
        raise typer.Exit(1) from exc


@asynccontextmanager
async def _database(settings: Settings) -> AsyncIterator[Database]:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = open_database(settings.effective_database_url)
    try:
        await upgrade(db.write_engine)
        async with _announcing(db):
            yield db
    finally:
        await db.dispose()


@asynccontextmanager
async def _announcing(db: Database) -> AsyncIterator[None]:
    """On PostgreSQL, a command's writes wake the live sync streams of running servers, as a
    server's own writes do (through ``NOTIFY``); SQLite has no channel between processes, so
    the streams' slow safety poll finds them there."""
    if db.dialect != "postgresql":
        yield
        return
    bus = PostgresEventBus(db.url)
    undo = db.on_commit(sync_event_publisher(lambda: bus))
    try:
        yield
    finally:
        undo()
        await bus.stop()


def _revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


@app.command()
def migrate() -> None:
    """Bring the database to the newest schema."""

    async def work(db: Database) -> str | None:
        async with db.write_engine.connect() as connection:
            return await connection.run_sync(_revision)

    revision = _run(work, _settings())
    console.print(t(N_("database at revision {revision}"), revision=f"[bold]{revision}[/bold]"))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    workers: Annotated[
        int | None,
        typer.Option(help="server processes (default: one per core on PostgreSQL, 1 on SQLite)"),
    ] = None,
    demo: Annotated[bool, typer.Option(help="load the demo community 浩宇苑社区")] = False,
) -> None:
    """Migrate the database, optionally load the demo, and run the server."""
    settings = _settings()
    if demo and settings.production:
        errors.print(
            "[red]"
            + t(N_("--demo loads known passwords; it is refused in production mode"))
            + "[/red]"
        )
        raise typer.Exit(1)

    processes = workers or default_workers(settings.effective_database_url)

    async def prepare(db: Database) -> tuple[DemoLogins | None, bool, int | None]:
        logins = await load_demo(db, settings) if demo else None
        async with db.read() as session:
            admin = await session.scalar(
                select(Account.id).where(Account.kind == AccountKind.ADMIN).limit(1)
            )
            limit = None
            if db.dialect == "postgresql":
                limit = int(await session.scalar(sql_text("SHOW max_connections")) or 0)
        return logins, admin is not None, limit

    logins, has_admin, max_connections = _run(prepare, settings)
    worker_env: dict[str, str] = {}
    if max_connections is not None and not settings.pool_size:
        pool = pool_per_worker(max_connections, processes)
        if not pool:
            errors.print(
                "[red]"
                + t(
                    N_(
                        "{workers} server processes need more connections than PostgreSQL's"
                        " max_connections ({limit}) leaves; start fewer (--workers)"
                    ),
                    workers=processes,
                    limit=max_connections,
                )
                + "[/red]"
            )
            raise typer.Exit(1)
        worker_env["CHANGLANG_POOL_SIZE"] = str(pool)
    if logins is not None:
        _print_demo(logins)
    elif demo:
        console.print(t(N_("The database already has a community; the demo was not loaded.")))
    if not has_admin:
        console.print(
            t(N_("No admin account yet. Create one with:"))
            + "\n  changlang create-admin --username admin --display-name 社区书记 "
            "--community 社区名称"
        )
    base = f"http://{host}:{port}"
    pages = [(t(N_("residents' page")), "/"), (t(N_("staff console")), "/console/")]
    if not settings.production:
        pages.append(("GraphiQL", "/graphql"))
    for label, path in pages:
        console.print(f"{label}: [link={base}{path}]{base}{path}[/link]")
    if logins is not None:
        console.print(t(N_("Each demo staff login opens the staff console on its own role.")))
    with _environment(worker_env):  # the workers read their settings anew
        uvicorn.run(
            "api.app:app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=processes,
            loop="uvloop",
            log_config=LOGGING_CONFIG,
            proxy_headers=False,  # only CHANGLANG_TRUSTED_PROXIES decides (api.app)
            access_log=False,  # its lines carry the query string; RequestId logs method and path
            **server_options(settings),
            timeout_worker_healthcheck=WORKER_STARTUP_SECONDS,
        )


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """``values`` in this process's environment while the server runs (its workers inherit
    them), as before afterwards."""
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def server_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's options that bound what a client may make the server hold.

    A request head over ``max_header_bytes`` is answered 431 while it is still being read
    (``api.header_limit``), whichever HTTP protocol uvicorn runs.
    """
    return {"http": bounded_protocol(), "h11_max_incomplete_event_size": settings.max_header_bytes}


def _print_demo(logins: DemoLogins) -> None:
    table = Table(title=t(N_("{community}: demo logins"), community=logins.community))
    for column in (N_("username"), N_("password"), N_("role"), N_("name"), N_("grid")):
        table.add_column(t(column))
    for staff in logins.staff:
        table.add_row(
            *map(
                escape, (staff.username, staff.password, staff.role, staff.display_name, staff.grid)
            )
        )
    console.print(table)
    codes = Table(title=t(N_("one-time codes for residents")))
    for column in (N_("resident"), N_("address"), N_("code")):
        codes.add_column(t(column))
    for resident in logins.residents:
        codes.add_row(*map(escape, (resident.name, resident.address, resident.code)))
    console.print(codes)


@app.command("create-admin")
def create_admin(
    username: Annotated[str, typer.Option(help="login name: letters, digits, . - _")],
    display_name: Annotated[str, typer.Option(help="name shown to others, e.g. 社区书记 王芳")],
    community: Annotated[
        str | None, typer.Option(help="the community (created if there is none yet)")
    ] = None,
) -> None:
    """Create an admin (社区书记) account; the password is asked for twice."""
    settings = _settings()
    password: str = typer.prompt(
        t(N_("Password")),
        hide_input=True,
        confirmation_prompt=t(N_("Repeat for confirmation")),
    )
    try:
        password_hash = hash_password(password)
    except InvalidInput as exc:
        errors.print(f"[red]{_problem(exc)}[/red]")
        raise typer.Exit(1) from exc

    async def work(db: Database) -> str:
        async with db.transaction() as session:
            target = await _admin_community(session, community)
            await create_staff_account(
                session,
                target.id,
                username=username,
                password=password,
                display_name=display_name,
                admin=True,
                password_hash=password_hash,
            )
            return target.name

    name = _run(work, settings)
    console.print(
        t(
            N_("admin {username} created in {community}"),
            username=f"[bold]{escape(username.strip().lower())}[/bold]",
            community=escape(name),
        )
    )


async def _admin_community(session: AsyncSession, name: str | None) -> Community:
    """The first admin also creates the community; later ones join an existing one."""
    if await session.scalar(select(Community.id).limit(1)) is None:
        if not name:
            raise InvalidInput("community", N_("there is no community yet: pass --community NAME"))
        return await create_community(session, name)
    return await find_community(session, name)


@app.command("issue-code")
def issue_code(
    resident: Annotated[
        str | None, typer.Argument(help="the resident's id (UUID) or ID number")
    ] = None,
    name: Annotated[str | None, typer.Option(help="the resident's name (with --household)")] = None,
    household: Annotated[
        str | None, typer.Option(help="building/unit/room, e.g. 1号楼/2单元/502 (with --name)")
    ] = None,
) -> None:
    """Print a one-time login code for a resident, to hand over in person."""
    settings = _settings()
    cipher = PersonalDataCipher(settings.pii_key)
    ttl = timedelta(seconds=settings.login_code_seconds)

    async def work(db: Database) -> tuple[str, IssuedCode]:
        async with db.transaction() as session:
            if resident is not None and name is None and household is None:
                found = await _find_resident(session, cipher, resident)
            elif resident is None and name and household:
                found = await _find_by_address(session, name, household)
            else:
                raise InvalidInput(
                    "resident", N_("give an id or ID number, or --name with --household")
                )
            issued = await issue_login_code_as_system(session, found.community_id, found.id, ttl)
            return found.name, issued

    found_name, issued = _run(work, settings)
    hours = settings.login_code_seconds // 3600
    console.print(
        t(
            N_("login code for {name}: {code} (valid {hours} h, once)"),
            name=escape(found_name),
            code=f"[bold]{issued.code}[/bold]",
            hours=hours,
        )
    )
    if issued.replaced_earlier_code:
        console.print(t(N_("the earlier login code of this resident no longer works")))


async def _find_resident(
    session: AsyncSession, cipher: PersonalDataCipher, reference: str
) -> Resident:
    """By UUID, or by ID number through its keyed hash (the number itself is not stored)."""
    try:
        condition = Resident.id == uuid.UUID(reference.strip())
    except ValueError:
        condition = Resident.id_number_hash == cipher.lookup_hash(normalize_id_number(reference))
    found = list(await session.scalars(select(Resident).where(condition, ~Resident.deleted)))
    if len(found) != 1:
        raise NotFound(
            N_("resident"), reference if len(found) == 0 else t(N_("(several communities)"))
        )
    return found[0]


async def _find_by_address(session: AsyncSession, name: str, household: str) -> Resident:
    """By name and 楼/单元/室, as a grid contact knows a resident who has no ID number on file."""
    parts = [part.strip() for part in household.replace("／", "/").split("/")]
    if len(parts) != 3 or not all(parts):
        raise InvalidInput("household", N_("write the household as building/unit/room"))
    building, unit, room = parts
    found = list(
        await session.scalars(
            select(Resident)
            .join(Household, Household.id == Resident.household_id)
            .where(
                Resident.name == name.strip(),
                ~Resident.deleted,
                ~Household.deleted,
                Household.building == building,
                Household.unit == unit,
                Household.room == room,
            )
            .limit(3)
        )
    )
    if not found:
        raise InvalidInput(
            "name",
            N_("no resident named {name} lives at {household}"),
            name=name.strip(),
            household="/".join(parts),
        )
    if len(found) > 1:
        raise InvalidInput(
            "name",
            N_("several residents named {name} live at {household}; use the ID number"),
            name=name.strip(),
            household="/".join(parts),
        )
    return found[0]


@app.command("print-slips")
def print_slips(
    out: Annotated[Path, typer.Argument(dir_okay=False, help="the HTML file to write")],
    grid: Annotated[str, typer.Option(help="the grid node's name, or 网格/微网格")],
    building: Annotated[str | None, typer.Option(help="only this building, e.g. 1号楼")] = None,
    url: Annotated[
        str, typer.Option(envvar="CHANGLANG_PUBLIC_URL", help="the residents' page address")
    ] = "http://127.0.0.1:8000/",
    community: Annotated[str | None, typer.Option(help="the community")] = None,
) -> None:
    """Issue fresh login codes for a grid node's residents and write their printable slips."""
    settings = _settings()
    ttl = timedelta(seconds=settings.login_code_seconds)

    async def work(db: Database) -> SlipSheet:
        async with db.transaction() as session:
            target = await find_community(session, community)
            node = await _find_grid(session, target.id, grid)
            return await issue_slips_as_system(session, target.id, node, building, ttl)

    sheet = _run(work, settings)
    out.write_text(render_sheet(sheet, url), encoding="utf-8")
    console.print(
        t(
            N_("{count} login slips written to {path}"),
            count=len(sheet.slips),
            path=escape(str(out)),
        )
    )
    if sheet.replaced:
        console.print(
            t(
                N_("the earlier login codes of {count} residents no longer work"),
                count=sheet.replaced,
            )
        )


async def _find_grid(session: AsyncSession, community_id: uuid.UUID, name: str) -> Grid:
    """By name, or ``网格/微网格`` where two micro-grids share a name."""
    grids = await community_grids(session, community_id)
    by_id = {node.id: node for node in grids}

    def path(node: Grid) -> str:
        parent = by_id.get(node.parent_id) if node.parent_id else None
        return f"{parent.name}/{node.name}" if parent else node.name

    wanted = name.strip().replace("／", "/")
    found = [node for node in grids if wanted in (node.name, path(node))]
    if not found:
        raise InvalidInput("grid", N_("no grid node named {name}"), name=wanted)
    if len(found) > 1:
        raise InvalidInput(
            "grid", N_("several grid nodes are named {name}: write 网格/微网格"), name=wanted
        )
    return found[0]


@app.command("import-residents")
def import_residents_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help=".csv or .xlsx")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="show what the import would do; write nothing")
    ] = False,
    skip_bad: Annotated[
        bool, typer.Option("--skip-bad", help="import the good rows even if some are refused")
    ] = False,
    refused: Annotated[
        Path | None,
        typer.Option("--refused", dir_okay=False, help="write the refused rows to this .xlsx"),
    ] = None,
    community: Annotated[str | None, typer.Option(help="the community to import into")] = None,
) -> None:
    """Import a resident register (居民花名册): new people, changes to those registered (matched
    by ID number, else address and name); every refused row is reported with its line."""
    settings = _settings()
    cipher = PersonalDataCipher(settings.pii_key)
    with Progress(
        TextColumn(t(N_("importing"))), BarColumn(), MofNCompleteColumn(), console=console
    ) as bar:
        task = bar.add_task("rows", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        async def work(db: Database) -> ImportReport:
            return await import_residents(
                db,
                cipher,
                file,
                community=community,
                apply=not dry_run,
                skip_refused=skip_bad,
                progress=advance,
            )

        report = _run(work, settings)
    _print_import(report, dry_run)
    if refused is not None and report.refused:
        refused.write_bytes(refused_workbook(read_register(file), report, language()))
        console.print(t(N_("refused rows written to {file}"), file=escape(str(refused))))
    if report.refused:
        raise typer.Exit(1)


def _print_import(report: ImportReport, dry_run: bool) -> None:
    if report.ignored_columns:
        console.print(
            t(N_("ignored columns: {columns}"), columns=escape("、".join(report.ignored_columns)))
        )
    counts = report.counts()
    console.print(
        t(
            N_("{create} new, {update} updated, {unchanged} unchanged, {refused} refused"),
            **counts,
        )
    )
    if report.refused:
        table = Table(title=t(N_("{count} refused rows"), count=len(report.refused)))
        table.add_column(t(N_("line")), justify="right")
        table.add_column(t(N_("name")))
        table.add_column(t(N_("problem")))
        for row in report.refused:
            reason = row_reason(row.error, language()) if row.error else ""
            table.add_row(str(row.line), escape(row.name), escape(reason))
        errors.print(table)
    if dry_run:
        console.print(t(N_("dry run: nothing was written")))
    elif not report.applied:
        errors.print(
            "[red]" + t(N_("nothing was imported; fix the rows or pass --skip-bad")) + "[/red]"
        )
    else:
        console.print(
            t(
                N_("imported: {create} new, {update} updated ({households} new households)"),
                create=counts["create"],
                update=counts["update"],
                households=report.households_created,
            )
        )


@app.command("export-residents")
def export_residents_command(
    file: Annotated[Path, typer.Argument(dir_okay=False, help=".csv or .xlsx")],
    unmasked: Annotated[
        bool, typer.Option("--unmasked", help="full phones and ID numbers (logged)")
    ] = False,
    community: Annotated[str | None, typer.Option(help="the community to export")] = None,
) -> None:
    """Export the resident register, masked unless --unmasked; every export is logged."""
    settings = _settings()
    cipher = PersonalDataCipher(settings.pii_key)

    async def work(db: Database) -> int:
        return await export_residents(
            db, cipher, file, community=community, unmasked=unmasked, language=language()
        )

    count = _run(work, settings)
    console.print(
        t(N_("exported {count} residents to {file}"), count=count, file=escape(str(file)))
    )
    if unmasked:
        errors.print(
            "[yellow]"
            + t(N_("this file holds full ID numbers and phones: keep it safe"))
            + "[/yellow]"
        )


def _print_setup(result: ImportResult_, dry_run: bool) -> None:
    """The per-row preview (or what was done), then the new accounts' passwords, once."""
    words = {
        Outcome.CREATE: t(N_("create")),
        Outcome.UNCHANGED: t(N_("unchanged")),
        Outcome.REFUSED: t(N_("refused")),
    }
    table = Table()
    table.add_column(t(N_("line")), justify="right")
    table.add_column(t(N_("outcome")))
    table.add_column(t(N_("what")))
    for row in result.rows:
        shown = row.as_json(language())
        text = shown["reason"] if row.reason else shown["summary"]
        style = "red" if row.reason else ""
        table.add_row(
            str(row.line),
            words[row.outcome],
            f"[{style}]{escape(text)}[/{style}]" if style else escape(text),
        )
    console.print(table)
    counts = result.counts()
    console.print(
        t(
            N_("{create} to create, {unchanged} unchanged, {refused} refused"),
            create=counts["create"],
            unchanged=counts["unchanged"],
            refused=counts["refused"],
        )
    )
    if result.refused:
        errors.print("[red]" + t(N_("nothing was imported; fix the refused rows")) + "[/red]")
    elif dry_run:
        console.print(t(N_("dry run: nothing was changed; run again without --dry-run")))
    else:
        console.print(t(N_("imported")))
    if result.accounts:
        passwords = Table(title=t(N_("new accounts' initial passwords (shown only this once)")))
        for column in (N_("username"), N_("name"), N_("password")):
            passwords.add_column(t(column))
        for account in result.accounts:
            passwords.add_row(
                *map(escape, (account.username, account.display_name, account.initial_password))
            )
        console.print(passwords)


SetupImport = Callable[..., Awaitable[ImportResult_]]


def _setup_import(run: SetupImport, file: Path, dry_run: bool, community: str | None) -> None:
    settings = _settings()
    data = file.read_bytes()

    async def work(db: Database) -> ImportResult_:
        return await run(db, data, file.name, dry_run=dry_run, community=community)

    result = _run(work, settings)
    _print_setup(result, dry_run)
    if result.refused:
        raise typer.Exit(1)


@app.command("import-grid")
def import_grid_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help=".csv or .xlsx")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="show what would be done, change nothing")
    ] = False,
    community: Annotated[str | None, typer.Option(help="the community to import into")] = None,
) -> None:
    """Import the grid tree (columns 网格, 微网格); the same file again changes nothing."""
    _setup_import(import_grids, file, dry_run, community)


@app.command("import-staff")
def import_staff_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help=".csv or .xlsx")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="show what would be done, change nothing")
    ] = False,
    community: Annotated[str | None, typer.Option(help="the community to import into")] = None,
) -> None:
    """Import staff and their posts (姓名, 用户名, 岗位, 网格, 管理员); new accounts' initial
    passwords are printed once."""
    _setup_import(import_staff, file, dry_run, community)


@app.command("template")
def template_command(
    kind: Annotated[str, typer.Argument(help="grid, staff or register")],
    out: Annotated[Path, typer.Argument(dir_okay=False, help="the .xlsx file to write")],
) -> None:
    """Write an import template (XLSX: headers, a row of notes on each column's rules)."""
    if kind not in SHEET_TITLES:
        errors.print("[red]" + t(N_("the template is grid, staff or register")) + "[/red]")
        raise typer.Exit(1)
    out.write_bytes(template_xlsx(kind))
    console.print(t(N_("template written to {file}"), file=escape(str(out))))


@app.command("compact-sync")
def compact_sync(
    retention_days: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="devices unseen this long no longer hold tombstones back "
            "(default: CHANGLANG_SYNC_RETENTION_DAYS, 30)",
        ),
    ] = None,
) -> None:
    """Purge the sync tombstones every active device has passed (the server also does it
    periodically); a device left behind is told to resync from scratch."""
    settings = _settings()
    days = retention_days if retention_days is not None else settings.sync_retention_days

    async def work(db: Database) -> Compacted:
        return await compact_all(
            db, retention=timedelta(days=days), refused_retention=settings.sync_refused_retention
        )

    done = _run(work, settings)
    console.print(
        t(
            N_(
                "compacted {communities} communities: {tombstones} tombstones, "
                "{departures} departure records and {receipts} push receipts purged"
            ),
            communities=done.communities,
            tombstones=done.tombstones,
            departures=done.departures,
            receipts=done.receipts,
        ),
        soft_wrap=True,
    )
    console.print(
        t(
            N_("{count} refused rows kept past CHANGLANG_SYNC_REFUSED_RETENTION_DAYS removed"),
            count=done.refusals,
        )
    )
    if done.skipped:
        console.print(
            t(
                N_("{count} communities were being compacted by a server; skipped"),
                count=done.skipped,
            )
        )


def main() -> None:
    app()

"""A voter's first ballot in a fixed few statements: what a busy vote's lock waits on.

Every ballot of a vote runs under the vote's row lock (on SQLite, the one writer), so a busy
vote takes about one ballot per lock hold, and each statement inside is a round trip plus a
turn of a loaded event loop. Under the lock a first cast sends three statements besides the
lock itself (``tests/votes/test_cast_statements.py`` counts them):

1. ``read``: the voter's facts (account, resident, household; panel membership or the vote's
   grid subtree when the rule needs them), the topic's status and the log's last link, one
   ``SELECT`` of scalar subqueries and outer joins. It runs after the lock, so the last link
   is the one the previous cast committed (PostgreSQL gives each statement a fresh snapshot).
2. ``write``: the voter record ``INSERT ... ON CONFLICT DO NOTHING``: a voter who has voted
   inserts nothing, and the caller takes the change path (``ballot_changes``) as before;
   then the ballot and the log's link, each a Core ``INSERT`` (no unit of work to flush).

The database's unique indexes still have the last word: a ballot that clashes is
``ALREADY_VOTED``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, exists, false, insert, literal, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain import ballot_log
from domain.dialect import insert_or_update
from domain.electorate import VoterFacts
from domain.models import (
    Account,
    Ballot,
    BallotLogEntry,
    Channel,
    Choice,
    Electorate,
    Grid,
    Household,
    PanelMember,
    Proposal,
    ProposalStatus,
    Resident,
    Vote,
    VoterRecord,
)
from domain.services.ballot_keys import (
    change_key_of,
    new_commitment_salt,
    new_voter_secret,
    open_change_key,
    receipt_of,
)
from domain.services.votes import AlreadyVoted

_BALLOT_INSERT = insert(cast(Table, Ballot.__table__))
_LINK_INSERT = insert(cast(Table, BallotLogEntry.__table__))


_RECORD_INSERTS: dict[str, Any] = {}


def _record_insert(session: AsyncSession) -> Any:
    """The voter record, or nothing where the voter has one (``ON CONFLICT DO NOTHING``);
    built once per dialect."""
    dialect = session.get_bind().dialect.name
    if dialect not in _RECORD_INSERTS:
        _RECORD_INSERTS[dialect] = (
            insert_or_update(session, VoterRecord.__table__)
            .on_conflict_do_nothing(index_elements=["vote_id", "voter_key"])
            .returning(VoterRecord.__table__.c.id)
        )
    return _RECORD_INSERTS[dialect]


@dataclass(frozen=True)
class CastFacts:
    facts: VoterFacts | None
    """None: no such enabled account in the community."""
    status: ProposalStatus | None
    """The topic's status; None when it was removed."""
    head: ballot_log.LogLink | None
    """The log's last link (only its number and hash are read)."""


def _in_vote_grid(by_grid: bool) -> Any:
    """Whether the household lies under the vote's grid node (its subtree, recursively)."""
    if not by_grid:
        return true()
    grid = Grid.__table__.c
    nodes = select(grid.id).where(grid.id == bindparam("grid")).cte("vote_grids", recursive=True)
    nodes = nodes.union(
        select(grid.id).where(
            grid.parent_id == nodes.c.id, grid.community_id == bindparam("community")
        )
    )
    return Household.__table__.c.grid_id.in_(select(nodes.c.id))


def _panel_member(by_panel: bool) -> Any:
    if not by_panel:
        return false()
    member = PanelMember.__table__.c
    return exists().where(
        member.panel_id == bindparam("panel"), member.account_id == bindparam("account")
    )


@cache
def _facts_statement(by_grid: bool, by_panel: bool) -> Any:
    """Built once per shape of rule, its values bound: building it cost as much as running it."""
    a, r, h = Account.__table__.c, Resident.__table__.c, Household.__table__.c
    p, log = Proposal.__table__.c, BallotLogEntry.__table__.c
    community: Any = bindparam("community")
    last = select(log.seq).where(log.vote_id == bindparam("vote")).order_by(log.seq.desc()).limit(1)
    one = select(literal(1).label("one")).subquery("one")
    joined = (
        one.outerjoin(
            Account.__table__,
            and_(a.id == bindparam("account"), a.community_id == community, a.disabled.is_(False)),
        )
        .outerjoin(
            Resident.__table__,
            and_(r.id == a.resident_id, r.community_id == community, r.deleted.is_(False)),
        )
        .outerjoin(Household.__table__, and_(h.id == r.household_id, h.deleted.is_(False)))
    )
    return select(
        a.id,
        r.id,
        r.created_at,
        r.birth_date,
        h.id,
        h.grid_id,
        h.delegate_resident_id,
        _in_vote_grid(by_grid).label("in_grid"),
        _panel_member(by_panel).label("panel_member"),
        select(p.status)
        .where(p.id == bindparam("proposal"), p.deleted.is_(False))
        .scalar_subquery()
        .label("status"),
        last.scalar_subquery().label("head_seq"),
        last.with_only_columns(log.entry_hash).scalar_subquery().label("head_hash"),
    ).select_from(joined)


async def read(
    session: AsyncSession, vote: Vote, community_id: uuid.UUID, account_id: uuid.UUID
) -> CastFacts:
    """The facts ``electorate.load_facts`` gives, with the status and last link, at once."""
    by_panel = vote.electorate is Electorate.PANEL and vote.panel_id is not None
    statement = _facts_statement(vote.grid_id is not None, by_panel)
    values: dict[str, Any] = {
        "account": account_id,
        "community": community_id,
        "vote": vote.id,
        "proposal": vote.proposal_id,
    }
    if vote.grid_id is not None:
        values["grid"] = vote.grid_id
    if by_panel:
        values["panel"] = vote.panel_id
    row = (await session.execute(statement, values)).one()
    (account, resident, created, born, household, grid_id, delegate, in_grid, member) = row[:9]
    status = ProposalStatus(row.status) if row.status is not None else None
    head = (
        ballot_log.LogLink(row.head_seq, "", "", "", row.head_hash)
        if row.head_seq is not None
        else None
    )
    if account is None:
        return CastFacts(None, status, head)
    panels = frozenset({vote.panel_id}) if member and vote.panel_id else frozenset()
    if resident is None or household is None:
        return CastFacts(VoterFacts(account_id=account, panel_ids=panels), status, head)
    facts = VoterFacts(
        account_id=account,
        resident_id=resident,
        resident_created_at=created,
        birth_date=born,
        household_id=household,
        household_grid_id=grid_id,
        household_delegate_id=delegate,
        panel_ids=panels,
        within=frozenset({vote.grid_id}) if vote.grid_id is not None and in_grid else frozenset(),
    )
    return CastFacts(facts, status, head)


@dataclass(frozen=True)
class Written:
    receipt: str
    secret: str
    salt: str


async def write(
    session: AsyncSession,
    vote: Vote,
    head: ballot_log.LogLink | None,
    *,
    voter_key: str,
    account_id: uuid.UUID,
    choice: Choice,
    channel: Channel,
) -> Written | None:
    """The first ballot of ``voter_key``; None (nothing written) if they have a record."""
    secret = new_voter_secret()
    receipt = receipt_of(secret)
    salt = new_commitment_salt()
    common = {"community_id": vote.community_id, "vote_id": vote.id}
    record = {
        **common,
        "id": uuid.uuid4(),
        "voter_key": voter_key,
        "account_id": account_id,
        "channel": channel,
        "receipt": receipt,
        "commitment_salt": salt,
        "recorded_by_id": None,
        "meeting_id": None,
    }
    if (await session.execute(_record_insert(session), record)).first() is None:
        return None
    key = change_key_of(secret) if vote.secret else open_change_key(vote.id, voter_key)
    ballot = {
        **common,
        "id": uuid.uuid4(),
        "choice": choice,
        "change_key_hash": key,
        "voter_key": None if vote.secret else voter_key,
        "superseded": False,
    }
    try:
        await session.execute(_BALLOT_INSERT, ballot)
    except IntegrityError as error:
        raise AlreadyVoted() from error
    entry: dict[str, Any] = {"receipt": receipt}
    if not vote.secret:
        entry = {"voter": voter_key, "choice": choice.value, "receipt": receipt}
    link = ballot_log.next_link(head, "cast", entry)
    await session.execute(
        _LINK_INSERT,
        {
            **common,
            "id": uuid.uuid4(),
            "seq": link.seq,
            "kind": link.kind,
            "payload": link.payload,
            "prev_hash": link.prev_hash,
            "entry_hash": link.entry_hash,
        },
    )
    return Written(receipt, secret, salt)

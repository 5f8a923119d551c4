"""The ballot benchmark's world: an open vote, thousands of voters with tokens, the checks.

Voters are the harness's bulk-loaded residents (``_harness.load_residents``): every one with a
birth date (four in five) is an adult under the rule, so the electorate is several thousand.
Logging each in through ``issueLoginCode`` + ``loginWithCode`` would take minutes, so their
accounts, devices and refresh-token families are inserted in one transaction, as
``domain.services.sessions`` would leave them, and their access tokens are signed by the
app's own ``TokenService`` with the app's settings: the server checks them exactly as it
checks a login's (signature, claims, device, live family, in ``load_principal``).
"""

from __future__ import annotations

import secrets
import sys
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select

from api.settings import Settings
from api.tokens import TokenService
from domain.database import Database
from domain.models import (
    Account,
    AccountKind,
    Ballot,
    BallotLogEntry,
    Device,
    Household,
    RefreshToken,
    Resident,
    VoterRecord,
)
from domain.models.base import utcnow
from tests.api_client import Api
from tests.votes.helpers import PUT, make_proposal, rule
from tests.world import World


@dataclass(frozen=True)
class Voter:
    key: str
    """``resident:<id>``, the voter key the rule gives an adult resident."""
    account_id: uuid.UUID
    token: str


@dataclass
class Outcome:
    """What one vote's clients were told, to compare with what the database holds."""

    receipts: dict[str, str] = field(default_factory=dict)
    """voter key -> receipt, for every cast answered with a ``BallotReceipt``."""
    refused: int = 0


async def eligible_residents(db: Database, limit: int) -> list[uuid.UUID]:
    r, h = Resident.__table__.c, Household.__table__.c
    statement = (
        select(r.id)
        .join(Household.__table__, h.id == r.household_id)
        .where(
            r.deleted.is_(False),
            h.deleted.is_(False),
            r.birth_date.is_not(None),
            r.name.like("居民R%"),
        )
        .order_by(r.position)
        .limit(limit)
    )
    async with db.read_connection() as connection:
        return list((await connection.execute(statement)).scalars())


async def sign_in(
    db: Database, world: World, settings: Settings, residents: list[uuid.UUID]
) -> list[Voter]:
    """An account, a device and a live refresh-token family per resident; a signed token."""
    tokens = TokenService(settings)
    now = utcnow()
    accounts, devices, families, voters = [], [], [], []
    for resident_id in residents:
        account_id, device_id, family_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        common = {"community_id": world.community, "created_at": now, "updated_at": now}
        accounts.append(
            {
                **common,
                "id": account_id,
                "kind": AccountKind.RESIDENT,
                "display_name": "居民",
                "resident_id": resident_id,
                "disabled": False,
            }
        )
        devices.append(
            {
                **common,
                "id": device_id,
                "account_id": account_id,
                "name": "bench",
                "last_seen_at": now,
            }
        )
        families.append(
            {
                **common,
                "id": uuid.uuid4(),
                "account_id": account_id,
                "device_id": device_id,
                "family_id": family_id,
                "token_hash": secrets.token_hex(32),
                "expires_at": now + timedelta(days=1),
            }
        )
        token, _ = tokens.issue(account_id, world.community, device_id, family_id)
        voters.append(Voter(f"resident:{resident_id}", account_id, token))
    async with db.write_engine.begin() as connection:
        for model, rows in ((Account, accounts), (Device, devices), (RefreshToken, families)):
            await connection.execute(insert(model.__table__), rows)
    return voters


async def open_secret_vote(db: Database, world: World, api: Api, admin_token: str) -> uuid.UUID:
    """A secret vote of the adult residents of the whole community, open for two hours."""
    proposal = await make_proposal(db, world)
    body = await api.ok(
        PUT,
        {"p": str(proposal), "r": rule(closesAt=(utcnow() + timedelta(hours=2)).isoformat())},
        admin_token,
    )
    assert body["putToVote"]["__typename"] == "Vote", body
    return uuid.UUID(body["putToVote"]["id"])


async def audit(db: Database, vote_id: uuid.UUID, outcome: Outcome) -> dict[str, Any]:
    """Lost: a voter told "counted" without their record and receipt, or fewer counted
    ballots than such voters. Duplicated: any record, ballot or log entry beyond one per
    such voter (the log also holds the rule's entry)."""
    async with db.read_connection() as connection:
        records = dict(
            (
                await connection.execute(
                    select(VoterRecord.voter_key, VoterRecord.receipt).where(
                        VoterRecord.vote_id == vote_id
                    )
                )
            ).all()
        )

        async def count(model: Any, *where: Any) -> int:
            statement = select(func.count()).select_from(model).where(model.vote_id == vote_id)
            return int((await connection.execute(statement.where(*where))).scalar_one())

        ballots = await count(Ballot)
        counted = await count(Ballot, Ballot.superseded.is_(False))
        log = await count(BallotLogEntry)
    told = outcome.receipts
    lost = sum(1 for key, receipt in told.items() if records.get(key) != receipt)
    lost += max(0, len(told) - counted)
    duplicated = sum(1 for key in records if key not in told)
    duplicated += max(0, ballots - len(told)) + max(0, log - 1 - len(told))
    return {
        "told_counted": len(told),
        "records": len(records),
        "ballots": ballots,
        "log_entries": log,
        "refused": outcome.refused,
        "lost": lost,
        "duplicated": duplicated,
    }

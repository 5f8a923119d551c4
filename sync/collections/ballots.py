"""In-person ballots recorded on a staff member's phone at a meeting, often offline.

Append-only: a phone creates a ballot document (its client id, the vote, the voter, the
choice, the phone's cast time) and never edits or deletes it; to change a ballot where the
vote allows it, it records a new one (the later cast wins). The server counts it through
``domain.services.ballots.record_offline`` (the same lock, log, tally and unique indexes as
every ballot), stamps ``receivedAt``, and refuses it with its reason (a device notice) when
it was cast after the close, arrived after the grace, or came from a phone whose clock
(``X-Device-Time`` header at push) is off by more than allowed.

Secrecy (what a pulled ballot may show). A device pulls only the ballots its own account
recorded, and of those only what the recorder typed or the server decided about them: the
vote, the voter, the cast and receipt times and whether it still counts. The choice is
sealed: on a secret vote it is stored nowhere beside the voter (the ``offline_ballot`` row
holds NULL; the choice lives only in the unlinked ``ballot`` table under a random id of its
own, never the client id), so every pull and push answer carries ``choice: null``; on an open
vote, where names and choices are published together anyway, it is shown. ``changeToken`` (the
voter's secret, minted on the phone: 32 random bytes, base64url) is never stored nor sent
back; the app hands it to the voter on a slip, and derives the receipt itself
(``sha256("changlang:receipt:" + token)``). A refused secret ballot is kept without its
choice. Nothing pulled is in casting order across voters' choices: the counted choices are
published only when the result is fixed, by random ballot id.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import null
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import InvalidInput, PermissionDenied
from domain.i18n import N_
from domain.models import Choice, OfflineBallot, OfflineBallotStatus, Synced
from domain.services import ballots
from sync.collections.convert import as_time, as_uuid, required_uuid
from sync.declaration import Actor, Field, Kind, Owner, SyncedType


def _choice(value: Any) -> Choice:
    try:
        return Choice(str(value).lower())
    except ValueError as exc:
        raise InvalidInput("choice", N_("must be one of: for, against, abstain")) from exc


def _shown_status(stored: Any) -> Any:
    """A ballot set aside (the voter had voted already) reads as counted on the phone, so
    that syncing never tells the recorder whether a resident voted (``in_person``)."""
    if stored == OfflineBallotStatus.SET_ASIDE:
        return OfflineBallotStatus.COUNTED.value
    return stored


class BallotWriter:
    async def create(
        self, session: AsyncSession, actor: Actor, document_id: uuid.UUID, values: Mapping[str, Any]
    ) -> Synced:
        cast_at = as_time("castAt", values.get("cast_at"))
        if cast_at is None:
            raise InvalidInput("castAt", N_("is required: when the voter gave the ballot"))
        token = values.get("change_token")
        device_now = actor.device_time_ms
        return await ballots.record_offline(
            session,
            actor.principal,
            ballots.OfflineCast(
                ballot_id=document_id,
                vote_id=required_uuid("voteId", values.get("vote_id")),
                choice=_choice(values.get("choice")),
                cast_at=cast_at,
                device_now=(
                    datetime.fromtimestamp(device_now / 1000, tz=UTC)
                    if device_now is not None and 0 <= device_now < 253_402_300_799_000
                    else None
                ),
                max_skew=actor.max_clock_skew,
                resident_id=as_uuid("residentId", values.get("resident_id"), required=False),
                account_id=as_uuid("accountId", values.get("account_id"), required=False),
                change_token=str(token) if token is not None else None,
                meeting_id=as_uuid("meetingId", values.get("meeting_id"), required=False),
            ),
        )

    async def update(
        self,
        session: AsyncSession,
        actor: Actor,
        document_id: uuid.UUID,
        changes: Mapping[str, Any],
    ) -> Synced:
        raise InvalidInput(
            next(iter(changes), "ballot"),
            N_("a ballot is recorded once; to change it (if the vote allows), record a new one"),
        )

    async def delete(self, session: AsyncSession, actor: Actor, document_id: uuid.UUID) -> Synced:
        raise PermissionDenied(N_("a counted ballot cannot be withdrawn from a phone"))


BALLOTS = SyncedType(
    name="ballot",
    model=OfflineBallot,
    description="In-person ballots this device's account recorded at meetings (append-only).",
    fields=(
        Field("voteId", Kind.ID, lambda: OfflineBallot.vote_id, key="vote_id"),
        Field(
            "meetingId",
            Kind.ID,
            lambda: OfflineBallot.meeting_id,
            key="meeting_id",
            description="The meeting at which the ballot was given: under way at `castAt`, "
            "run by the recorder; the voter's attendance there is recorded if it is not yet.",
        ),
        Field(
            "residentId",
            Kind.ID,
            lambda: OfflineBallot.resident_id,
            key="resident_id",
            description="The voter, if a resident (else accountId).",
        ),
        Field(
            "accountId",
            Kind.ID,
            lambda: OfflineBallot.account_id,
            key="account_id",
            description="The voter, if a panel member's account (else residentId).",
        ),
        Field(
            "choice",
            Kind.TEXT,
            lambda: OfflineBallot.choice,
            normalize=lambda value: str(value).lower(),
            sealed=True,
            description="for, against or abstain. Always null on a secret vote once synced.",
        ),
        Field(
            "changeToken",
            Kind.TEXT,
            lambda: null(),
            key="change_token",
            sealed=True,
            description="The voter's secret, minted on the phone; never stored, never sent back.",
        ),
        Field(
            "castAt",
            Kind.NUMBER,
            lambda: OfflineBallot.cast_at,
            key="cast_at",
            description="The phone's clock (ms since 1970) when the ballot was given.",
        ),
        Field(
            "receivedAt",
            Kind.NUMBER,
            lambda: OfflineBallot.received_at,
            owner=Owner.SERVER,
            description="The server's clock when the ballot arrived.",
        ),
        Field(
            "status",
            Kind.TEXT,
            lambda: OfflineBallot.status,
            owner=Owner.SERVER,
            present=_shown_status,
            description="counted, or superseded by a later ballot of the same voter.",
        ),
        Field("recordedById", Kind.ID, lambda: OfflineBallot.recorded_by_id, owner=Owner.SERVER),
    ),
    scope=lambda scope: OfflineBallot.recorded_by_id == scope.account_id,
    writer=BallotWriter(),
    grid_scoped=False,
)

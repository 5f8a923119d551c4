"""Votes a neighbourhood can trust: the rule, who has voted, the ballots, the hash-chained log.

On a secret vote the row that says *who* voted (``VoterRecord``) and the row that says *what*
was chosen (``Ballot``) share no column, no timestamp and no order: ballots carry a random id,
no time, and live in a table without SQLite's insertion-ordered rowid. The only bridge is a
secret the voter holds (its hash finds their ballot when they change it).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, InCommunity, Synced, UTCDateTime, enum_type


class Electorate(StrEnum):
    ADULT_RESIDENTS = "adult_residents"  # every adult resident (of a grid subtree, if given)
    HOUSEHOLDS = "households"  # one ballot per household, cast by its delegate
    PANEL = "panel"  # a named panel, e.g. 五方协商小组


class Threshold(StrEnum):
    SIMPLE_MAJORITY = "simple_majority"  # more for than against
    TWO_THIRDS = "two_thirds"  # at least 2/3 of the ballots cast are for
    UNANIMITY = "unanimity"  # every member of the electorate voted for


class Choice(StrEnum):
    FOR = "for"
    AGAINST = "against"
    ABSTAIN = "abstain"


class Channel(StrEnum):
    WEB = "web"
    APP = "app"
    IN_PERSON = "in_person"  # recorded at a meeting by a staff member


class Panel(InCommunity, Base):
    """A fixed electorate such as the five-party consultation group (五方协商小组)."""

    __tablename__ = "panel"

    name: Mapped[str] = mapped_column(String(100), nullable=False)


class PanelMember(InCommunity, Base):
    __tablename__ = "panel_member"
    __table_args__ = (UniqueConstraint("panel_id", "account_id"),)

    panel_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("panel.id"), index=True, nullable=False
    )
    account_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("account.id"), nullable=False)
    role: Mapped[str] = mapped_column(String(50), nullable=False, default="")


class Vote(InCommunity, Base):
    """The stated rule a proposal is put to a vote under; ``result`` is fixed at close.

    A topic may be voted on again after a failed vote (each vote keeps its row and log), but
    never has two votes running: at most one vote per topic without ``closed_at``.
    """

    __tablename__ = "vote"
    __table_args__ = (
        Index(
            "uq_vote_running_proposal",
            "proposal_id",
            unique=True,
            sqlite_where=text("closed_at IS NULL"),
            postgresql_where=text("closed_at IS NULL"),
        ),
    )

    proposal_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("proposal.id"), index=True, nullable=False
    )
    electorate: Mapped[Electorate] = mapped_column(
        enum_type(Electorate, "electorate"), nullable=False
    )
    grid_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("grid.id"), nullable=True)
    panel_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("panel.id"), nullable=True)
    electorate_size: Mapped[int] = mapped_column(Integer, nullable=False)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    quorum_ballots: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    quorum_percent: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    threshold: Mapped[Threshold] = mapped_column(enum_type(Threshold, "threshold"), nullable=False)
    secret: Mapped[bool] = mapped_column(Boolean, nullable=False)
    allow_change: Mapped[bool] = mapped_column(Boolean, nullable=False)
    hide_results_until_close: Mapped[bool] = mapped_column(Boolean, nullable=False)
    created_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("account.id"), nullable=False)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    offline_grace_seconds: Mapped[int] = mapped_column(
        Integer, nullable=False, default=0, server_default="0"
    )
    """The counting window (计票中): how long after ``closes_at`` a ballot recorded offline
    before it may still arrive; the result is fixed only once this window has passed."""


class VoterRecord(InCommunity, Base):
    """ "Has voted": one row per voter per vote, enforced by the database.

    ``voter_key`` names the voter under the vote's electorate (a resident, a household or a
    panel member's account). ``receipt`` is what the voter can find in the published list.
    """

    __tablename__ = "voter_record"
    __table_args__ = (
        UniqueConstraint("vote_id", "voter_key"),
        {"sqlite_with_rowid": False},
    )

    vote_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("vote.id"), index=True, nullable=False
    )
    voter_key: Mapped[str] = mapped_column(String(60), nullable=False)
    account_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("account.id"), nullable=False)
    channel: Mapped[Channel] = mapped_column(enum_type(Channel, "channel"), nullable=False)
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("account.id"), nullable=True
    )
    receipt: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    commitment_salt: Mapped[str] = mapped_column(
        String(64), nullable=False, default="", server_default=""
    )
    """Random, shown only to the voter: the published list holds ``H(salt, receipt)``, which
    nobody else can compute from a receipt (see ``domain.services.ballot_keys``)."""
    meeting_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("meeting.id"), nullable=True
    )
    """The meeting (polling session) an in-person ballot was recorded at."""


class SetAsideBallot(InCommunity, Base):
    """An in-person ballot recorded for a voter who had already voted: not counted, kept for
    the admin as a conflict (and without its choice).

    The recorder was told "recorded", like any other in-person ballot, so that recording a
    ballot never tells staff whether a resident voted online. ``receipt`` is the hash of the
    slip's change token the recorder was given, so a later change with that slip looks the
    same as a real one (and is set aside too).
    """

    __tablename__ = "set_aside_ballot"

    vote_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("vote.id"), index=True, nullable=False
    )
    meeting_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("meeting.id"), nullable=False)
    voter_key: Mapped[str] = mapped_column(String(60), nullable=False)
    recorded_by_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("account.id"), nullable=False
    )
    receipt: Mapped[str] = mapped_column(String(64), nullable=False)


class Ballot(Base):
    """A counted (or, once replaced, superseded) choice. Deliberately without timestamps.

    On an open vote ``voter_key`` names the voter; on a secret one it is NULL and only the
    hash of the voter's change secret (``change_key_hash``) can find the row again.
    """

    __tablename__ = "ballot"
    __table_args__ = (
        Index(
            "uq_ballot_counted_change_key",
            "change_key_hash",
            unique=True,
            sqlite_where=text("superseded = 0"),
            postgresql_where=text("NOT superseded"),
        ),
        Index(
            "uq_ballot_counted_voter",
            "vote_id",
            "voter_key",
            unique=True,
            sqlite_where=text("superseded = 0 AND voter_key IS NOT NULL"),
            postgresql_where=text("NOT superseded AND voter_key IS NOT NULL"),
        ),
        {"sqlite_with_rowid": False},
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    community_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("community.id", ondelete="CASCADE"), nullable=False
    )
    vote_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("vote.id"), index=True, nullable=False
    )
    choice: Mapped[Choice] = mapped_column(enum_type(Choice, "choice"), nullable=False)
    change_key_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    voter_key: Mapped[str | None] = mapped_column(String(60), nullable=True)
    superseded: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class BallotLogEntry(InCommunity, Base):
    """One link of a vote's append-only hash chain: ``entry_hash = H(prev_hash + payload)``."""

    __tablename__ = "ballot_log_entry"
    __table_args__ = (UniqueConstraint("vote_id", "seq"),)

    vote_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("vote.id"), index=True, nullable=False
    )
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    payload: Mapped[str] = mapped_column(String(2000), nullable=False)
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    entry_hash: Mapped[str] = mapped_column(String(64), nullable=False)


class OfflineBallotStatus(StrEnum):
    COUNTED = "counted"
    SUPERSEDED = "superseded"  # a later-cast ballot of the same voter replaced it
    SET_ASIDE = "set_aside"  # the voter had voted already: not counted (the phone sees counted)


class OfflineBallot(Synced, Base):
    """An in-person ballot recorded on a staff member's phone, possibly offline (synced).

    ``id`` is the phone's client id (never the id of the counted ``Ballot`` row, which stays
    random and unlinked). On a secret vote ``choice`` is always NULL: the choice lives only
    in ``Ballot``, beside no voter. ``cast_at`` is the phone's clock (checked for skew when
    it synced), ``received_at`` the server's. Only counted ballots get a row; a refused one
    is kept as a refused push with its reason.
    """

    __tablename__ = "offline_ballot"
    __table_args__ = (Index("ix_offline_ballot_voter", "vote_id", "voter_key"),)

    vote_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("vote.id"), nullable=False)
    resident_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("resident.id"), nullable=True
    )
    account_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("account.id"), nullable=True
    )
    voter_key: Mapped[str] = mapped_column(String(60), nullable=False)
    meeting_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("meeting.id"), nullable=True
    )
    choice: Mapped[Choice | None] = mapped_column(enum_type(Choice, "choice"), nullable=True)
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    clock_skew_ms: Mapped[int] = mapped_column(Integer, nullable=False)
    recorded_by_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("account.id"), index=True, nullable=False
    )
    status: Mapped[OfflineBallotStatus] = mapped_column(
        enum_type(OfflineBallotStatus, "offline_ballot_status"), nullable=False
    )

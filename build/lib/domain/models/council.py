"""The corridor deliberation council (长廊议事会): topics, meetings, resolutions, follow-up."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, InCommunity, Synced, UTCDateTime, enum_type


class ProposalCategory(StrEnum):
    PARKING = "parking"  # 停车出行
    PROPERTY_SERVICE = "property_service"  # 物业服务
    REPAIRS = "repairs"  # 水电维修
    ILLEGAL_STRUCTURES = "illegal_structures"  # 拆违治乱
    RENOVATION_NOISE = "renovation_noise"  # 装修扰民
    OTHER = "other"


class ProposalSource(StrEnum):
    RESIDENT = "resident"  # raised by a resident in the app or on the web
    VISIT = "visit"  # recorded by a grid worker on a household visit
    MEETING = "meeting"  # raised at the meeting itself
    ONLINE = "online"  # 你反映，我帮您
    SUGGESTION_BOX = "suggestion_box"  # 民主决议箱: anonymous


class ProposalStatus(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"  # on an agenda
    DECLINED = "declined"
    DELIBERATED = "deliberated"  # a resolution was agreed
    IN_PROGRESS = "in_progress"
    REPORTED = "reported"  # progress reported back at a 汇报会
    CLOSED = "closed"  # 销号
    MERGED = "merged"
    WITHDRAWN = "withdrawn"


class Proposal(Synced, Base):
    """议题: a problem of daily life raised by residents, followed until it is closed.

    An anonymous topic (suggestion box) stores no submitter at all, and its creation time is
    kept only to the day, so that neither a column nor a timestamp points back to anyone.
    """

    __tablename__ = "proposal"

    title: Mapped[str] = mapped_column(String(100), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    category: Mapped[ProposalCategory] = mapped_column(
        enum_type(ProposalCategory, "proposal_category"), nullable=False
    )
    source: Mapped[ProposalSource] = mapped_column(
        enum_type(ProposalSource, "proposal_source"), nullable=False
    )
    status: Mapped[ProposalStatus] = mapped_column(
        enum_type(ProposalStatus, "proposal_status"), nullable=False, index=True
    )
    grid_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("grid.id"), index=True)
    raised_by_account_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("account.id"), nullable=True
    )
    raised_by_resident_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("resident.id"), nullable=True
    )
    anonymous: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    submitted_on: Mapped[date] = mapped_column(Date, nullable=False)
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("proposal.id"), nullable=True, index=True
    )
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False, default=list)
    close_round: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class ProposalSupport(InCommunity, Base):
    """附议: one resident's support of a topic; at most one per resident per topic."""

    __tablename__ = "proposal_support"
    __table_args__ = (UniqueConstraint("proposal_id", "resident_id"),)

    proposal_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("proposal.id"), index=True, nullable=False
    )
    resident_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("resident.id"), index=True, nullable=False
    )


class ProposalTransition(InCommunity, Base):
    """Every change of a topic's status: who, when, why. Append-only."""

    __tablename__ = "proposal_transition"

    proposal_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("proposal.id"), index=True, nullable=False
    )
    from_status: Mapped[ProposalStatus | None] = mapped_column(
        enum_type(ProposalStatus, "proposal_status"), nullable=True
    )
    to_status: Mapped[ProposalStatus] = mapped_column(
        enum_type(ProposalStatus, "proposal_status"), nullable=False
    )
    actor_account_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("account.id"), nullable=True
    )
    reason: Mapped[str] = mapped_column(String(500), nullable=False, default="")


class MeetingKind(StrEnum):
    DELIBERATION = "deliberation"  # 议事会
    REPORT_BACK = "report_back"  # 汇报会


class Meeting(InCommunity, Base):
    """议事会 or 汇报会: a time, a place, an ordered agenda, attendance and minutes."""

    __tablename__ = "meeting"

    kind: Mapped[MeetingKind] = mapped_column(
        enum_type(MeetingKind, "meeting_kind"), nullable=False
    )
    title: Mapped[str] = mapped_column(String(100), nullable=False)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    place: Mapped[str] = mapped_column(String(100), nullable=False)
    grid_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("grid.id"), nullable=True)
    minutes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    cancelled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class AgendaItem(InCommunity, Base):
    __tablename__ = "agenda_item"
    __table_args__ = (UniqueConstraint("meeting_id", "proposal_id"),)

    meeting_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("meeting.id"), index=True, nullable=False
    )
    proposal_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("proposal.id"), index=True, nullable=False
    )
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False)


class Attendance(Synced, Base):
    """One person at a meeting, recorded by staff; a resident in the register or just a name."""

    __tablename__ = "attendance"

    meeting_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("meeting.id"), index=True, nullable=False
    )
    resident_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("resident.id"), nullable=True
    )
    name: Mapped[str] = mapped_column(String(50), nullable=False)
    recorded_by_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("account.id"), nullable=False
    )


class Resolution(InCommunity, Base):
    """The agreed solution of a topic, its responsible contact person (联系人) and deadline."""

    __tablename__ = "resolution"

    proposal_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("proposal.id"), unique=True, nullable=False
    )
    meeting_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("meeting.id"), nullable=True
    )
    solution: Mapped[str] = mapped_column(Text, nullable=False)
    contact_account_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("account.id"), nullable=True
    )
    contact_name: Mapped[str] = mapped_column(String(50), nullable=False)
    deadline: Mapped[date] = mapped_column(Date, nullable=False, index=True)


class ProgressReport(InCommunity, Base):
    """落实: progress on a resolution, with photos by reference and a percentage done."""

    __tablename__ = "progress_report"
    __table_args__ = (CheckConstraint("percent_done BETWEEN 0 AND 100", name="percent_range"),)

    proposal_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("proposal.id"), index=True, nullable=False
    )
    meeting_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("meeting.id"), nullable=True
    )
    text: Mapped[str] = mapped_column(Text, nullable=False)
    photos: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False, default=list)
    percent_done: Mapped[int] = mapped_column(Integer, nullable=False)
    reported_by_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("account.id"), nullable=False
    )


class Rating(InCommunity, Base):
    """评菜: a raiser's or supporter's satisfaction (1-5) with a closed item, per closing round."""

    __tablename__ = "rating"
    __table_args__ = (
        UniqueConstraint("proposal_id", "resident_id", "close_round"),
        CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),
    )

    proposal_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("proposal.id"), index=True, nullable=False
    )
    resident_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("resident.id"), nullable=False)
    close_round: Mapped[int] = mapped_column(Integer, nullable=False)
    score: Mapped[int] = mapped_column(Integer, nullable=False)
    comment: Mapped[str] = mapped_column(String(500), nullable=False, default="")

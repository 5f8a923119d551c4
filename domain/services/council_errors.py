"""The council's own expected failures, each with a stable code clients switch on.

They are plain ``DomainError`` subclasses, so the GraphQL edge reports them as
``RuleViolationError`` with the code below; a refused change never leaves anything behind.
"""

from __future__ import annotations

from domain.errors import DomainError


class NotEligible(DomainError):
    """Only residents (居民) may support, rate or use the suggestion box (民主决议箱)."""

    code = "NOT_ELIGIBLE"


class AlreadySupported(DomainError):
    """附议 counts once per resident per topic."""

    code = "ALREADY_SUPPORTED"


class NotOpen(DomainError):
    """The topic is no longer being worked on (closed, declined, merged or withdrawn)."""

    code = "NOT_OPEN"


class AlreadyPutToVote(DomainError):
    """A topic that has a vote cannot be merged away: its ballots would lose their subject."""

    code = "ALREADY_PUT_TO_VOTE"


class AlreadyOnAgenda(DomainError):
    code = "ALREADY_ON_AGENDA"


class WrongMeetingKind(DomainError):
    """Deliberation happens at a 议事会, reporting back at a 汇报会."""

    code = "WRONG_MEETING_KIND"


class MeetingNotStarted(DomainError):
    """议事 and 汇报 happen at the meeting: nothing is decided or reported back before it starts."""

    code = "MEETING_NOT_STARTED"


class NotOnAgenda(DomainError):
    code = "NOT_ON_AGENDA"


class AlreadyDeliberated(DomainError):
    """An agenda item whose resolution is agreed stays in the meeting's record."""

    code = "ALREADY_DELIBERATED"


class AlreadyRecorded(DomainError):
    code = "ALREADY_RECORDED"


class AlreadyRated(DomainError):
    """评菜: one rating per resident per closing round."""

    code = "ALREADY_RATED"

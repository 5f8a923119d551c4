"""The life of a topic (议题), as data: which status may follow which.

submitted → accepted (on an agenda) or declined → deliberated (a resolution agreed) →
in progress → reported (at a 汇报会) → closed (销号); a closed item whose raisers rate it
below the floor goes back to in progress. Merged and withdrawn end a topic early.
"""

from __future__ import annotations

from domain.errors import DomainError
from domain.i18n import N_, word
from domain.models import ProposalStatus as S

ALLOWED: dict[S, frozenset[S]] = {
    S.SUBMITTED: frozenset({S.ACCEPTED, S.DECLINED, S.MERGED, S.WITHDRAWN}),
    S.ACCEPTED: frozenset({S.DELIBERATED, S.DECLINED, S.MERGED, S.WITHDRAWN}),
    S.DELIBERATED: frozenset({S.IN_PROGRESS}),
    S.IN_PROGRESS: frozenset({S.REPORTED}),
    S.REPORTED: frozenset({S.IN_PROGRESS, S.CLOSED}),
    S.CLOSED: frozenset({S.IN_PROGRESS}),
    S.DECLINED: frozenset(),
    S.MERGED: frozenset(),
    S.WITHDRAWN: frozenset(),
}

OPEN = frozenset({S.SUBMITTED, S.ACCEPTED, S.DELIBERATED, S.IN_PROGRESS, S.REPORTED})
"""Statuses of a topic still being worked on (suggested as similar, open to support)."""

FOLLOW_UP = frozenset({S.DELIBERATED, S.IN_PROGRESS, S.REPORTED})
"""Statuses in which a resolution is being carried out and can become overdue."""


class InvalidTransition(DomainError):
    code = "INVALID_TRANSITION"

    def __init__(self, current: S, wanted: S) -> None:
        super().__init__(
            N_("a topic that is {current} cannot become {wanted}"),
            current=word(current.value),
            wanted=word(wanted.value),
        )
        self.current = current
        self.wanted = wanted


def check_transition(current: S, wanted: S) -> None:
    if wanted not in ALLOWED[current]:
        raise InvalidTransition(current, wanted)

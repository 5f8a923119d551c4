"""Counting a vote under its stated rule: pure arithmetic over the choices cast."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from domain.models import Choice, Threshold


@dataclass(frozen=True)
class TallyRule:
    electorate_size: int
    quorum_ballots: int
    quorum_percent: int
    threshold: Threshold


@dataclass(frozen=True)
class Tally:
    for_: int
    against: int
    abstain: int
    ballots: int
    electorate_size: int
    turnout: float
    quorum_met: bool
    passed: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_dict(data: dict[str, Any]) -> Tally:
        return Tally(**data)


def count(choices: Iterable[Choice], rule: TallyRule) -> Tally:
    counts = Counter(choices)
    for_, against, abstain = counts[Choice.FOR], counts[Choice.AGAINST], counts[Choice.ABSTAIN]
    ballots = for_ + against + abstain
    size = rule.electorate_size
    turnout = ballots / size if size else 0.0
    quorum_met = ballots >= rule.quorum_ballots and ballots * 100 >= rule.quorum_percent * size
    if rule.threshold is Threshold.SIMPLE_MAJORITY:
        carried = for_ > against
    elif rule.threshold is Threshold.TWO_THIRDS:
        carried = ballots > 0 and for_ * 3 >= ballots * 2
    else:
        carried = size > 0 and for_ == size
    return Tally(
        for_=for_,
        against=against,
        abstain=abstain,
        ballots=ballots,
        electorate_size=size,
        turnout=round(turnout, 4),
        quorum_met=quorum_met,
        passed=quorum_met and carried,
    )

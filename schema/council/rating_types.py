"""评菜期 on the GraphQL edge: a closing round's rating window, as the topic shows it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import strawberry

from domain import models
from domain.models.base import utcnow

RatingWindowOutcome = strawberry.enum(
    models.RatingOutcome,
    name="RatingWindowOutcome",
    description="How a round of 评菜 ended: kept closed (enough ratings, average at or above "
    "the floor), reopened (average below the floor), or too few ratings (the 销号 stands, "
    "recorded as closed without enough ratings)",
)


@dataclass(frozen=True)
class WindowRow:
    """A window and how many ratings it holds so far (one loader batch reads both)."""

    window: models.RatingWindow
    ratings: int


@strawberry.type(
    description="评菜期: after a 销号, its raisers and supporters may each rate it once (1-5) "
    "until `closesAt`. The outcome is decided when the window ends or when every eligible "
    "backer has rated, on the average (against `floor`) and the number of ratings (against "
    "`minimumRatings`); both were fixed when the window opened. The average is shown only "
    "once decided, so that early ratings do not steer later ones."
)
class RatingWindow:
    close_round: int
    opens_at: datetime
    closes_at: datetime
    eligible_count: int = strawberry.field(description="How many residents may rate.")
    rating_count: int = strawberry.field(description="Ratings given so far.")
    floor: float
    minimum_ratings: int
    open: bool = strawberry.field(description="Ratings are accepted now.")
    decided_at: datetime | None = strawberry.field(
        description="When the outcome became final: the last rating, or the window's end."
    )
    outcome: RatingWindowOutcome | None
    average: float | None = strawberry.field(description="The round's average; once decided.")

    @staticmethod
    def of(row: WindowRow, now: datetime | None = None) -> RatingWindow:
        window = row.window
        decided = window.decided_at is not None
        return RatingWindow(
            close_round=window.close_round,
            opens_at=window.opens_at,
            closes_at=window.closes_at,
            eligible_count=window.eligible_count,
            rating_count=window.rating_count if decided and window.rating_count else row.ratings,
            floor=window.floor,
            minimum_ratings=window.minimum_ratings,
            open=not decided and (now or utcnow()) < window.closes_at,
            decided_at=window.decided_at,
            outcome=window.outcome,
            average=window.average if decided else None,
        )

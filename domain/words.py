"""The domain's own words that people read as parameters of messages and in exports: topic
statuses (议题状态), categories (类别), yes/no. Each is marked with ``N_`` here, so that the
catalog holds it; the enum's value is the message id.
"""

from __future__ import annotations

from domain.i18n import N_, translate
from domain.models import ProposalCategory, ProposalStatus

STATUS_WORDS: dict[ProposalStatus, str] = {
    ProposalStatus.SUBMITTED: N_("submitted"),
    ProposalStatus.ACCEPTED: N_("accepted"),
    ProposalStatus.DECLINED: N_("declined"),
    ProposalStatus.DELIBERATED: N_("deliberated"),
    ProposalStatus.IN_PROGRESS: N_("in_progress"),
    ProposalStatus.REPORTED: N_("reported"),
    ProposalStatus.CLOSED: N_("closed"),
    ProposalStatus.MERGED: N_("merged"),
    ProposalStatus.WITHDRAWN: N_("withdrawn"),
}

CATEGORY_WORDS: dict[ProposalCategory, str] = {
    ProposalCategory.PARKING: N_("parking"),
    ProposalCategory.PROPERTY_SERVICE: N_("property_service"),
    ProposalCategory.REPAIRS: N_("repairs"),
    ProposalCategory.ILLEGAL_STRUCTURES: N_("illegal_structures"),
    ProposalCategory.RENOVATION_NOISE: N_("renovation_noise"),
    ProposalCategory.OTHER: N_("other"),
}

YES, NO = N_("yes"), N_("no")

ROLE_WORDS = (
    N_("cadre"),
    N_("grid_chief"),
    N_("deputy_chief"),
    N_("grid_member"),
    N_("micro_grid_member"),
)
"""The red grid's five posts (五级红色网格), by ``PostRole`` value."""

LEVEL_WORDS = (N_("micro_grid"),)
"""Grid levels by ``GridLevel`` value ("grid" is among the collections below)."""

COLLECTION_WORDS = (
    N_("household"),
    N_("resident"),
    N_("ballot"),
    N_("grid"),
    N_("gridPost"),
    N_("deviceNotice"),
    N_("visitNote"),
    N_("attendance"),
    N_("proposal"),
)
"""The synced collections' names, which notices and refusals name (``NotFound(kind)``)."""


def status_word(status: ProposalStatus, language: str) -> str:
    return translate(STATUS_WORDS[status], language)


def category_word(category: ProposalCategory, language: str) -> str:
    return translate(CATEGORY_WORDS[category], language)


def yes_no(value: bool, language: str) -> str:
    return translate(YES if value else NO, language)

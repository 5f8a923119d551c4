"""Pure rules: the topic lifecycle, Chinese similarity, the ballot hash chain, the tally."""

from __future__ import annotations

import dataclasses
import itertools

import pytest

from domain.ballot_log import LogLink, chain_problems, next_link
from domain.lifecycle import ALLOWED, InvalidTransition, check_transition
from domain.models import Choice, ProposalStatus, Threshold
from domain.similarity import THRESHOLD, similarity
from domain.tally import TallyRule, count


def test_every_status_has_a_rule_and_ended_topics_stay_ended() -> None:
    assert set(ALLOWED) == set(ProposalStatus)
    for ended in (ProposalStatus.DECLINED, ProposalStatus.MERGED, ProposalStatus.WITHDRAWN):
        assert ALLOWED[ended] == frozenset()


@pytest.mark.parametrize(
    ("current", "wanted"),
    [
        (ProposalStatus.SUBMITTED, ProposalStatus.CLOSED),
        (ProposalStatus.SUBMITTED, ProposalStatus.DELIBERATED),
        (ProposalStatus.CLOSED, ProposalStatus.MERGED),
        (ProposalStatus.DELIBERATED, ProposalStatus.MERGED),
        (ProposalStatus.WITHDRAWN, ProposalStatus.SUBMITTED),
    ],
)
def test_skipping_a_step_is_refused(current: ProposalStatus, wanted: ProposalStatus) -> None:
    with pytest.raises(InvalidTransition):
        check_transition(current, wanted)


def test_the_closed_loop_is_allowed_step_by_step() -> None:
    path = [
        ProposalStatus.SUBMITTED,
        ProposalStatus.ACCEPTED,
        ProposalStatus.DELIBERATED,
        ProposalStatus.IN_PROGRESS,
        ProposalStatus.REPORTED,
        ProposalStatus.CLOSED,
        ProposalStatus.IN_PROGRESS,
    ]
    for current, wanted in itertools.pairwise(path):
        check_transition(current, wanted)


def test_similar_chinese_topics_score_above_unrelated_ones() -> None:
    topic = "小区停车位不够，晚上车没地方停"
    close = "停车位太少，晚上回来没地方停车"
    unrelated = "三号楼楼道灯坏了需要维修"
    assert similarity(topic, close) > 0.3
    assert similarity(topic, unrelated) < 0.1
    assert similarity(topic, topic) == 1.0
    assert similarity("", "") == 0.0
    assert similarity("停车难", "晚上回来找不到车位") >= THRESHOLD  # 停车难 holds 停车 ~ 车位
    assert similarity("装修公司哪家靠谱", "楼上装修噪音扰民") < THRESHOLD


def _chain(n: int) -> list[LogLink]:
    links: list[LogLink] = []
    for i in range(n):
        links.append(next_link(links[-1] if links else None, "cast", {"receipt": f"r{i}"}))
    return links


def test_an_intact_chain_verifies() -> None:
    assert chain_problems(_chain(5)) == []


def test_altering_removing_or_reordering_an_entry_is_detected() -> None:
    links = _chain(5)
    altered = [*links]
    altered[2] = dataclasses.replace(links[2], payload='{"receipt":"forged"}')
    assert chain_problems(altered)
    assert chain_problems([*links[:2], *links[3:]])
    assert chain_problems([links[1], links[0], *links[2:]])


def _rule(
    size: int, threshold: Threshold, quorum_ballots: int = 0, quorum_percent: int = 0
) -> TallyRule:
    return TallyRule(size, quorum_ballots, quorum_percent, threshold)


def test_simple_majority_ignores_abstentions() -> None:
    tally = count(
        [Choice.FOR, Choice.FOR, Choice.AGAINST, Choice.ABSTAIN],
        _rule(10, Threshold.SIMPLE_MAJORITY),
    )
    assert (tally.for_, tally.against, tally.abstain, tally.ballots) == (2, 1, 1, 4)
    assert tally.passed and tally.turnout == 0.4


def test_two_thirds_counts_every_ballot_cast() -> None:
    rule = _rule(10, Threshold.TWO_THIRDS)
    assert count([Choice.FOR, Choice.FOR, Choice.ABSTAIN], rule).passed
    assert not count([Choice.FOR, Choice.ABSTAIN, Choice.AGAINST], rule).passed


def test_unanimity_needs_every_member_for() -> None:
    rule = _rule(3, Threshold.UNANIMITY)
    assert count([Choice.FOR] * 3, rule).passed
    assert not count([Choice.FOR] * 2, rule).passed
    assert not count([Choice.FOR, Choice.FOR, Choice.ABSTAIN], rule).passed


def test_a_vote_without_quorum_does_not_pass() -> None:
    assert not count(
        [Choice.FOR] * 3, _rule(10, Threshold.SIMPLE_MAJORITY, quorum_percent=50)
    ).quorum_met
    assert count([Choice.FOR] * 5, _rule(10, Threshold.SIMPLE_MAJORITY, quorum_percent=50)).passed
    assert not count(
        [Choice.FOR] * 2, _rule(10, Threshold.SIMPLE_MAJORITY, quorum_ballots=3)
    ).passed

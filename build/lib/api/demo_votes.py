"""The demo's votes: one closed and verified, two open to residents, one for the panel.

Each is called, cast and finalized through the vote services, so every ballot is in its
vote's hash-chained log and ``verifyTally`` reports it ok. Vote rows are never re-dated (their
times are in the log); the services' own time parameters place them instead. The open votes
opened two days ago (``opens_at``) and close when the next meeting starts. The closed vote
opened two weeks ago and closes seconds after it is called: its ballots are cast at once,
while it is open, and ``finalize`` fixes its result at the end of the load, with ``now`` no
earlier than the closing time.
"""

from __future__ import annotations

from datetime import timedelta

from api.demo_stage import Stage
from api.demo_topics import (
    CLOSED_BALLOTS,
    OPEN_BALLOTS,
    PANEL_NAME,
    SECRET_BALLOTS,
)
from domain.models import (
    Choice,
    Electorate,
    Threshold,
    Vote,
)
from domain.models.base import utcnow
from domain.services.ballots import cast
from domain.services.panels import NewMember, create_panel
from domain.services.votes import VoteRule, put_to_vote

CLOSED_VOTE_SECONDS = 5
"""How long after it is called the closed vote closes: room for its ballots, then it is due."""


class Voting(Stage):
    async def _closed_vote(self) -> Vote:
        """The charging shed's vote in 第三网格: secret, ballots cast now, then it closes."""
        vote = await put_to_vote(
            self.session,
            self.admin,
            self.ids["charging"],
            VoteRule(
                electorate=Electorate.ADULT_RESIDENTS,
                grid_id=self.reg.grids["第三网格"].id,
                opens_at=self.at(-14, 8),
                closes_at=utcnow() + timedelta(seconds=CLOSED_VOTE_SECONDS),
                threshold=Threshold.SIMPLE_MAJORITY,
                secret=True,
                quorum_ballots=10,
            ),
        )
        voters = self.rng.sample(self._adults("第三网格"), len(CLOSED_BALLOTS))
        for person, choice in zip(voters, CLOSED_BALLOTS, strict=True):
            await cast(self.session, await self._resident(person), vote.id, choice)
        offline = self._offline("第三网格", 2)
        for person, choice in zip(offline, (Choice.FOR, Choice.AGAINST), strict=True):
            await self._in_person(vote, person, choice)
        return vote

    async def _open_votes(self) -> None:
        closes = self.meetings["next"].starts_at
        audit = await put_to_vote(
            self.session,
            self.admin,
            self.ids["fee_audit"],
            VoteRule(
                electorate=Electorate.ADULT_RESIDENTS,
                opens_at=self.at(-2, 8),
                closes_at=closes,
                threshold=Threshold.SIMPLE_MAJORITY,
                secret=False,
                quorum_percent=10,
                allow_change=True,
            ),
        )
        parking = await put_to_vote(
            self.session,
            self.admin,
            self.ids["night_parking"],
            VoteRule(
                electorate=Electorate.HOUSEHOLDS,
                opens_at=self.at(-2, 8),
                closes_at=closes,
                threshold=Threshold.TWO_THIRDS,
                secret=True,
                quorum_percent=20,
                allow_change=True,
            ),
        )
        everyone = self._adults(None)
        for person, choice in zip(self.rng.sample(everyone, 9), OPEN_BALLOTS, strict=True):
            await cast(self.session, await self._resident(person), audit.id, choice)
        await self._in_person(audit, self._offline(None, 1)[0], Choice.FOR)
        for person, choice in zip(self.rng.sample(everyone, 7), SECRET_BALLOTS, strict=True):
            await cast(self.session, await self._resident(person), parking.id, choice)

    async def _panel_vote(self) -> None:
        """五方协商小组 votes on the renovation rules: unanimity, three of five have voted."""
        resident_rep = self.people["noon_noise"][0]
        owners_rep = self.people["fee_audit"][0]
        party = next(
            r for r in self._adults(None) if r.party_member and r not in (resident_rep, owners_rep)
        )
        members = (
            ("居民代表", (await self._resident(resident_rep)).account_id),
            ("党员代表", (await self._resident(party)).account_id),
            ("小巷管家", self.reg.accounts["micro2-1"]),
            ("物业公司", self.reg.accounts["wuye"]),
            ("业委会", (await self._resident(owners_rep)).account_id),
        )
        panel = await create_panel(
            self.session,
            self.admin,
            PANEL_NAME,
            [NewMember(account_id=account, role=role) for role, account in members],
        )
        vote = await put_to_vote(
            self.session,
            self.admin,
            self.ids["noon_noise"],
            VoteRule(
                electorate=Electorate.PANEL,
                panel_id=panel.id,
                opens_at=self.at(-1, 9),
                closes_at=self.meetings["next"].starts_at,
                threshold=Threshold.UNANIMITY,
                secret=False,
                allow_change=True,
            ),
        )
        voters = (
            await self._resident(resident_rep),
            await self._staff(self.reg.accounts["micro2-1"]),
            await self._resident(owners_rep),
        )
        for principal in voters:
            await cast(self.session, principal, vote.id, Choice.FOR)

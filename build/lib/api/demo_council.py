"""The demo's 长廊议事会: topics in every state, meetings, follow-up, ratings and votes.

Everything is played through the domain services, as staff and residents would through the
API, so the lifecycle is validated, every transition recorded, supports merged once, and each
ballot logged in its vote's hash chain. The script (``api.demo_topics``) is a story of the
last two months, played in the order it happened; after each step the stage
(``api.demo_stage``) gives the council rows the step wrote the story's date instead of the
load's, so the history reads as it happened. Those times carry no integrity rule; the votes'
times do, and ``api.demo_votes`` sets them through the vote services' own parameters.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from api.demo_stage import Register, day_text, when_text
from api.demo_topics import (
    CONTACT_TITLES,
    DECISIONS,
    NEXT_AGENDA,
    PAST_AGENDA,
    PLACE,
    PROGRESS,
    RATINGS,
    REPORT_PLACE,
    ROOFTOP,
    TENANT,
    TOPICS,
    Topic,
)
from api.demo_votes import Voting
from domain.models import (
    Account,
    MeetingKind,
    ProposalSource,
    Resident,
)
from domain.models.base import utcnow
from domain.services.ballots import finalize
from domain.services.follow_up import Agreement, close_proposal, deliberate, report_progress
from domain.services.meetings import (
    add_agenda_item,
    record_attendance,
    reorder_agenda,
    schedule_meeting,
    set_minutes,
)
from domain.services.merge import merge_proposals
from domain.services.proposals import (
    NewProposal,
    decline_proposal,
    raise_proposal,
    support_proposal,
    withdraw_proposal,
)
from domain.services.ratings import rate_proposal
from schema.context import SchemaConfig

RATING_FLOOR = SchemaConfig().rating_floor
DECLINE_REASON = (
    "更换物业服务企业须由业主大会依法表决，不属于长廊议事会议定范围；"
    "意见已转交业主委员会，并纳入物业服务质量季度评议。"
)


async def load_council(session: AsyncSession, register: Register) -> None:
    """Play the whole story inside the demo's transaction (the caller commits it)."""
    council = _Council(session, register)
    event.listen(session.sync_session, "after_flush", council.written)
    try:
        await council.play()
    finally:
        event.remove(session.sync_session, "after_flush", council.written)


class _Council(Voting):
    """The story's steps, in the order they happened; the votes are today's."""

    async def play(self) -> None:
        for key in ("cleaning", "basement_pump", "charging", "shed", "water_pressure"):
            await self._raise(key)
        for key in ("change_company", "noon_noise"):
            await self._raise(key)
        await self._past_meeting_agenda(-45)
        await decline_proposal(self.session, self.admin, self.ids["change_company"], DECLINE_REASON)
        await self._dated(self.at(-42, 15))
        await self._past_meeting(-40)
        await self._progress(-36, "stair_lights", 60)
        await self._progress(-35, "cleaning", 50)
        await self._raise("fee_audit")
        await self._progress(-30, "water_pressure", 30)
        await self._raise("night_parking")
        await self._progress(-28, "basement_pump", 60)
        await self._raise("parking_outsiders", overlap="night_parking")
        await self._progress(-25, "shed", 30)
        await merge_proposals(
            self.session, self.admin, self.ids["night_parking"], [self.ids["parking_outsiders"]]
        )
        await self._dated(self.at(-24, 16))
        await self._raise("debris")
        raiser = self.people["debris"][0]
        await withdraw_proposal(
            self.session,
            await self._resident(raiser),
            self.ids["debris"],
            "已与装修户沟通，垃圾已经清走了",
        )
        await self._dated(self.at(-15, 20))
        await self._raise("drain_pipe")
        await self._raise("fire_lane")
        await self._report_back(-5)
        await self._ratings()
        await self._next_meeting(-3, 6)
        await self._progress(-2, "basement_pump", 70)
        await self._now()

    async def _past_meeting_agenda(self, day: int) -> None:
        meeting = await schedule_meeting(
            self.session,
            self.admin,
            kind=MeetingKind.DELIBERATION,
            title=self._title(day + 5, "长廊议事会"),
            starts_at=self.at(day + 5, 19),
            place=PLACE,
            grid_id=None,
        )
        self.meetings["past"] = meeting
        for key in PAST_AGENDA:
            if key in self.ids:  # stair_lights is raised at the meeting itself
                await add_agenda_item(self.session, self.admin, meeting.id, self.ids[key])
        await self._dated(self.at(day, 16))

    async def _past_meeting(self, day: int) -> None:
        meeting = self.meetings["past"]
        await self._raise("stair_lights", when=self.at(day, 19, 10))
        await add_agenda_item(self.session, self.admin, meeting.id, self.ids["stair_lights"])
        await self._dated(self.at(day, 19, 25))
        present: dict[uuid.UUID, Resident] = {}
        for key in PAST_AGENDA:
            for person in self.people[key][:2]:
                present.setdefault(person.id, person)
        for person in present.values():
            await record_attendance(
                self.session, self.admin, meeting.id, resident_id=person.id, name=None
            )
        await record_attendance(self.session, self.admin, meeting.id, resident_id=None, name=TENANT)
        lines = [
            f"时间：{when_text(meeting.starts_at)}　地点：{PLACE}",
            f"主持：社区书记　到会居民{len(present) + 1}人，物业公司、业委会代表列席。",
        ]
        for number, key in enumerate(PAST_AGENDA, start=1):
            decision = DECISIONS[key]
            contact_id = None if decision.by_name else self.reg.accounts[decision.contact]
            contact_name = decision.contact
            if contact_id is not None:
                account = await self.session.get(Account, contact_id)
                assert account is not None
                contact_name = f"{CONTACT_TITLES[decision.contact]} {account.display_name}"
            resolution = await deliberate(
                self.session,
                self.admin,
                meeting.id,
                self.ids[key],
                Agreement(
                    solution=decision.solution,
                    deadline=self.day(decision.deadline),
                    contact_account_id=contact_id,
                    contact_name=contact_name,
                ),
            )
            lines.append(
                f"{number}. {TOPICS[key].title}：{decision.solution}"
                f"（联系人：{resolution.contact_name}；{day_text(resolution.deadline)}前完成）"
            )
        await set_minutes(self.session, self.admin, meeting.id, "\n".join(lines))
        await self._dated(self.at(day, 21))

    async def _report_back(self, day: int) -> None:
        meeting = await schedule_meeting(
            self.session,
            self.admin,
            kind=MeetingKind.REPORT_BACK,
            title=self._title(day, "长廊汇报会"),
            starts_at=self.at(day, 19),
            place=REPORT_PLACE,
            grid_id=None,
        )
        self.meetings["report"] = meeting
        await self._dated(self.at(day - 5, 10))
        reports = (
            ("cleaning", 100, "每日两次保洁已坚持一个月，网格员四次抽查均合格。"),
            ("stair_lights", 100, "1号楼2单元楼道灯已全部更换为LED声光控灯。"),
            ("basement_pump", 100, "新排水泵已安装调试，并加装水位报警器。"),
            ("water_pressure", 80, "变频控制器已更换，高层水压基本恢复，待观察一周。"),
        )
        lines = [f"时间：{when_text(meeting.starts_at)}　地点：{REPORT_PLACE}"]
        for key, percent, text in reports:
            await report_progress(
                self.session,
                self.admin,
                self.ids[key],
                text=text,
                percent_done=percent,
                meeting_id=meeting.id,
            )
            lines.append(f"{TOPICS[key].title}：{text}（完成{percent}%）")
            await record_attendance(
                self.session, self.admin, meeting.id, resident_id=self.people[key][0].id, name=None
            )
        await self._dated(self.at(day, 20))
        for key in ("cleaning", "stair_lights", "basement_pump"):
            await close_proposal(self.session, self.admin, self.ids[key], "汇报会确认已完成，销号")
        lines.append("以上三项经到会居民确认销号，请提出和附议的居民评价；水压问题继续跟进。")
        await set_minutes(self.session, self.admin, meeting.id, "\n".join(lines))
        await self._dated(self.at(day, 21))

    async def _ratings(self) -> None:
        for offset, key in enumerate(RATINGS):
            for person, (score, comment) in zip(self.people[key], RATINGS[key], strict=False):
                await rate_proposal(
                    self.session,
                    await self._resident(person),
                    self.ids[key],
                    score=score,
                    comment=comment,
                    floor=RATING_FLOOR,
                )
            await self._dated(self.at(-4 + offset // 2, 20))

    async def _next_meeting(self, day: int, held: int) -> None:
        meeting = await schedule_meeting(
            self.session,
            self.admin,
            kind=MeetingKind.DELIBERATION,
            title=self._title(held, "长廊议事会"),
            starts_at=self.at(held, 19),
            place=PLACE,
            grid_id=None,
        )
        self.meetings["next"] = meeting
        for key in sorted(NEXT_AGENDA):
            await add_agenda_item(self.session, self.admin, meeting.id, self.ids[key])
        await reorder_agenda(
            self.session, self.admin, meeting.id, [self.ids[key] for key in NEXT_AGENDA]
        )
        await self._dated(self.at(day, 17))

    async def _now(self) -> None:
        """Today: the votes, the panel, and the suggestion box emptied this morning."""
        charging = await self._closed_vote()
        await self._open_votes()
        await self._panel_vote()
        await self._raise_rooftop()
        closes = charging.closes_at
        await finalize(self.session, self.reg.community_id, charging.id, max(utcnow(), closes))
        await report_progress(
            self.session,
            self.admin,
            self.ids["charging"],
            text="第三网格居民表决通过，物业已开始充电桩供应商比选。",
            percent_done=10,
        )

    # -- topics --------------------------------------------------------------------------

    async def _raise(
        self, key: str, *, overlap: str | None = None, when: datetime | None = None
    ) -> None:
        """A topic raised by a resident of its place (or for them), then supported (附议)."""
        topic = TOPICS[key]
        candidates = self._adults(topic.grid)
        people = self.rng.sample(candidates, 1 + topic.supporters)
        if overlap is not None:  # two backers of the similar topic back this one too
            shared = self.people[overlap][1:3]
            people = [people[0], *shared, *[p for p in people[1:] if p not in shared]]
            people = people[: 1 + topic.supporters]
        self.people[key] = people
        self.ids[key] = await self._raise_topic(topic, people[0])
        raised = when or self.at(topic.day, 8 + len(self.ids) % 10)
        await self._dated(raised)
        for supporter in people[1:]:
            await support_proposal(self.session, await self._resident(supporter), self.ids[key])
        await self._dated(raised + timedelta(minutes=10 if when else 180))

    async def _raise_topic(self, topic: Topic, raiser: Resident) -> uuid.UUID:
        grid = self.reg.grids[topic.grid]
        new = NewProposal(
            title=topic.title,
            category=topic.category,
            source=topic.source,
            description=topic.description,
            grid_id=grid.id,
        )
        if topic.source is ProposalSource.VISIT:
            member = self.reg.accounts[f"member{self.reg.grid_numbers[topic.grid]}"]
            who = await self._staff(member)
            new = replace(new, resident_id=raiser.id)
        elif topic.source is ProposalSource.MEETING:
            who = self.admin
            new = replace(new, resident_id=raiser.id)
        else:
            who = await self._resident(raiser)
        proposal, _similar = await raise_proposal(self.session, who, new)
        return proposal.id

    async def _raise_rooftop(self) -> None:
        """民主决议箱: the raiser's account is checked, then forgotten by the service."""
        raiser = self.rng.choice(self._adults(ROOFTOP.grid))
        self.ids["rooftop"] = await self._raise_topic(ROOFTOP, raiser)

    async def _progress(self, day: int, key: str, percent: int) -> None:
        text = PROGRESS[key, percent]
        await report_progress(
            self.session, self.admin, self.ids[key], text=text, percent_done=percent
        )
        await self._dated(self.at(day, 11))

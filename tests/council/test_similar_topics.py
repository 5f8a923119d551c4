"""Similar topics for short questions: "停车难" finds the night-parking topics (jieba words).

Through the GraphQL ``similarTopics`` a resident calls while typing, on both databases; the
statements it runs do not grow with the open topics; the bench's dataset keeps its size.
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from pathlib import Path

from domain.database import Database
from domain.models import Proposal, ProposalCategory, ProposalSource, ProposalStatus
from tests.api_client import Api
from tests.council.helpers import raised_id, resident_token
from tests.schema.test_statement_count import counting_statements
from tests.world import World

SIMILAR = "query($t: String!) { similarTopics(text: $t) { score proposal { id title } } }"
PAIRS = Path(__file__).resolve().parents[2] / "bench" / "similarity_pairs.json"

NIGHT_PARKING = [
    ("晚上下班回来找不到车位", "七点以后小区里就停满了，只能停到外面马路上。"),
    ("夜里车没地方停", "晚上回来绕三圈都没有空位，只好停在消防通道边上。"),
    ("夜间停车位严重不足", "小区车越来越多，晚上的车位根本不够用。"),
]
OTHERS = [
    ("楼上装修噪音扰民", "天天电钻响，周末早上七点就开始。", "RENOVATION_NOISE"),
    ("楼道声控灯坏了", "从一楼到六楼的灯都不亮，晚上要摸黑上楼。", "PARKING"),
    ("共享单车堆在小区门口", "人行道上堆满了单车，推婴儿车过不去。", "PARKING"),
]


async def test_a_short_question_finds_the_night_parking_topics(api: Api, world: World) -> None:
    resident = await resident_token(api, world, "H1a-x")
    parking = {
        await raised_id(api, resident, title, description=description)
        for title, description in NIGHT_PARKING
    }
    for title, description, category in OTHERS:
        await raised_id(api, resident, title, description=description, category=category)

    typed = (await api.ok(SIMILAR, {"t": "停车难"}, resident))["similarTopics"]
    assert {s["proposal"]["id"] for s in typed} == parking
    assert all(0 < s["score"] <= 1 for s in typed)
    scores = [s["score"] for s in typed]
    assert scores == sorted(scores, reverse=True)

    for unrelated in ("装修公司哪家靠谱", "电费是不是算错了"):
        assert (await api.ok(SIMILAR, {"t": unrelated}, resident))["similarTopics"] == []


async def test_similar_topics_costs_the_same_statements_for_3_and_300_open_topics(
    api: Api, world: World, database: Database
) -> None:
    resident = await resident_token(api, world, "H1a-x")
    for title, description in NIGHT_PARKING:
        await raised_id(api, resident, title, description=description)
    await api.ok(SIMILAR, {"t": "停车难"}, resident)  # warm up engines and connections
    with counting_statements(database) as small:
        found = (await api.ok(SIMILAR, {"t": "停车难"}, resident))["similarTopics"]
    assert len(found) == 3

    async with database.transaction() as session:
        for number in range(300):
            title, description = NIGHT_PARKING[number % 3]
            session.add(
                Proposal(
                    id=uuid.uuid4(),
                    community_id=world.community,
                    title=f"{number}号楼{title}",
                    description=description,
                    category=ProposalCategory.PARKING,
                    source=ProposalSource.RESIDENT,
                    status=ProposalStatus.SUBMITTED,
                    grid_id=world.grids["M1a"],
                    anonymous=False,
                    submitted_on=date.today(),
                    attachments=[],
                    close_round=0,
                )
            )
    with counting_statements(database) as large:
        found = (await api.ok(SIMILAR, {"t": "停车难"}, resident))["similarTopics"]
    assert len(found) == 5  # the answer's limit
    assert len(large) == len(small), "\n".join(large)


def test_the_similarity_bench_keeps_60_paraphrase_and_60_unrelated_pairs() -> None:
    data = json.loads(PAIRS.read_text(encoding="utf-8"))
    topics = {t["id"]: t for t in data["topics"]}
    assert len(data["paraphrases"]) >= 60 and len(data["unrelated"]) >= 60
    pairs = data["paraphrases"] + data["unrelated"]
    assert all(p["topic"] in topics for p in pairs)
    queries = [p["query"] for p in pairs]
    assert len(set(queries)) == len(queries)
    assert "停车难" in queries and sum(len(q) <= 4 for q in queries) >= 5
    categories = {"停车出行", "物业服务", "水电维修", "拆违治乱", "装修扰民"}
    for kind in ("paraphrases", "unrelated"):
        per = {c: 0 for c in categories}
        for pair in data[kind]:
            category = topics[pair["topic"]]["category"]
            per[category] = per.get(category, 0) + 1
        assert all(per[c] >= 5 for c in categories), (kind, per)
    assert len(topics) > len({p["topic"] for p in data["paraphrases"]})  # distractors too

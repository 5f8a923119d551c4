"""Shared steps of the council tests, each one real GraphQL operation against the app."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from tests.api_client import Api
from tests.world import World

RESULT = "__typename ... on Error { code message }"


async def resident_token(api: Api, world: World, resident: str) -> str:
    """A resident's session: the admin issues a one-time code, the resident redeems it."""
    admin = await api.login("admin-b" if resident.startswith("HB") else "admin")
    issued = await api.ok(
        """mutation($r: UUID!) { issueLoginCode(residentId: $r) {
             __typename ... on LoginCode { code } } }""",
        {"r": str(world.residents[resident])},
        admin,
    )
    session = await api.ok(
        """mutation($c: String!) { loginWithCode(code: $c) {
             __typename ... on AuthSession { accessToken } } }""",
        {"c": issued["issueLoginCode"]["code"]},
    )
    return str(session["loginWithCode"]["accessToken"])


async def mutate(api: Api, token: str | None, query: str, variables: dict[str, Any]) -> Any:
    """The single top-level field's result union."""
    data = await api.ok(query, variables, token)
    (value,) = data.values()
    return value


async def raise_topic(
    api: Api, token: str, title: str, *, source: str = "RESIDENT", **fields: Any
) -> dict[str, Any]:
    result = await mutate(
        api,
        token,
        f"""mutation($input: RaiseProposalInput!) {{ raiseProposal(input: $input) {{ {RESULT}
             ... on RaisedProposal {{ proposal {{ id status submittedOn anonymous raiserName }}
                                      similar {{ score proposal {{ id title }} }} }} }} }}""",
        {
            "input": {
                "title": title,
                "category": fields.pop("category", "PARKING"),
                "source": source,
                **fields,
            }
        },
    )
    return dict(result)


async def raised_id(api: Api, token: str, title: str, **fields: Any) -> str:
    result = await raise_topic(api, token, title, **fields)
    assert result["__typename"] == "RaisedProposal", result
    return str(result["proposal"]["id"])


async def topic(api: Api, token: str, proposal_id: str, fields: str) -> dict[str, Any]:
    result = await mutate(
        api,
        token,
        f"query($id: UUID!) {{ proposal(id: $id) {{ {RESULT} ... on Proposal {{ {fields} }} }} }}",
        {"id": proposal_id},
    )
    return dict(result)


async def support(api: Api, token: str, proposal_id: str) -> dict[str, Any]:
    return dict(
        await mutate(
            api,
            token,
            f"""mutation($id: UUID!) {{ supportProposal(id: $id) {{ {RESULT}
                 ... on Proposal {{ supportCount viewerSupports }} }} }}""",
            {"id": proposal_id},
        )
    )


async def schedule(
    api: Api,
    token: str,
    kind: str = "DELIBERATION",
    *,
    grid_id: str | None = None,
    starts_at: datetime | None = None,
) -> str:
    result = await mutate(
        api,
        token,
        f"""mutation($k: MeetingKind!, $t: DateTime!, $g: UUID) {{
             scheduleMeeting(kind: $k, title: "长廊议事会", startsAt: $t, place: "3号楼长廊",
                             gridId: $g) {{ {RESULT} ... on Meeting {{ id }} }} }}""",
        {
            "k": kind,
            "t": (starts_at or datetime.now(UTC)).isoformat(),
            "g": grid_id,
        },
    )
    assert result["__typename"] == "Meeting", result
    return str(result["id"])


async def add_to_agenda(api: Api, token: str, meeting_id: str, proposal_id: str) -> Any:
    return await mutate(
        api,
        token,
        f"""mutation($m: UUID!, $p: UUID!) {{ addAgendaItem(meetingId: $m, proposalId: $p) {{
             {RESULT} ... on Meeting {{ agenda {{ position proposalId }} }} }} }}""",
        {"m": meeting_id, "p": proposal_id},
    )


async def deliberate(
    api: Api,
    token: str,
    meeting_id: str,
    proposal_id: str,
    *,
    deadline: date | None = None,
    contact: str = "王师傅",
) -> Any:
    return await mutate(
        api,
        token,
        f"""mutation($m: UUID!, $p: UUID!, $a: AgreementInput!) {{
             deliberate(meetingId: $m, proposalId: $p, agreement: $a) {{ {RESULT}
               ... on Resolution {{ id contactName deadline }} }} }}""",
        {
            "m": meeting_id,
            "p": proposal_id,
            "a": {
                "solution": "在3号楼北侧划出临时车位",
                "deadline": (deadline or date.today() + timedelta(days=30)).isoformat(),
                "contactName": contact,
            },
        },
    )


async def report(
    api: Api, token: str, proposal_id: str, percent: int, meeting_id: str | None = None
) -> Any:
    return await mutate(
        api,
        token,
        f"""mutation($p: UUID!, $n: Int!, $m: UUID) {{
             reportProgress(proposalId: $p, text: "已施工", percentDone: $n, meetingId: $m,
               photos: [{{url: "https://img.example/1.jpg", sha256: "{"a" * 64}"}}]) {{
               {RESULT} ... on ProgressReport {{ id percentDone }} }} }}""",
        {"p": proposal_id, "n": percent, "m": meeting_id},
    )


async def close(api: Api, token: str, proposal_id: str) -> Any:
    return await mutate(
        api,
        token,
        f"""mutation($id: UUID!) {{ closeProposal(id: $id) {{ {RESULT}
             ... on Proposal {{ status closeRound }} }} }}""",
        {"id": proposal_id},
    )


async def rate(api: Api, token: str, proposal_id: str, score: int) -> Any:
    return await mutate(
        api,
        token,
        f"""mutation($id: UUID!, $s: Int!) {{ rateProposal(id: $id, score: $s, comment: "还行") {{
             {RESULT} ... on RatingOutcome {{ reopened proposal {{ status averageRating }} }}
             }} }}""",
        {"id": proposal_id, "s": score},
    )


async def to_deliberated(
    api: Api, staff: str, proposal_id: str, *, deadline: date | None = None
) -> str:
    """Through a meeting in the past (so that a deadline may already have passed)."""
    held = datetime.now(UTC) - timedelta(days=60)
    meeting = await schedule(api, staff, starts_at=held)
    added = await add_to_agenda(api, staff, meeting, proposal_id)
    assert added["__typename"] == "Meeting", added
    done = await deliberate(api, staff, meeting, proposal_id, deadline=deadline)
    assert done["__typename"] == "Resolution", done
    return meeting


SUBMIT = f"""mutation($input: SuggestionInput!) {{ submitSuggestion(input: $input) {{ {RESULT}
  ... on SuggestionReceived {{ received anonymity }} }} }}"""
OPEN_BOX = f"""mutation($g: UUID) {{ openSuggestionBox(gridId: $g) {{ {RESULT}
  ... on SuggestionBoxOpened {{ released releasedAt waiting }} }} }}"""
FILLERS = ("楼道灯不亮", "垃圾桶太少")


async def drop_in(api: Api, token: str, title: str, **fields: Any) -> dict[str, Any]:
    """民主决议箱: one suggestion into the box; the answer is only 'received'."""
    variables = {"title": title, "category": fields.pop("category", "PARKING"), **fields}
    return dict(await mutate(api, token, SUBMIT, {"input": variables}))


async def open_box(api: Api, token: str, grid_id: str | None = None) -> dict[str, Any]:
    return dict(await mutate(api, token, OPEN_BOX, {"g": grid_id}))


async def topic_ids_by_title(api: Api, token: str) -> dict[str, str]:
    data = await api.ok("{ proposals(first: 100) { edges { node { id title } } } }", token=token)
    return {e["node"]["title"]: e["node"]["id"] for e in data["proposals"]["edges"]}


async def box_topic(api: Api, world: World, title: str, grid: str = "G1") -> str:
    """An anonymous topic, the way it comes about: three residents drop letters into the box
    of ``grid`` (the minimum a box releases), the admin opens it; the id of ``title``'s."""
    for resident, text in zip(("H1a-x", "H1a-y", "H1b-x"), (title, *FILLERS), strict=True):
        token = await resident_token(api, world, resident)
        received = await drop_in(api, token, text, gridId=str(world.grids[grid]))
        assert received["__typename"] == "SuggestionReceived", received
    admin = await api.login("admin")
    opened = await open_box(api, admin, str(world.grids[grid]))
    assert opened["released"] == 3, opened
    return (await topic_ids_by_title(api, admin))[title]

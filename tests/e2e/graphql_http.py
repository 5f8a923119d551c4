"""Synchronous GraphQL over HTTP for tests that drive a real server process."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from api.demo import DEMO_PASSWORD


def graphql(
    base: str, query: str, variables: dict[str, Any] | None = None, token: str = ""
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(
        f"{base}/graphql",
        json={"query": query, "variables": variables or {}},
        headers=headers,
        timeout=30,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return dict(body["data"])


def result(data: dict[str, Any], field: str, typename: str) -> dict[str, Any]:
    value = data[field]
    assert value["__typename"] == typename, value
    return dict(value)


def login(base: str, username: str = "admin", password: str = DEMO_PASSWORD) -> str:
    data = graphql(
        base,
        """mutation($u: String!, $p: String!) { login(username: $u, password: $p) {
             __typename ... on AuthSession { accessToken } ... on Error { code message } } }""",
        {"u": username, "p": password},
    )
    return str(result(data, "login", "AuthSession")["accessToken"])


def issue_code(base: str, admin: str, resident_id: str) -> str:
    """A one-time login code for the resident, issued by the admin as a grid contact would."""
    issued = graphql(
        base,
        """mutation($r: UUID!) { issueLoginCode(residentId: $r) {
             __typename ... on LoginCode { code } ... on Error { code message } } }""",
        {"r": resident_id},
        admin,
    )
    return str(result(issued, "issueLoginCode", "LoginCode")["code"])


def adult_residents(base: str, admin: str, count: int) -> list[dict[str, Any]]:
    data = graphql(
        base, "{ residents(first: 100) { edges { node { id name birthYear } } } }", token=admin
    )
    adults = [
        e["node"] for e in data["residents"]["edges"] if (e["node"]["birthYear"] or 2100) < 1990
    ]
    assert len(adults) >= count
    return adults[:count]


def open_vote(
    base: str,
    admin: str,
    title: str,
    *,
    secret: bool = False,
    minutes: int = 60,
    electorate: str = "ADULT_RESIDENTS",
) -> str:
    """A topic on a meeting's agenda, put to an open vote with results shown live."""
    raised = graphql(
        base,
        """mutation($t: String!) { raiseProposal(input: {title: $t, category: PARKING,
             source: MEETING, description: "在小区东侧划定临时停车位"}) {
             __typename ... on RaisedProposal { proposal { id } }
             ... on Error { code message } } }""",
        {"t": title},
        admin,
    )
    proposal = result(raised, "raiseProposal", "RaisedProposal")["proposal"]["id"]
    starts = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    meeting = graphql(
        base,
        """mutation($s: DateTime!) { scheduleMeeting(kind: DELIBERATION, title: "长廊议事会",
             startsAt: $s, place: "3号楼长廊") {
             __typename ... on Meeting { id } ... on Error { code message } } }""",
        {"s": starts},
        admin,
    )
    meeting_id = result(meeting, "scheduleMeeting", "Meeting")["id"]
    graphql(
        base,
        """mutation($m: UUID!, $p: UUID!) { addAgendaItem(meetingId: $m, proposalId: $p) {
             __typename } }""",
        {"m": meeting_id, "p": proposal},
        admin,
    )
    closes = (datetime.now(UTC) + timedelta(minutes=minutes)).isoformat()
    vote = graphql(
        base,
        """mutation($p: UUID!, $c: DateTime!, $s: Boolean!, $e: Electorate!) { putToVote(
             proposalId: $p, rule: { electorate: $e, closesAt: $c, threshold: SIMPLE_MAJORITY,
             secret: $s, allowChange: true, hideResultsUntilClose: false}) {
             __typename ... on Vote { id } ... on Error { code message } } }""",
        {"p": proposal, "c": closes, "s": secret, "e": electorate},
        admin,
    )
    return str(result(vote, "putToVote", "Vote")["id"])


def login_with_code(base: str, code: str) -> str:
    data = graphql(
        base,
        """mutation($c: String!) { loginWithCode(code: $c) {
             __typename ... on AuthSession { accessToken } ... on Error { code message } } }""",
        {"c": code},
    )
    return str(result(data, "loginWithCode", "AuthSession")["accessToken"])


def cast(base: str, token: str, vote_id: str, choice: str) -> dict[str, Any]:
    data = graphql(
        base,
        """mutation($v: UUID!, $c: Choice!) { castBallot(voteId: $v, choice: $c) {
             __typename ... on BallotReceipt { receipt changeToken }
             ... on Error { code message } } }""",
        {"v": vote_id, "c": choice},
        token,
    )
    return result(data, "castBallot", "BallotReceipt")

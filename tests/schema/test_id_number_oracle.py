"""An ID number's existence is no answer for staff who do not cover its holder (PIPL)."""

from __future__ import annotations

from typing import Any

from domain.personal_data import mask_id_number
from tests.api_client import Api
from tests.world import World, id_number

TAKEN = id_number(1)  # H1a-x's, in M1a
FRESH = id_number(501)  # nobody's, the same birth date
RESIDENT = """id name householdId phone { value hiddenReason } idNumber { value hiddenReason }
    birthYear tags partyMember"""
CREATE = f"""mutation($h: UUID!, $n: String!) {{
  createResident(householdId: $h, fields: {{name: "新居民", idNumber: $n, phone: "13912345678"}}) {{
    __typename ... on Resident {{ {RESIDENT} }} ... on Error {{ code message }} }} }}"""
UPDATE = f"""mutation($id: UUID!, $n: String!) {{
  updateResident(id: $id, fields: {{idNumber: $n}}) {{
    __typename ... on Resident {{ {RESIDENT} }} ... on Error {{ code message }} }} }}"""
READ = f"""query($id: UUID!) {{ resident(id: $id) {{
    __typename ... on Resident {{ {RESIDENT} }} ... on Error {{ code }} }} }}"""
REVIEWS = """{ duplicateReviews { id status reportedByAccountId
    resident { id name idNumber { value } } existingResident { id name idNumber { value } } } }"""
RESOLVE = """mutation($id: UUID!, $r: DuplicateResolution!) {
  resolveDuplicateReview(id: $id, resolution: $r) {
    __typename ... on DuplicateReview { status resolvedAt } ... on Error { code } } }"""


def _shape(answer: dict[str, Any], number: str) -> dict[str, Any]:
    """The answer apart from its id, with the typed number's own masked form checked."""
    found = dict(answer)
    found.pop("id", None)
    if found.get("idNumber", {}).get("value") is not None:
        assert found["idNumber"]["value"] == mask_id_number(number)
        found["idNumber"] = {**found["idNumber"], "value": "masked"}
    return found


async def _create(api: Api, token: str, world: World, household: str, number: str) -> Any:
    data = await api.ok(CREATE, {"h": str(world.households[household]), "n": number}, token)
    return data["createResident"]


async def test_an_outsider_gets_the_same_answer_for_a_registered_number_as_for_a_fresh_one(
    api: Api, world: World
) -> None:
    token = await api.login("chief2")  # covers G2, not H1a-x's M1a
    taken = await _create(api, token, world, "H2a", TAKEN)
    fresh = await _create(api, token, world, "H2a", FRESH)
    assert taken["__typename"] == fresh["__typename"] == "Resident"
    assert _shape(taken, TAKEN) == _shape(fresh, FRESH)
    later = [
        (await api.ok(READ, {"id": answer["id"]}, token))["resident"] for answer in (taken, fresh)
    ]
    assert _shape(later[0], TAKEN) == _shape(later[1], FRESH)
    assert _shape(later[0], TAKEN) == _shape(taken, TAKEN)
    changed = [
        (await api.ok(UPDATE, {"id": answer["id"], "n": number}, token))["updateResident"]
        for answer, number in ((fresh, TAKEN), (taken, id_number(502)))
    ]
    assert _shape(changed[0], TAKEN) == _shape(changed[1], id_number(502))


async def test_the_duplicate_goes_to_the_admins_review_who_merges_or_dismisses_it(
    api: Api, world: World
) -> None:
    outsider = await api.login("chief2")
    first = await _create(api, outsider, world, "H2a", TAKEN)
    second = await _create(api, outsider, world, "H2a", TAKEN)
    admin = await api.login("admin")
    reviews = (await api.ok(REVIEWS, token=admin))["duplicateReviews"]
    assert [(r["resident"]["id"], r["existingResident"]["name"]) for r in reviews] == [
        (first["id"], "H1a-x"),
        (second["id"], "H1a-x"),
    ]
    assert {r["status"] for r in reviews} == {"OPEN"}
    assert reviews[0]["reportedByAccountId"] == str(world.accounts["chief2"])
    assert reviews[0]["existingResident"]["idNumber"]["value"] == mask_id_number(TAKEN)

    merged = (await api.ok(RESOLVE, {"id": reviews[0]["id"], "r": "MERGE"}, admin))[
        "resolveDuplicateReview"
    ]
    assert (merged["__typename"], merged["status"]) == ("DuplicateReview", "MERGED")
    gone = (await api.ok(READ, {"id": first["id"]}, admin))["resident"]
    assert gone["code"] == "NOT_FOUND"
    again = await api.ok(RESOLVE, {"id": reviews[0]["id"], "r": "DISMISS"}, admin)
    assert again["resolveDuplicateReview"]["code"] == "CONFLICT"

    dismissed = (await api.ok(RESOLVE, {"id": reviews[1]["id"], "r": "DISMISS"}, admin))[
        "resolveDuplicateReview"
    ]
    assert dismissed["status"] == "DISMISSED"
    kept = (await api.ok(READ, {"id": second["id"]}, admin))["resident"]
    assert kept["idNumber"] == {"value": None, "hiddenReason": None}
    holder = (await api.ok(READ, {"id": str(world.residents["H1a-x"])}, admin))["resident"]
    assert holder["idNumber"]["value"] == mask_id_number(TAKEN)
    assert (await api.ok(REVIEWS, token=admin))["duplicateReviews"] == []


async def test_staff_who_cover_the_holder_and_the_admin_still_hear_already_registered(
    api: Api, world: World
) -> None:
    for account, household in (("member1a", "H1a"), ("chief1", "H1b"), ("admin", "H2a")):
        token = await api.login(account)
        refused = await _create(api, token, world, household, TAKEN)
        assert (refused["__typename"], refused["code"]) == ("ConflictError", "CONFLICT")
    admin = await api.login("admin")
    assert (await api.ok(REVIEWS, token=admin))["duplicateReviews"] == []


async def test_only_the_admin_reads_and_resolves_the_reviews(api: Api, world: World) -> None:
    outsider = await api.login("chief2")
    await _create(api, outsider, world, "H2a", TAKEN)
    body = await api.post(REVIEWS, token=outsider)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    admin = await api.login("admin")
    [review] = (await api.ok(REVIEWS, token=admin))["duplicateReviews"]
    refused = await api.ok(RESOLVE, {"id": review["id"], "r": "MERGE"}, outsider)
    assert refused["resolveDuplicateReview"]["code"] == "FORBIDDEN"
    other = await api.login("admin-b")  # another community's admin: unknown id
    unknown = await api.ok(RESOLVE, {"id": review["id"], "r": "MERGE"}, other)
    assert unknown["resolveDuplicateReview"]["code"] == "NOT_FOUND"

"""The three-way merge as pure functions: no database, properties checked by Hypothesis."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from sync.collections.residents import RESIDENTS
from sync.collections.visit_notes import VISIT_NOTES
from sync.declaration import Policy
from sync.merge import TEXT_SEPARATOR, both_texts, differs, merge, union_of_sets

FIELDS = RESIDENTS.client_fields
BASE: dict[str, Any] = {
    "id": "r1",
    "householdId": "h1",
    "name": "张三",
    "phone": "13800000001",
    "tags": ["高龄老人"],
    "partyMember": False,
    "birthYear": None,
    "idNumber": "120104********0011",
    "updatedAt": 5.0,
    "deleted": False,
}


def test_fields_only_the_device_changed_are_applied() -> None:
    result = merge(FIELDS, BASE, BASE, {**BASE, "name": "张三丰"})
    assert result.changes == {"name": "张三丰"}
    assert not result.conflicts


def test_fields_only_the_server_changed_are_kept() -> None:
    master = {**BASE, "phone": "13900000000"}
    result = merge(FIELDS, BASE, master, {**BASE, "name": "张三丰"})
    assert result.changes == {"name": "张三丰"}
    assert not result.conflicts


def test_the_same_change_on_both_sides_is_no_conflict() -> None:
    both = {**BASE, "name": "李四"}
    result = merge(FIELDS, BASE, both, {**both, "updatedAt": 1.0})
    assert result.taken_as_sent and not result.conflicts


def test_a_true_conflict_on_a_server_wins_field_keeps_the_server_and_reports() -> None:
    result = merge(FIELDS, BASE, {**BASE, "phone": "13900000000"}, {**BASE, "phone": "13700000000"})
    assert result.changes == {}
    (conflict,) = result.conflicts
    assert (conflict.field, conflict.policy, conflict.settled) == (
        "phone",
        Policy.SERVER_WINS,
        False,
    )
    assert (conflict.base, conflict.server, conflict.device) == (
        "13800000001",
        "13900000000",
        "13700000000",
    )


def test_tags_conflict_becomes_a_set_union_that_honours_removals() -> None:
    base = {**BASE, "tags": ["高龄老人", "困难家庭"]}
    master = {**base, "tags": ["高龄老人", "困难家庭", "儿童"]}
    device = {**base, "tags": ["高龄老人", "残疾人"]}  # removed vulnerable, added one
    result = merge(FIELDS, base, master, device)
    assert result.changes == {"tags": ["儿童", "残疾人", "高龄老人"]}
    assert result.conflicts[0].settled


def test_note_text_conflict_keeps_both_texts_once() -> None:
    fields = VISIT_NOTES.client_fields
    base = {"id": "n", "text": "门口漏水", "deleted": False}
    master, device = {**base, "text": "门口漏水，已报修"}, {**base, "text": "门口漏水，老人独居"}
    first = merge(fields, base, master, device)
    merged = first.changes["text"]
    assert merged == f"门口漏水，已报修{TEXT_SEPARATOR}门口漏水，老人独居"
    retry = merge(fields, base, {**master, "text": merged}, device)
    assert retry.changes == {} and retry.conflicts == ()


def test_server_owned_fields_never_come_from_the_device() -> None:
    result = merge(FIELDS, BASE, BASE, {**BASE, "idNumber": "110101199003070000"})
    assert result.taken_as_sent


def test_a_retry_after_a_lost_answer_is_taken_as_sent() -> None:
    applied = {**BASE, "name": "王五", "updatedAt": 9.0}
    result = merge(FIELDS, BASE, applied, {**BASE, "name": "王五"})
    assert result.taken_as_sent and not result.conflicts


def test_a_create_retried_after_a_lost_answer_is_taken_as_sent() -> None:
    assert merge(FIELDS, None, BASE, dict(BASE)).taken_as_sent


def test_a_normalised_value_retried_is_not_a_conflict() -> None:
    master = {**BASE, "phone": "13900000000"}
    assert merge(FIELDS, BASE, master, {**BASE, "phone": " 139 0000 0000"}).taken_as_sent


def test_an_edit_of_a_document_deleted_on_the_server_goes_to_the_inbox() -> None:
    result = merge(FIELDS, BASE, {**BASE, "deleted": True}, {**BASE, "name": "赵六"})
    assert result.changes == {}
    assert [c.field for c in result.conflicts] == ["name"]


def test_a_delete_from_the_device_applies() -> None:
    assert merge(FIELDS, BASE, BASE, {**BASE, "deleted": True}).changes == {"deleted": True}


def test_a_create_takes_every_client_field() -> None:
    result = merge(FIELDS, None, None, {**BASE, "name": "新"})
    assert result.create and result.changes["name"] == "新" and "idNumber" not in result.changes


def test_the_answer_is_sent_only_when_a_client_field_differs() -> None:
    assert not differs(FIELDS, {**BASE, "idNumber": "x", "updatedAt": 99.0}, BASE)
    assert differs(FIELDS, {**BASE, "name": "other"}, BASE)


# --- properties --------------------------------------------------------------------------

names = st.sampled_from(["甲", "乙", "丙", None])
tags = st.lists(st.sampled_from(["高龄老人", "儿童", "困难家庭", "残疾人"]), max_size=4)
docs = st.fixed_dictionaries(
    {"name": names, "phone": st.sampled_from(["13800000001", "13900000002", None]), "tags": tags}
).map(lambda d: {**BASE, **d})


@given(docs, docs, docs)
def test_merge_decides_each_field_by_who_changed_it(
    base: dict[str, Any], master: dict[str, Any], device: dict[str, Any]
) -> None:
    result = merge(FIELDS, base, master, device)
    after = {**master, **result.changes}
    conflicted = {c.field for c in result.conflicts}
    for field in ("name", "phone"):
        b, m, d = base[field], master[field], device[field]
        if d in (m, b):
            assert after[field] == m and field not in conflicted
        elif m == b:
            assert after[field] == d and field not in conflicted
        else:
            assert after[field] == m and field in conflicted  # server wins, reported


@given(docs, docs, docs)
def test_nothing_typed_is_lost(
    base: dict[str, Any], master: dict[str, Any], device: dict[str, Any]
) -> None:
    """Every value the device set is in the merged master or in a reported conflict."""
    result = merge(FIELDS, base, master, device)
    after = {**master, **result.changes}
    for field in ("name", "phone"):
        if device[field] != base[field]:
            kept = after[field] == device[field]
            reported = any(c.field == field and c.device == device[field] for c in result.conflicts)
            assert kept or reported
    if device["tags"] != base["tags"]:
        added = set(device["tags"]) - set(base["tags"])
        assert added <= set(after["tags"])


@given(docs, docs, docs)
def test_merging_again_against_the_result_changes_nothing(
    base: dict[str, Any], master: dict[str, Any], device: dict[str, Any]
) -> None:
    """A retried push (the answer was lost) writes nothing new."""
    first = merge(FIELDS, base, master, device)
    after = {**master, **first.changes}
    second = merge(FIELDS, base, after, device)
    assert second.taken_as_sent or second.changes == {}


@given(tags, tags, tags)
def test_set_union_is_symmetric_between_server_and_device(
    base: list[str], server: list[str], device: list[str]
) -> None:
    assert union_of_sets(base, server, device) == union_of_sets(base, device, server)


@given(st.text(max_size=20), st.text(max_size=20))
def test_keeping_both_texts_is_idempotent(server: str, device: str) -> None:
    once = both_texts(server, device)
    assert both_texts(once, device) == once
    assert device in once and server in once

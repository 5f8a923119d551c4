"""What validating a document may cost is bounded before graphql-core validates it, and the
work is done once per text, off the event loop (``schema.document_checks``).

These tests count work (which documents were parsed and validated, how big, on which thread),
not time, so they do not depend on the machine's speed.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from graphql import DocumentNode, parse

from domain.database import Database
from schema import document_checks
from schema.selection_bounds import SelectionLimits, collapse, too_complex
from tests.api.test_limits import only_error, server
from tests.api_client import api_for
from tests.api_client import test_settings as settings_with
from tests.world import World

VIEWER_495 = "{ " + "viewer { accountId } " * 495 + "}"


def selections(document: DocumentNode) -> int:
    count, pending = 0, [d.selection_set for d in document.definitions]  # type: ignore[attr-defined]
    while pending:
        selection_set = pending.pop()
        count += len(selection_set.selections)
        pending += [
            s.selection_set for s in selection_set.selections if getattr(s, "selection_set", None)
        ]
    return count


class Work:
    """Every parse and validation the checks run: the document's size and the thread."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.parsed: list[str] = []
        self.validated: list[tuple[int, str]] = []
        parse_, validate = document_checks.parse, document_checks.validate_document

        def parse_spy(text: str, **options: Any) -> DocumentNode:
            self.parsed.append(threading.current_thread().name)
            return parse_(text, **options)

        def validate_spy(schema: Any, document: DocumentNode, rules: Any) -> Any:
            self.validated.append((selections(document), threading.current_thread().name))
            return validate(schema, document, rules)

        monkeypatch.setattr(document_checks, "parse", parse_spy)
        monkeypatch.setattr(document_checks, "validate_document", validate_spy)


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch) -> Work:
    return Work(monkeypatch)


async def test_495_copies_of_one_field_are_validated_as_one(database: Database, work: Work) -> None:
    assert len(VIEWER_495) > 10_000
    async with server(database) as api:
        assert await api.post(VIEWER_495) == {"data": {"viewer": None}}
    assert [size for size, _ in work.validated] == [2]  # viewer { accountId }, not 990


async def test_a_text_is_parsed_and_validated_once_then_served_from_the_cache(
    database: Database, work: Work
) -> None:
    async with server(database) as api:
        for _ in range(3):
            assert await api.post(VIEWER_495) == {"data": {"viewer": None}}
        assert await api.post("{ viewer { kind } }") == {"data": {"viewer": None}}
    assert len(work.parsed) == 2
    assert len(work.validated) == 2


async def test_parsing_and_validation_run_off_the_event_loop(
    database: Database, work: Work
) -> None:
    async with server(database) as api:
        await api.post(VIEWER_495)
    threads = {name for name in work.parsed} | {name for _, name in work.validated}
    assert threads and all(name.startswith("graphql-checks") for name in threads), threads
    assert threading.current_thread().name not in threads


async def test_a_text_that_does_not_parse_is_parsed_off_the_loop_and_reported_as_before(
    database: Database, work: Work
) -> None:
    async with server(database) as api:
        first = await api.post("{ viewer { accountId }")
        second = await api.post("{ viewer { accountId }")
    assert first == second
    error = only_error(first)
    assert error["message"].startswith("Syntax Error")
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    # not remembered (it holds its text): the first look of each fast path (the compiled
    # reads, the sync pull), then each request
    assert len(work.parsed) == 4 and work.validated == []
    assert all(name.startswith("graphql-checks") for name in work.parsed)


def distinct_households(count: int) -> str:
    fields = " ".join(f"households(first: {i}) {{ totalCount }}" for i in range(count))
    return "{ " + fields + " }"


async def test_many_different_fields_under_one_name_are_refused_unvalidated(
    database: Database, work: Work
) -> None:
    async with server(database) as api:
        body = await api.post(distinct_households(150))
    error = only_error(body)
    assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX", "found": 45_000, "limit": 10_000}
    assert "same name too often: 45000 pairs to compare, at most 10000" in error["message"]
    assert body.get("data") is None
    assert work.validated == []


def fragment_tree(levels: int) -> str:
    """Each fragment spreads the next twice: 2**levels grids once expanded."""
    fragments = [
        f"fragment G{i} on Grid {{ parent {{ ...G{i + 1} }} up: parent {{ ...G{i + 1} }} }}"
        for i in range(levels)
    ]
    return "{ grids { ...G0 } } " + " ".join(fragments) + f" fragment G{levels} on Grid {{ id }}"


async def test_fragments_that_expand_past_the_selection_limit_are_refused_in_chinese(
    database: Database, work: Work
) -> None:
    api = api_for(database, settings_with())
    try:
        body = await api.post(fragment_tree(9))
    finally:
        await api.client.aclose()
    error = only_error(body)
    assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX", "limit": 1000}
    assert error["message"] == "操作选取的字段超过 1000 个（片段展开后计算）"
    assert work.validated == []


async def test_a_document_within_the_bounds_is_validated_as_usual(
    database: Database, world: World, work: Work
) -> None:
    async with server(database) as api:
        token = await api.login("admin")
        before = len(work.validated)
        body = await api.post(fragment_tree(3), token=token)
    assert "errors" not in body, body
    assert len(work.validated) == before + 1


def test_collapse_merges_only_identical_siblings() -> None:
    same = parse("{ viewer { accountId } viewer { accountId } }")
    assert selections(collapse(same)) == 2
    kept = [
        "{ viewer { accountId } v: viewer { accountId } }",  # another response name
        "{ viewer { accountId } viewer { kind } }",  # another sub-selection
        "{ viewer { accountId } viewer @include(if: false) { accountId } }",
        "{ a: households(first: 1) { totalCount } a: households(first: 2) { totalCount } }",
    ]
    for text in kept:
        document = parse(text)
        assert collapse(document) is document, text


def test_collapse_works_bottom_up_and_keeps_the_first_of_each() -> None:
    document = parse("{ viewer { kind kind accountId } viewer { kind accountId } }")
    assert selections(collapse(document)) == 3  # viewer { kind accountId }


def test_the_measure_counts_fragments_where_they_are_spread() -> None:
    limits = SelectionLimits(max_selections=40, max_overlaps=10_000)
    assert too_complex(parse(fragment_tree(3)), limits) is None  # 1 + 2 + ... about 30
    assert too_complex(parse(fragment_tree(4)), limits) is not None
    cyclic = parse("{ grids { ...A } } fragment A on Grid { parent { ...A } }")
    assert too_complex(cyclic, limits) is None  # validation reports the cycle

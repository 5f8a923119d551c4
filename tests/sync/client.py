"""A phone's view of the replication API: the queries the RxDB client sends, and helpers."""

from __future__ import annotations

import uuid
from typing import Any

from sync.collections import COLLECTIONS
from tests.api_client import Api


def _selection(collection: str) -> str:
    fields = " ".join(f.wire for f in COLLECTIONS[collection].fields)
    return f"id {fields} updatedAt deleted"


def pull_query(collection: str) -> str:
    p = COLLECTIONS[collection].prefix
    return (
        f"query Pull{p}($checkpoint: {p}InputCheckpoint, $limit: Int!) {{"
        f" pull{p}(checkpoint: $checkpoint, limit: $limit) {{"
        f" documents {{ {_selection(collection)} }} checkpoint {{ id updatedAt }} }} }}"
    )


def push_query(collection: str) -> str:
    p = COLLECTIONS[collection].prefix
    return (
        f"mutation Push{p}(${collection}PushRow: [{p}InputPushRow!]) {{"
        f" push{p}({collection}PushRow: ${collection}PushRow) {{ {_selection(collection)} }} }}"
    )


def stream_query(collection: str) -> str:
    p = COLLECTIONS[collection].prefix
    return (
        f"subscription onStream($headers: {p}InputHeaders) {{"
        f" stream{p}(headers: $headers) {{"
        f" documents {{ {_selection(collection)} }} checkpoint {{ id updatedAt }} }} }}"
    )


class Phone:
    """One device: its token, and per collection the checkpoint it last stored."""

    def __init__(self, api: Api, token: str) -> None:
        self.api = api
        self.token = token
        self.checkpoints: dict[str, dict[str, Any] | None] = {}

    async def pull_raw(
        self, collection: str, limit: int, checkpoint: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        return await self.api.post(
            pull_query(collection), {"checkpoint": checkpoint, "limit": limit}, self.token
        )

    async def pull(self, collection: str, limit: int = 100) -> list[dict[str, Any]]:
        """One page from the stored checkpoint; the checkpoint moves only on a non-empty page."""
        body = await self.pull_raw(collection, limit, self.checkpoints.get(collection))
        assert "errors" not in body, body
        page = body["data"][f"pull{COLLECTIONS[collection].prefix}"]
        if page["documents"]:
            self.checkpoints[collection] = page["checkpoint"]
        return list(page["documents"])

    async def pull_all(self, collection: str, limit: int = 100) -> list[dict[str, Any]]:
        """Page until a short page, as the client does."""
        found: list[dict[str, Any]] = []
        while True:
            page = await self.pull(collection, limit)
            found.extend(page)
            if len(page) < limit:
                return found

    async def push_raw(self, collection: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
        return await self.api.post(
            push_query(collection), {f"{collection}PushRow": rows}, self.token
        )

    async def push(self, collection: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        body = await self.push_raw(collection, rows)
        assert "errors" not in body, body
        return list(body["data"][f"push{COLLECTIONS[collection].prefix}"])


def new_id() -> str:
    return str(uuid.uuid4())


def row(new: dict[str, Any], assumed: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"assumedMasterState": assumed, "newDocumentState": new}


def edited(document: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**document, **changes}

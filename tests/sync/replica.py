"""A device's local database as the RxDB replication protocol keeps it, for the stateful test.

Per collection the replica holds the fork (``docs``: what the app shows, local edits
included) and, per document, the assumed master state (``assumed``: the last master the
device learned, RxDB's meta instance), with the logical time it learned it (``known_at``).
A document is dirty while its fork differs from its assumed master; RxDB pushes exactly the
dirty ones, each as ``{assumedMasterState, newDocumentState}``.

Downstream (a pull page or a stream event) follows the client: a document with unpushed
local changes is skipped (the upstream resolves it first); any other one is written to the
fork and becomes the assumed master. Upstream answers follow the client too: a returned
document is the master, which the fork adopts; a row not returned was stored as sent.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from tests.sync.client import Phone

Doc = dict[str, Any]


@dataclass
class Batch:
    """One push as it left the device: its rows, and when the device learned each base."""

    collection: str
    rows: list[dict[str, Any]]
    known_at: list[int]
    tampered: bool = False  # sent with forged server-owned fields (see the test)


@dataclass
class Replica:
    name: str
    phone: Phone
    account_id: str
    device_id: str
    collections: tuple[str, ...]
    docs: dict[str, dict[str, Doc]] = field(default_factory=dict)
    assumed: dict[str, dict[str, Doc | None]] = field(default_factory=dict)
    known_at: dict[str, dict[str, int]] = field(default_factory=dict)
    sent: list[Batch] = field(default_factory=list)
    rank: dict[str, int] = field(default_factory=dict)  # a stable order of ids (not random)

    def __post_init__(self) -> None:
        for name in self.collections:
            self.docs.setdefault(name, {})
            self.assumed.setdefault(name, {})
            self.known_at.setdefault(name, {})

    # --- local state ---------------------------------------------------------------------

    def live(self, collection: str) -> list[str]:
        """Ids of the documents the app shows (not deleted), in a stable order: ids are
        random, and a generated history must draw the same document when replayed."""
        live = [i for i, doc in self.docs[collection].items() if not doc.get("deleted")]
        return sorted(live, key=lambda i: (self.rank.get(i, len(self.rank)), i))

    def is_dirty(self, collection: str, doc_id: str) -> bool:
        return self.docs[collection].get(doc_id) != self.assumed[collection].get(doc_id)

    def dirty(self, collection: str) -> list[str]:
        return [i for i in self.docs[collection] if self.is_dirty(collection, i)]

    def any_dirty(self) -> bool:
        return any(self.dirty(name) for name in self.collections)

    def write(self, collection: str, doc: Doc) -> None:
        """A local write by the app (an edit, a create or a delete)."""
        self.docs[collection][doc["id"]] = copy.deepcopy(doc)

    # --- downstream ----------------------------------------------------------------------

    def receive(self, collection: str, doc: Doc, now: int) -> bool:
        """A master document from a pull or the stream; False when skipped (dirty)."""
        doc_id = doc["id"]
        if doc_id in self.docs[collection] and self.is_dirty(collection, doc_id):
            return False
        self.docs[collection][doc_id] = copy.deepcopy(doc)
        self.assumed[collection][doc_id] = copy.deepcopy(doc)
        self.known_at[collection][doc_id] = now
        return True

    # --- upstream ------------------------------------------------------------------------

    def batch(self, collection: str) -> Batch:
        rows, known = [], []
        for doc_id in self.dirty(collection):
            base = self.assumed[collection].get(doc_id)
            rows.append(
                {
                    "assumedMasterState": copy.deepcopy(base),
                    "newDocumentState": copy.deepcopy(self.docs[collection][doc_id]),
                }
            )
            known.append(self.known_at[collection].get(doc_id, 0))
        return Batch(collection, rows, known)

    def answered(self, batch: Batch, answers: list[Doc], now: int) -> None:
        """The push's answer reached the device: adopt returned masters, mark the rest."""
        by_id = {doc["id"]: doc for doc in answers}
        for row in batch.rows:
            doc_id = row["newDocumentState"]["id"]
            master = by_id.get(doc_id)
            stored = master if master is not None else row["newDocumentState"]
            self.docs[batch.collection][doc_id] = copy.deepcopy(stored)
            self.assumed[batch.collection][doc_id] = copy.deepcopy(stored)
            self.known_at[batch.collection][doc_id] = now

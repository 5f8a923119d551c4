"""The append-only, hash-chained ballot log of a vote, as pure functions over plain data.

Each entry's hash covers the previous entry's hash and the entry's own canonical payload, so
changing, inserting, removing or reordering any entry breaks every hash after it. The chain
is the server's own record and is never published: its head, read after each cast, would
order the entries. What is published is a set (``published_digest``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from domain.i18n import N_, Message

GENESIS = "0" * 64


def canonical(payload: dict[str, Any]) -> str:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def chain_hash(prev_hash: str, seq: int, kind: str, payload: str) -> str:
    material = f"{prev_hash}|{seq}|{kind}|{payload}".encode()
    return hashlib.sha256(material).hexdigest()


@dataclass(frozen=True)
class LogLink:
    seq: int
    kind: str
    payload: str
    prev_hash: str
    entry_hash: str

    @property
    def data(self) -> dict[str, Any]:
        return dict(json.loads(self.payload))


def next_link(previous: LogLink | None, kind: str, payload: dict[str, Any]) -> LogLink:
    seq = previous.seq + 1 if previous else 1
    prev_hash = previous.entry_hash if previous else GENESIS
    text = canonical(payload)
    return LogLink(seq, kind, text, prev_hash, chain_hash(prev_hash, seq, kind, text))


def chain_problems(links: Sequence[LogLink]) -> list[Message]:
    """Every place where the stored chain does not recompute; empty when intact."""
    problems: list[Message] = []
    expected_prev = GENESIS
    for index, link in enumerate(links, start=1):
        if link.seq != index:
            problems.append(
                Message(
                    N_("entry {index}: sequence number {seq}, expected {index}"),
                    {"index": index, "seq": link.seq},
                )
            )
        if link.prev_hash != expected_prev:
            problems.append(
                Message(N_("entry {index}: does not follow the entry before it"), {"index": index})
            )
        if chain_hash(link.prev_hash, link.seq, link.kind, link.payload) != link.entry_hash:
            problems.append(
                Message(N_("entry {index}: its content does not match its hash"), {"index": index})
            )
        expected_prev = link.entry_hash
    return problems


def of_kind(links: Iterable[LogLink], kind: str) -> list[dict[str, Any]]:
    return [link.data for link in links if link.kind == kind]


def published_digest(vote_id: str, commitments: Iterable[str], choices: Iterable[str]) -> str:
    """The digest of a vote's published log: its commitments and its choices, each as a
    sorted set, so that it carries no order at all (unlike the chain, whose head after each
    cast would let anyone who knows the entries line them up in casting order).

    Sealed into the log's close entry, it lets ``verifyTally``, and anyone who noted it and
    holds the published lists, detect an altered, added or removed entry.
    """
    material = canonical(
        {"vote": vote_id, "commitments": sorted(commitments), "choices": sorted(choices)}
    )
    return hashlib.sha256(material.encode()).hexdigest()

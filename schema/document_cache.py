"""A small LRU keyed by a digest of text, shared by everything that remembers query texts.

Keys are 16-byte BLAKE2b digests, not the texts: a query text may be up to the body limit
(a megabyte of comments and whitespace costs no tokens), so remembering texts themselves
would let a few hundred distinct requests pin hundreds of megabytes.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import Generic, TypeVar

V = TypeVar("V")


def digest(*parts: str | None) -> bytes:
    found = hashlib.blake2b(digest_size=16)
    for part in parts:
        encoded = b"\xff" if part is None else part.encode("utf-8", "surrogatepass")
        found.update(len(encoded).to_bytes(8, "big"))
        found.update(encoded)
    return found.digest()


class DigestLRU(Generic[V]):
    """At most ``size`` values, the least recently used dropped first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.values: OrderedDict[bytes, V] = OrderedDict()

    def get(self, key: bytes) -> V | None:
        found = self.values.get(key)
        if found is not None:
            self.values.move_to_end(key)
        return found

    def put(self, key: bytes, value: V) -> None:
        self.values[key] = value
        self.values.move_to_end(key)
        while len(self.values) > self.size:
            self.values.popitem(last=False)

    def __contains__(self, key: bytes) -> bool:
        return key in self.values

    def __len__(self) -> int:
        return len(self.values)

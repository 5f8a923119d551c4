"""Sealed fields (a secret ballot's choice): written by a device, never stored or hashed beside
it, and withheld (null) when the server answers."""

from __future__ import annotations

from typing import Any

from sync.declaration import SyncedType


def unsealed(
    collection: SyncedType, master: dict[str, Any] | None, sent: dict[str, Any]
) -> dict[str, Any] | None:
    """The master for comparing with what a device sent: a sealed field the server withholds
    (null) compares equal to the device's value, so a retry is taken as sent."""
    if master is None:
        return None
    withheld = {
        f.wire: sent.get(f.wire)
        for f in collection.fields
        if f.sealed and master.get(f.wire) is None
    }
    return {**master, **withheld} if withheld else master


def sealed(collection: SyncedType, document: dict[str, Any] | None) -> dict[str, Any] | None:
    """A device's row as it may be kept server-side: sealed fields dropped (a refused secret
    ballot must not be stored beside its voter, nor hashed into a dedupe key)."""
    return None if document is None else without_sealed(collection, document)


def without_sealed(collection: SyncedType, document: dict[str, Any]) -> dict[str, Any]:
    names = {f.wire for f in collection.fields if f.sealed}
    return {key: (None if key in names else value) for key, value in document.items()}

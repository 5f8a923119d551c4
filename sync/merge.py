"""The three-way merge of a pushed row, as pure functions over plain dicts.

``base`` is the device's ``assumedMasterState`` (the common ancestor), ``master`` the server's
current document, ``device`` the ``newDocumentState``; all three map wire field names to wire
values. Per client-owned field: only the device changed it -> apply; only the server changed
it -> keep; both changed it the same way -> nothing to do; both changed it differently -> a
true conflict, settled by the field's policy and reported. Server-owned fields are never
read from the device. Conflicts are detected on client-owned fields only, never on
``updatedAt``: the client's stale stamp after an accepted push would make false conflicts.

A device without a base (a create, or a create retried after its answer was lost) has no
common ancestor: where it differs from an existing master, every difference is a conflict.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import literal

from sync.declaration import Field, Kind, Policy
from sync.values import canonical, same

DELETED = Field(wire="deleted", kind=Kind.BOOL, read=lambda: literal(False))
TEXT_SEPARATOR = "\n\n—— "
"""Between the server's text and the device's when both are kept (policy KEEP_BOTH_TEXT)."""

_UNKNOWN = object()
AUTO_SETTLED = frozenset({Policy.SET_UNION, Policy.KEEP_BOTH_TEXT})


@dataclass(frozen=True)
class FieldConflict:
    """A true conflict: what each side had, and what the merge kept (``result``).

    ``settled`` is True when the policy kept both sides' intent (a union, both texts); an
    unsettled one waits in the inbox for a person, who may still pick the other value.
    """

    field: str
    policy: Policy
    base: Any
    server: Any
    device: Any
    result: Any
    settled: bool


@dataclass(frozen=True)
class Merge:
    """What to write (``changes``: wire name -> value) and what to report.

    ``taken_as_sent``: the device's client-owned fields already equal the master, so the push
    is a retry (or a no-op) and nothing is written.
    """

    changes: dict[str, Any] = field(default_factory=dict)
    conflicts: tuple[FieldConflict, ...] = ()
    taken_as_sent: bool = False
    create: bool = False


def _value(doc: Mapping[str, Any] | None, spec: Field, *, normalized: bool = True) -> Any:
    """The field's comparable value; ``normalized`` brings it to the form the server stores
    (a phone with spaces equals the stored one), so a retry of a normalised write is no
    change."""
    if doc is None:
        return _UNKNOWN
    value = doc.get(spec.wire)
    if spec.wire == "deleted":
        return bool(value)
    if normalized and spec.normalize is not None and value is not None:
        # an invalid value compares as sent; the writer will refuse it
        with contextlib.suppress(Exception):
            value = spec.normalize(value)
    return canonical(spec.kind, value)


def _equal(spec: Field, left: Any, right: Any) -> bool:
    if left is _UNKNOWN or right is _UNKNOWN:
        return False
    return same(spec.kind, left, right)


def union_of_sets(base: Any, server: Any, device: Any) -> list[str]:
    """Additions from either side are kept; a removal by either side is applied."""
    b = set() if base is _UNKNOWN or base is None else set(base)
    s, d = set(server or ()), set(device or ())
    return sorted((b & s & d) | (s - b) | (d - b))


def both_texts(server: Any, device: Any) -> str:
    """The server's text, then the device's; a device text already in it is not added twice
    (a retried push must not append it again)."""
    server_text, device_text = str(server or ""), str(device or "")
    if not device_text or device_text in server_text:
        return server_text
    if not server_text:
        return device_text
    return f"{server_text}{TEXT_SEPARATOR}{device_text}"


def _settle(spec: Field, base: Any, server: Any, device: Any) -> Any:
    if spec.policy is Policy.DEVICE_WINS:
        return device
    if spec.policy is Policy.SET_UNION:
        return union_of_sets(base, server, device)
    if spec.policy is Policy.KEEP_BOTH_TEXT:
        return both_texts(server, device)
    return server


def _shown(value: Any) -> Any:
    return None if value is _UNKNOWN else value


def merge(
    fields: Sequence[Field],
    base: Mapping[str, Any] | None,
    master: Mapping[str, Any] | None,
    device: Mapping[str, Any],
) -> Merge:
    """Merge one pushed row; ``fields`` are the collection's client-owned fields."""
    specs = [*fields, DELETED]
    if master is None:
        return Merge(changes={s.wire: _value(device, s) for s in specs}, create=True)
    if all(_equal(s, _value(device, s), _value(master, s)) for s in specs):
        return Merge(taken_as_sent=True)
    server_deleted = bool(master.get("deleted")) and not (base or {}).get("deleted")
    changes: dict[str, Any] = {}
    conflicts: list[FieldConflict] = []
    for spec in specs:
        b, m, d = _value(base, spec), _value(master, spec), _value(device, spec)
        if _equal(spec, d, m) or _equal(spec, d, b):
            continue  # nobody changed it, both the same way, or only the server
        if _equal(spec, m, b) and not server_deleted:
            changes[spec.wire] = d  # only the device changed it
            continue
        if server_deleted:
            # Edited on the phone, deleted on the server: the deletion stands, the edit is kept
            # in the inbox so that a person can bring the document back with it.
            conflicts.append(
                FieldConflict(spec.wire, Policy.SERVER_WINS, _shown(b), m, d, m, False)
            )
            continue
        result = _settle(spec, b, m, d)
        if spec.policy in AUTO_SETTLED and _equal(spec, canonical(spec.kind, result), m):
            continue  # the master already holds both sides' intent (a retry of a merge)
        if not _equal(spec, canonical(spec.kind, result), m):
            changes[spec.wire] = result
        conflicts.append(
            FieldConflict(
                spec.wire, spec.policy, _shown(b), m, d, result, spec.policy in AUTO_SETTLED
            )
        )
    return Merge(changes=changes, conflicts=tuple(conflicts))


_SCALARS = frozenset({str, bool, float, type(None)})


def _plainly_equal(left: Any, right: Any) -> bool:
    """Equal as they are, so equal in canonical form too: the same scalar type (a NaN is not
    equal to itself, as in ``same``) or lists of the same strings. Most of a push's rows are
    taken as sent, and ``canonical`` for each of their fields cost more than the merge."""
    kind = type(left)
    if kind is not type(right) or left != right:
        return False
    return kind in _SCALARS or (kind is list and all(type(item) is str for item in left))


def differs(fields: Sequence[Field], master: Mapping[str, Any], device: Mapping[str, Any]) -> bool:
    """Whether the master differs from what the device sent in a client-owned field: only
    then is the master sent back (answering runs the client's conflict handler)."""
    return any(
        not _plainly_equal(device.get(s.wire), master.get(s.wire))
        and not _equal(s, _value(device, s, normalized=False), _value(master, s, normalized=False))
        for s in (*fields, DELETED)
    )

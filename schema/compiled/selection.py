"""A selection set as the compiled path reads it: response keys in order, fragments spread.

The general executor merges fields that share a response key, applies ``@skip``/``@include``
and picks fragments by the runtime type. The compiled path keeps to what it can answer
exactly: a selection set whose keys are all different once fragments are spread (inline
fragments and named ones, on the object's own type or on the union it is returned as), with
no directives. Anything else raises ``Declined``, and the general executor answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
)


class Declined(Exception):
    """The general executor answers this request (the compiled path has no exact answer)."""


@dataclass(frozen=True)
class Picked:
    """One entry of the response object: its key, the schema field, the field's node."""

    key: str
    name: str
    node: FieldNode


def picked(
    selection_set: SelectionSetNode | None,
    type_names: frozenset[str],
    fragments: Mapping[str, FragmentDefinitionNode],
) -> list[Picked]:
    """The fields selected on an object of ``type_names`` (its type and its unions)."""
    if selection_set is None:
        raise Declined
    found: list[Picked] = []
    _walk(selection_set, type_names, fragments, found, set())
    keys = [entry.key for entry in found]
    if len(set(keys)) != len(keys):
        raise Declined
    return found


def _walk(
    selection_set: SelectionSetNode,
    type_names: frozenset[str],
    fragments: Mapping[str, FragmentDefinitionNode],
    found: list[Picked],
    spreading: set[str],
) -> None:
    for selection in selection_set.selections:
        if selection.directives:
            raise Declined
        if isinstance(selection, FieldNode):
            key = selection.alias.value if selection.alias else selection.name.value
            found.append(Picked(key, selection.name.value, selection))
        elif isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition
            if condition is None or condition.name.value in type_names:
                _walk(selection.selection_set, type_names, fragments, found, spreading)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is None or name in spreading:
                raise Declined
            if fragment.type_condition.name.value in type_names:
                _walk(fragment.selection_set, type_names, fragments, found, spreading | {name})

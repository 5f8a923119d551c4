"""What validating a document may cost, bounded before graphql-core validates it.

graphql-core's ``OverlappingFieldsCanBeMergedRule`` compares every pair of fields that land
under one response name, recursively: ``{ viewer { accountId } ... }`` repeated 495 times
(10 KB, well inside the token limit) took 6-8 s of the event loop. Two steps make that cost
small and known before validation starts:

- ``collapse``: identical sibling selections (same alias, name, arguments, directives and,
  recursively, the same sub-selection) are one selection by GraphQL's own field-merging
  rule, so all but the first are dropped. Execution and validation of the collapsed document
  are those of the original (an error the copies shared is reported once, not n times).
- ``measure``: with fragments expanded, count the selections, and for each group of fields
  merged under one response path the pairs the rule compares (``n²``). Past the limits the
  document is refused with ``too_complex`` and never validated.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    print_ast,
)

from domain.i18n import N_, render

TOO_MANY_SELECTIONS = N_("the operation selects more than {limit} fields, fragments expanded")
TOO_MANY_OVERLAPS = N_(
    "the operation selects fields under the same name too often: {found} pairs to compare, "
    "at most {limit}"
)
CODE = "QUERY_TOO_COMPLEX"


@dataclass(frozen=True)
class SelectionLimits:
    max_selections: int = 1_000
    """Fields, inline fragments and spreads of one operation or fragment, fragments expanded."""
    max_overlaps: int = 10_000
    """Pairs of same-named fields the overlap rule may compare (about 5 µs each here)."""


class _Collapser:
    """Rebuilds the document bottom-up, giving each distinct selection a small integer."""

    def __init__(self) -> None:
        self.ids: dict[tuple[Any, ...], int] = {}

    def ident(self, key: tuple[Any, ...]) -> int:
        return self.ids.setdefault(key, len(self.ids))

    def selection_set(self, node: SelectionSetNode) -> tuple[SelectionSetNode, tuple[int, ...]]:
        kept: list[Any] = []
        idents: list[int] = []
        seen: set[int] = set()
        changed = False
        for selection in node.selections:
            rebuilt, ident = self.selection(selection)
            if ident in seen:
                changed = True
                continue
            seen.add(ident)
            kept.append(rebuilt)
            idents.append(ident)
            changed = changed or rebuilt is not selection
        return (replace(node, selections=tuple(kept)) if changed else node), tuple(idents)

    def selection(self, node: Any) -> tuple[Any, int]:
        directives = tuple(print_ast(d) for d in node.directives or ())
        if isinstance(node, FragmentSpreadNode):
            return node, self.ident(("...", node.name.value, directives))
        children: tuple[int, ...] | None = None
        rebuilt = node
        if node.selection_set is not None:
            selection_set, children = self.selection_set(node.selection_set)
            if selection_set is not node.selection_set:
                rebuilt = replace(node, selection_set=selection_set)
        if isinstance(node, InlineFragmentNode):
            condition = node.type_condition.name.value if node.type_condition else None
            return rebuilt, self.ident(("on", condition, directives, children))
        alias = node.alias.value if node.alias else None
        arguments = tuple(print_ast(a) for a in node.arguments or ())
        return rebuilt, self.ident((alias, node.name.value, arguments, directives, children))


def collapse(document: DocumentNode) -> DocumentNode:
    """``document`` without identical sibling selections (the same object if it has none)."""
    collapser = _Collapser()
    definitions: list[Any] = []
    changed = False
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode | FragmentDefinitionNode):
            selection_set, _ = collapser.selection_set(definition.selection_set)
            if selection_set is not definition.selection_set:
                definition = replace(definition, selection_set=selection_set)
                changed = True
        definitions.append(definition)
    return replace(document, definitions=tuple(definitions)) if changed else document


class _TooMany(Exception):
    pass


class _Measure:
    """Walks one definition with fragments expanded, counting selections and merged groups."""

    def __init__(self, fragments: dict[str, FragmentDefinitionNode], limit: int) -> None:
        self.fragments = fragments
        self.limit = limit
        self.selections = 0
        self.groups: dict[tuple[int, str], list[int]] = {}

    def walk(self, node: SelectionSetNode, group: int, spreads: frozenset[str]) -> None:
        for selection in node.selections:
            self.selections += 1
            if self.selections > self.limit:
                raise _TooMany
            if isinstance(selection, FieldNode):
                key = (selection.alias or selection.name).value
                entry = self.groups.setdefault((group, key), [len(self.groups) + 1, 0])
                entry[1] += 1
                if selection.selection_set is not None:
                    self.walk(selection.selection_set, entry[0], spreads)
            elif isinstance(selection, InlineFragmentNode):
                self.walk(selection.selection_set, group, spreads)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is not None and name not in spreads:  # a cycle is validation's
                    self.walk(fragment.selection_set, group, spreads | {name})

    @property
    def overlaps(self) -> int:
        return sum(count * count for _, count in self.groups.values())


def too_complex(document: DocumentNode, limits: SelectionLimits) -> GraphQLError | None:
    """Why validating ``document`` (collapsed) would cost too much, or None."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    overlaps = 0
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode | FragmentDefinitionNode):
            continue
        measure = _Measure(fragments, limits.max_selections)
        try:
            measure.walk(definition.selection_set, 0, frozenset())
        except _TooMany:
            return _error(TOO_MANY_SELECTIONS, limit=limits.max_selections)
        overlaps += measure.overlaps
    if overlaps > limits.max_overlaps:
        return _error(TOO_MANY_OVERLAPS, found=overlaps, limit=limits.max_overlaps)
    return None


def _error(template: str, **params: int) -> GraphQLError:
    """In English: ``schema.error_policy`` renders it in the reader's language."""
    return GraphQLError(render(template, params, "en"), extensions={"code": CODE, **params})

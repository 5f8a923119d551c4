"""Hypothesis strategies for GraphQL query documents over the real schema.

The differential test (``test_compiled_reads_differential.py``) needs operations that the
compiled read path answers and operations it must hand over, in the shapes clients send and
in shapes nobody plans for. So the documents are drawn from the schema itself (graphql-core's
types behind strawberry), starting at the compiled roots: subsets of each type's fields in
any order, nested objects and connections as deep as a limit drawn per operation, arguments
as literals or as variables (with defaults, or left out), ``first``/``after`` with cursors
taken from earlier responses and bogus ones, the roots' filters, aliases (colliding ones
too), ``__typename``, inline and named fragments (on the type, on its result union, on the
error interface, without a type condition), and now and then something invalid: a field
that does not exist, a wrong argument or variable type, a missing required argument, a
directive, an unused variable or fragment, an unknown operation name.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
    get_nullable_type,
    is_leaf_type,
)
from hypothesis import strategies as st

ROOTS = ("residents", "households", "grids", "resident", "household", "grid", "viewer")
"""The root fields the compiled path answers (``schema.compiled.roots``)."""

OTHER_ROOTS = (
    "coverage { covered }",
    "residentTags",
    "posts { id role }",
    "__schema { queryType { name } }",
    '__type(name: "Resident") { name }',
)
"""Root fields it leaves to the general executor: beside a compiled one they hand over the
whole operation."""

ODD_FIELDS = ("nosuchField", "nosuchField { id }", "id(first: 1)", "__typename @skip(if: false)")
BY_ID = {"resident": "Resident", "household": "Household", "grid": "Grid"}


@dataclass(frozen=True)
class Values:
    """What arguments may name: ids by type (and ``unknown``), valid cursors by the list
    that issued them (``residents``, ``households``), tags, searches."""

    ids: Mapping[str, Sequence[str]]
    cursors: Mapping[str, Sequence[str]]
    tags: Sequence[str]
    searches: Sequence[str]


@dataclass(frozen=True)
class Operation:
    query: str
    variables: dict[str, Any]
    operation_name: str | None = None

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"query": self.query, "variables": self.variables}
        if self.operation_name is not None:
            body["operationName"] = self.operation_name
        return body


def bogus_cursors(valid: Sequence[str]) -> list[str]:
    """Cursors no server issued, and valid ones bent: truncated, lower case, padded."""
    found = [
        "zz",
        "",
        "5B5D",
        json.dumps(["a"]).encode().hex().upper(),
        json.dumps(["x", "y", "z"]).encode().hex().upper(),
        json.dumps(["1", "a", "not-a-uuid"]).encode().hex().upper(),
        json.dumps({"a": 1}).encode().hex().upper(),
    ]
    for cursor in list(valid)[:3]:
        found += [cursor[:-2], cursor.lower(), cursor + "00"]
    return found


@st.composite
def operations(draw: Any, schema: GraphQLSchema, values: Values) -> Operation:
    """Query documents rooted at the compiled roots, with their variables."""
    return _Builder(draw, schema, values).build()


@dataclass
class _Builder:
    drawing: Any
    schema: GraphQLSchema
    values: Values
    definitions: list[str] = field(default_factory=list)
    variables: dict[str, Any] = field(default_factory=dict)
    fragments: list[str] = field(default_factory=list)
    limit: int = 5
    odd: bool = False
    """Whether this operation may hold invalid parts (about one in six does)."""

    def draw(self, strategy: st.SearchStrategy[Any]) -> Any:
        return self.drawing(strategy)

    def chance(self, p: float) -> bool:
        """True with probability about ``p``, shrinking to False (a range this small is drawn
        about uniformly; a wide one leans towards its lower end)."""
        return bool(self.draw(st.integers(0, 199)) >= round((1 - p) * 200))

    def oddly(self, p: float) -> bool:
        """``chance(p)`` in an operation drawn to hold invalid parts, else False."""
        return self.odd and self.chance(p)

    def pick(self, items: Sequence[Any]) -> Any:
        return self.draw(st.sampled_from(list(items)))

    def build(self) -> Operation:
        self.limit = self.pick([2, 3, 4, 5, 6, 8, 11])
        self.odd = self.chance(0.17)
        query = self.schema.query_type
        assert query is not None
        names = self.draw(st.lists(st.sampled_from(ROOTS), min_size=1, max_size=3, unique=True))
        parts = [self.field(query, name, 0) for name in names]
        if self.chance(0.15):
            parts.insert(self.draw(st.integers(0, len(parts))), "__typename")
        if self.chance(0.04):
            parts.append(self.pick(OTHER_ROOTS))
        parts = self.wrap(parts, "Query")
        name = self.pick([None, None, "Q", "Registry"])
        if self.oddly(0.2):
            self.definitions.append("$unused: Int")
        if self.oddly(0.2):
            self.fragments.append("fragment Unused on Resident { id }")
        head = ""
        if name or self.definitions or self.chance(0.3):
            defined = f"({', '.join(self.definitions)})" if self.definitions else ""
            head = f"query {name or ''}{defined} "
        text = head + "{ " + " ".join(parts) + " }" + "".join(f"\n{f}" for f in self.fragments)
        asked = name if name and self.chance(0.5) else None
        if self.oddly(0.1):
            asked = "Other"
        return Operation(text, self.variables, asked)

    # -- selections --------------------------------------------------------------------

    def field(self, parent: GraphQLObjectType, name: str, depth: int) -> str:
        definition = parent.fields[name]
        alias = ""
        if self.chance(0.15):
            colliding = self.chance(0.15)  # one key for two fields: merged, or a conflict
            alias = self.pick(["a", "b", name] if colliding else [f"{name}2", f"x_{name}"])
            alias += ": "
        arguments = self.arguments(name, definition)
        named = get_named_type(definition.type)
        if is_leaf_type(named):
            return f"{alias}{name}{arguments}"
        return f"{alias}{name}{arguments} {self.selection_set(named, depth + 1)}"

    def selection_set(self, kind: Any, depth: int) -> str:
        if isinstance(kind, GraphQLUnionType):
            return self.union(kind, depth)
        assert isinstance(kind, GraphQLObjectType)
        names = sorted(kind.fields)
        leaves = [n for n in names if is_leaf_type(get_named_type(kind.fields[n].type))]
        chosen = [name for name in leaves if self.chance(0.45)]
        if depth < self.limit:
            # a connection and its edges exist for what they hold; elsewhere, fewer levels
            wide = kind.name.endswith(("Connection", "Edge"))
            p = 0.75 if wide else 0.45 if depth <= 2 else 0.25
            chosen += [name for name in names if name not in leaves and self.chance(p)]
        if not chosen:
            chosen = [self.pick(leaves or names)]
        if self.chance(0.5):
            chosen = list(self.draw(st.permutations(chosen)))
        parts = [self.field(kind, name, depth) for name in chosen]
        if self.chance(0.15):
            parts.insert(self.draw(st.integers(0, len(parts))), "__typename")
        if self.oddly(0.1):
            parts.append(self.pick(ODD_FIELDS))
        if self.oddly(0.05) or self.chance(0.005):
            parts.append(self.pick(leaves) + " @include(if: true)" if leaves else "__typename")
        if self.oddly(0.05) or self.chance(0.005):
            parts.append(self.pick(parts))  # the same selection twice: merged
        return "{ " + " ".join(self.wrap(parts, kind.name)) + " }"

    def union(self, kind: GraphQLUnionType, depth: int) -> str:
        main = next(t for t in kind.types if "Error" not in t.name)
        inner = self.selection_set(main, depth)
        parts = [f"...{self.fragment(main.name, inner)}" if self.chance(0.3) else None]
        if parts[0] is None:
            parts = [f"... on {main.name} {inner}"]
        if self.chance(0.3):
            parts.append("__typename")
        if self.chance(0.3):
            parts.append("... on Error { code message }")
        if self.chance(0.1):
            parts.append(f"... on {self.pick([t.name for t in kind.types])} {{ __typename }}")
        if self.oddly(0.05):
            parts.append("... on Household { id }")  # not a member of every union: invalid
        order = self.draw(st.permutations(parts))
        return "{ " + " ".join(self.wrap(order, kind.name)) + " }"  # fragments on the union

    def wrap(self, parts: list[str], type_name: str) -> list[str]:
        """Some of ``parts`` moved into an inline or named fragment at their place."""
        if len(parts) < 2 or not self.chance(0.3):
            return parts
        start = self.draw(st.integers(0, len(parts) - 1))
        end = self.draw(st.integers(start + 1, len(parts)))
        inner = "{ " + " ".join(parts[start:end]) + " }"
        how = self.pick(["on", "bare", "named"])
        if how == "on":
            wrapped = f"... on {type_name} {inner}"
        elif how == "bare":
            wrapped = f"... {inner}"
        else:
            wrapped = f"...{self.fragment(type_name, inner)}"
        return [*parts[:start], wrapped, *parts[end:]]

    def fragment(self, type_name: str, inner: str) -> str:
        name = f"F{len(self.fragments) + 1}"
        self.fragments.append(f"fragment {name} on {type_name} {inner}")
        return name

    # -- arguments ---------------------------------------------------------------------

    def arguments(self, field_name: str, definition: GraphQLField) -> str:
        given: list[str] = []
        for name, argument in definition.args.items():
            required = isinstance(argument.type, GraphQLNonNull)
            if self.oddly(0.05) if required else not self.chance(0.5):
                continue
            given.append(f"{name}: {self.argument(field_name, name, argument)}")
        if self.oddly(0.05):
            given.append("bogus: 1")
        return f"({', '.join(given)})" if given else ""

    def argument(self, field_name: str, name: str, argument: GraphQLArgument) -> str:
        value = self.value(field_name, name, argument.type)
        if not self.chance(0.3):
            if self.oddly(0.05):
                return self.pick(['"5"', "5", "true", "{a: 1}", "[1]"])  # maybe the wrong type
            return _literal(value)
        variable = f"v{len(self.definitions) + 1}"
        declared = str(argument.type)
        if self.oddly(0.1):
            nullable = str(get_nullable_type(argument.type))
            declared = self.pick(["String", "Int", "Boolean", "UUID", nullable])
        default = ""
        if self.chance(0.1) and not declared.endswith("!"):
            default = f" = {_literal(value)}"
        elif not self.oddly(0.2):
            self.variables[variable] = value
        elif self.chance(0.5):
            self.variables[variable] = self.pick(["x", 5, True, None, {"a": 1}])
        self.definitions.append(f"${variable}: {declared}{default}")
        return f"${variable}"

    def value(self, field_name: str, name: str, kind: GraphQLInputType) -> Any:
        named = get_named_type(kind)
        if name == "first":
            return self.draw(
                st.one_of(st.sampled_from([0, 1, 2, 3, 5, 20, 100]), st.integers(-3, 120))
            )
        if name == "after":
            own = "residents" if field_name == "residents" else "households"
            kinds = sorted(self.values.cursors)
            issued = own if not self.chance(0.1) else self.pick(kinds)  # another list's
            valid = self.values.cursors.get(issued, ())
            if valid and not self.chance(0.15):
                return self.pick(valid)
            return self.pick([None, *bogus_cursors(valid)])
        if isinstance(named, GraphQLInputObjectType):
            return {
                key: self.value(field_name, key, inner.type)
                for key, inner in named.fields.items()
                if self.chance(0.35)
            }
        if name in ("id", "gridId", "householdId"):
            wanted = BY_ID.get(field_name, "Grid" if name == "gridId" else "Household")
            kind_name = wanted if self.chance(0.8) else self.pick(sorted(self.values.ids))
            if self.oddly(0.05):
                return self.pick(["not-a-uuid", ""])
            found = self.pick(self.values.ids[kind_name])
            return found.upper() if self.chance(0.05) else found
        if name == "tag":
            return self.pick([None, *self.values.tags])
        if name == "search":
            return self.pick([None, *self.values.searches])
        if named.name == "Boolean":
            return self.pick([True, False, None])
        if named.name == "Int":
            return self.draw(st.integers(-3, 120))
        return self.pick(["", "x"])


def _literal(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_literal(v)}" for k, v in value.items()) + "}"
    return "[" + ", ".join(_literal(v) for v in value) + "]"

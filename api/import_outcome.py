"""What a set-up import (grids, staff) says about each row, and its all-or-nothing rule.

A dry run and a real import run the same code in the same transaction; the dry run, or any
refused row, rolls everything back (``ImportRolledBack``). So the preview shows exactly what
applying the file would do, and a file with one bad row leaves the database as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from domain.errors import DomainError, InvalidInput
from domain.i18n import N_, render

CREATE = "create"
UNCHANGED = "unchanged"
REFUSED = "refused"


class Outcome(StrEnum):
    CREATE = CREATE
    UNCHANGED = UNCHANGED
    REFUSED = REFUSED


@dataclass(frozen=True)
class Summary:
    """A message template (``N_``) and its parameters, rendered in the reader's language."""

    template: str
    params: dict[str, Any] = field(default_factory=dict)

    def render(self, language: str) -> str:
        return render(self.template, self.params, language)


@dataclass(frozen=True)
class RowOutcome:
    line: int
    outcome: Outcome
    summary: list[Summary]
    reason: DomainError | None = None

    def as_json(self, language: str) -> dict[str, Any]:
        return {
            "line": self.line,
            "outcome": self.outcome.value,
            "summary": "；".join(part.render(language) for part in self.summary),
            "reason": self.reason.render(language) if self.reason else None,
        }


@dataclass(frozen=True)
class NewAccount:
    """Its initial password lives only here, in memory, until the result is shown once."""

    username: str
    display_name: str
    initial_password: str


@dataclass
class ImportResult:
    rows: list[RowOutcome] = field(default_factory=list)
    accounts: list[NewAccount] = field(default_factory=list)
    applied: bool = False

    def counts(self) -> dict[str, int]:
        return {o.value: sum(r.outcome is o for r in self.rows) for o in Outcome}

    @property
    def refused(self) -> list[RowOutcome]:
        return [row for row in self.rows if row.outcome is Outcome.REFUSED]

    def as_json(self, language: str) -> dict[str, Any]:
        return {
            "rows": [row.as_json(language) for row in self.rows],
            "counts": self.counts(),
            "applied": self.applied,
            "accounts": [
                {
                    "username": a.username,
                    "displayName": a.display_name,
                    "initialPassword": a.initial_password,
                }
                for a in self.accounts
            ],
        }


def as_column(error: DomainError, columns: dict[str, str]) -> DomainError:
    """A service's input error named by the spreadsheet's column (网格, not ``name``)."""
    if isinstance(error, InvalidInput) and error.field in columns:
        error.field = columns[error.field]
    return error


class ImportRolledBack(DomainError):
    """Raised inside the transaction so that a dry run or a refused row writes nothing."""

    code = "IMPORT_ROLLED_BACK"

    def __init__(self, result: ImportResult) -> None:
        super().__init__(N_("nothing was imported"))
        self.result = result

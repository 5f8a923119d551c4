"""The committed ``schema.graphql`` is what the server serves: clients generate code from it."""

from __future__ import annotations

from pathlib import Path

from schema import schema

SDL = Path(__file__).resolve().parents[2] / "schema.graphql"
REGENERATE = "strawberry export-schema schema:schema --output schema.graphql"


def test_committed_sdl_matches_the_schema() -> None:
    committed = SDL.read_text(encoding="utf-8").strip()
    assert committed == schema.as_str().strip(), f"schema.graphql is stale; run: {REGENERATE}"

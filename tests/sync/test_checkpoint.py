"""Checkpoints: what the server hands out comes back intact; anything else is refused."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync.checkpoint import Checkpoint, decode
from sync.errors import BadCheckpoint

prints = st.text(alphabet="0123456789abcdef", min_size=1, max_size=32)
checkpoints = st.builds(
    Checkpoint,
    position=st.integers(0, 2**53 - 1),
    last_id=st.one_of(st.just(""), st.uuids().map(str)),
    scope=prints,
) | st.builds(
    Checkpoint,
    position=st.integers(0, 2**53 - 1),
    last_id=st.uuids().map(str),
    scope=prints,
    held=prints,
    base=st.integers(0, 2**40),
    target=prints,
)


@given(checkpoints)
def test_a_checkpoint_survives_the_round_trip_through_the_client(cp: Checkpoint) -> None:
    assert decode(*cp.wire()) == cp


@pytest.mark.parametrize(
    ("identifier", "updated_at"),
    [
        ("", 1.0),
        ("not-a-uuid~all", 1.0),
        (f"{uuid.uuid4()}~ALL CAPS", 1.0),
        (f"{uuid.uuid4()}~all", 1.5),
        (f"{uuid.uuid4()}~all", -1.0),
        (f"{uuid.uuid4()}~all~x~notanumber~all", 1.0),
    ],
)
def test_a_checkpoint_this_server_never_issued_is_refused(
    identifier: str, updated_at: float
) -> None:
    with pytest.raises(BadCheckpoint):
        decode(identifier, updated_at)

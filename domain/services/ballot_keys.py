"""The voter's secret and the two unmatched hashes of it (see ``domain.services.ballots``)."""

from __future__ import annotations

import hashlib
import secrets
import uuid

TOKEN_MAX = 100


def new_voter_secret() -> str:
    return secrets.token_urlsafe(32)


def _digest(purpose: str, secret: str) -> str:
    return hashlib.sha256(f"changlang:{purpose}:{secret}".encode()).hexdigest()


def receipt_of(secret: str) -> str:
    return _digest("receipt", secret)


def new_commitment_salt() -> str:
    return secrets.token_hex(32)


def commitment_of(salt: str, receipt: str) -> str:
    """What the published list holds for a receipt: ``sha256("changlang:commitment:" + salt +
    ":" + receipt)``. The salt is random and shown only to the voter, so nobody holding
    receipts (a recorder who printed a slip, a landlord who demanded one) can find them in
    the list, or line the list up with anything; the voter, given receipt and salt, can."""
    return _digest("commitment", f"{salt}:{receipt}")


def change_key_of(secret: str) -> str:
    return _digest("change", secret)


def open_change_key(vote_id: uuid.UUID, voter_key: str) -> str:
    """An open ballot names its voter anyway; its change key just makes the index unique."""
    return _digest("open", f"{vote_id}:{voter_key}")


def holds_secret(token: str | None, receipt: str) -> bool:
    """Whether ``token`` is the secret behind ``receipt`` (the voter's slip or first cast)."""
    return token is not None and len(token) <= TOKEN_MAX and receipt_of(token) == receipt

"""Secrets users hold: memory-hard password hashes, one-time login codes, refresh tokens.

Only hashes are stored. Refresh tokens and codes are long random strings, so one fast
SHA-256 suffices for them; passwords are chosen by people and get argon2id.

Argon2 is meant to be slow (about 0.1 s and 64 MiB a hash): async code calls the ``*_off_loop``
forms, which run it in a worker thread (argon2-cffi releases the GIL), so a burst of logins
does not stall every other request of the process.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from domain.errors import InvalidInput
from domain.i18n import N_

PASSWORD_MIN = 10
PASSWORD_MAX = 200
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud, typed on a phone
CODE_LENGTH = 10

_hasher = PasswordHasher()
# A hash to verify against when the user is unknown, so timing does not reveal usernames.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def use_fast_password_hashing() -> None:
    """Cheap argon2 parameters for tests and demo data only, never for a real server."""
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    _DUMMY_HASH = _hasher.hash("dummy-password")


def check_password_strength(password: str) -> str:
    if len(password) < PASSWORD_MIN:
        raise InvalidInput(
            "password", N_("must be at least {count} characters"), count=PASSWORD_MIN
        )
    if len(password) > PASSWORD_MAX:
        raise InvalidInput("password", N_("must be at most {count} characters"), count=PASSWORD_MAX)
    return password


def hash_password(password: str) -> str:
    return _hasher.hash(check_password_strength(password))


def verify_password(stored_hash: str | None, password: str) -> bool:
    if len(password) > PASSWORD_MAX:
        return False
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def hash_password_off_loop(password: str) -> str:
    return await asyncio.to_thread(hash_password, password)


async def verify_password_off_loop(stored_hash: str | None, password: str) -> bool:
    return await asyncio.to_thread(verify_password, stored_hash, password)


def new_login_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def normalize_login_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()

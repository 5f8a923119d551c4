"""Personal data (PIPL): validation, encryption at rest, keyed look-up hashes and masking.

ID numbers are never stored in clear: a Fernet ciphertext keeps the value, an HMAC of it
serves de-duplication and look-up, and a masked copy (``120104********1234``) serves lists.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken

from domain.errors import InvalidInput
from domain.i18n import N_

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# ASCII digits only: ``\d`` also matches full-width and other scripts' digits, which would
# store a second, differently hashed spelling of a number and slip past de-duplication.
_ID_PATTERN = re.compile(r"^[0-9]{17}[0-9X]$")
_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
_LANDLINE = re.compile(r"^0[0-9]{2,3}-?[0-9]{7,8}$")


def id_number_check_digit(first17: str) -> str:
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def normalize_id_number(raw: str) -> str:
    """A valid 18-character resident ID number (GB 11643), upper-cased, or ``InvalidInput``."""
    value = raw.strip().upper()
    if not _ID_PATTERN.match(value) or id_number_check_digit(value[:17]) != value[17]:
        raise InvalidInput("idNumber", N_("not a valid 18-character resident ID number"))
    return value


def normalize_phone(raw: str) -> str:
    value = re.sub(r"[\s()]", "", raw.strip())
    if not (_MOBILE.match(value) or _LANDLINE.match(value)):
        raise InvalidInput("phone", N_("not a mobile (11 digits) or landline number"))
    return value


def mask_id_number(value: str) -> str:
    return f"{value[:6]}{'*' * 8}{value[-4:]}"


def mask_phone(value: str) -> str:
    """138****8888 for eleven ASCII digits (as ``domain.json_sql.masked_phone`` reads them in
    SQL: ``isdigit`` alone would take fullwidth or other scripts' digits for a mobile)."""
    if len(value) == 11 and value.isascii() and value.isdigit():
        return f"{value[:3]}****{value[-4:]}"
    return f"{value[:-4]}****" if len(value) > 4 else "****"


def mask_name(value: str) -> str:
    """张三 -> 张*, as public notices print it."""
    return f"{value[:1]}{'*' * max(1, len(value) - 1)}" if value else value


@dataclass(frozen=True)
class PersonalDataCipher:
    """Keys derived from one configured secret: one to encrypt, another to hash."""

    secret: str

    def _key(self, purpose: bytes) -> bytes:
        return hmac.new(self.secret.encode(), purpose, hashlib.sha256).digest()

    @property
    def _fernet(self) -> Fernet:
        return Fernet(base64.urlsafe_b64encode(self._key(b"changlang:pii:encrypt")))

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise RuntimeError("personal data key does not match the stored data") from exc

    def lookup_hash(self, value: str) -> str:
        return hmac.new(self._key(b"changlang:pii:lookup"), value.encode(), "sha256").hexdigest()

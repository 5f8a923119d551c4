"""Text that is not Unicode: a lone surrogate, half of a character pair.

JSON may carry ``"\\ud800"`` (an escape for half of a UTF-16 pair, as a phone's text cut in
the middle of an emoji gives), and Python decodes it into a ``str`` that UTF-8 cannot
encode: PostgreSQL refuses it, SQLite's driver fails on it, argon2 and orjson raise on it.
Such text is refused where it enters (the GraphQL ``String`` scalar, a pushed row); what
must be kept or logged anyway (the row as a phone sent it, a log line) is ``escaped``:
each lone surrogate written out as the six characters ``\\ud800``, still showing what came.
"""

from __future__ import annotations

from typing import Any

import orjson

from domain.errors import InvalidInput
from domain.i18n import N_

Path = list[str | int]


def is_unicode(value: str) -> bool:
    """False when ``value`` holds a lone surrogate (it cannot be written as UTF-8)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def all_unicode(value: Any) -> bool:
    """Whether every text in a JSON value is Unicode: orjson's C check first (it refuses lone
    surrogates, and numbers past 64 bits, which the walk then looks at)."""
    try:
        orjson.dumps(value)
    except TypeError:
        return first_invalid(value) is None
    return True


def escaped(value: str) -> str:
    """``value`` with every lone surrogate written out as ``\\udXXX`` (valid text)."""
    return value if is_unicode(value) else value.encode("utf-8", "backslashreplace").decode()


def first_invalid(value: Any, path: Path | None = None) -> Path | None:
    """Where in a JSON value (keys included) the first text that is not Unicode is, or None."""
    path = path or []
    if isinstance(value, str):
        return None if is_unicode(value) else path
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and not is_unicode(key):
                return [*path, escaped(key)]
            found = first_invalid(item, [*path, key])
            if found is not None:
                return found
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = first_invalid(item, [*path, index])
            if found is not None:
                return found
    return None


def escaped_json(value: Any) -> Any:
    """A JSON value with every text in it (keys included) ``escaped``."""
    if isinstance(value, str):
        return escaped(value)
    if isinstance(value, dict):
        return {escaped_json(key): escaped_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [escaped_json(item) for item in value]
    return value


def dotted(path: Path) -> str:
    """``["rows", 0, "text"]`` as ``rows[0].text``: the path as a client would write it."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def not_unicode(field: str) -> InvalidInput:
    """The refusal of text that is not Unicode, on ``field``."""
    return InvalidInput(field, N_("is not valid text: it holds half of a character pair"))

"""Device notices (设备通知) are stored as a message template and its parameters, and read in
the language of the phone that pulls them.

A notice outlives the request that caused it (a refused push is read on the next pull, a
"resync" notice is written by the compaction job with no request at all), so its text cannot
be fixed when it is written. The ``message`` column holds JSON ``{"t": template, "p": params,
"w": names of the word parameters}``; the pull renders it through ``present`` in the pulling
request's ``Accept-Language`` (``domain.i18n.reader_language``). A stored plain text (a notice
written before this format) is passed through as it is.
"""

from __future__ import annotations

import orjson

from domain.errors import DomainError, InvalidInput
from domain.i18n import N_
from domain.stored_text import encode, present

__all__ = ["encode", "encode_error", "present"]


def encode_error(error: DomainError, limit: int) -> str:
    """A refusal's reason as a notice: ``field: message`` for a bad field, as the API says it.

    Over ``limit`` characters (a long parameter), the English text, cut (still readable)."""
    stored = _encode_error(error)
    return stored if len(stored) <= limit else error.message[:limit]


def _encode_error(error: DomainError) -> str:
    if isinstance(error, InvalidInput):
        return orjson.dumps(
            {
                "t": N_("{field}: {message}"),
                "p": {"field": error.field},
                "inner": orjson.loads(encode(error.template, error.params)),
                "w": [],
            }
        ).decode()
    return encode(error.template, error.params)

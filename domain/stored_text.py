"""Text the system writes now and people read later, kept as a template and its parameters.

A topic's history entry (议题进程) or a phone's notice outlives the request that wrote it, so
its words cannot be fixed in one language when it is written. What is stored is JSON
``{"t": template, "p": params, "w": names of the word parameters}``; ``present`` renders it in
the reader's language (``domain.i18n.reader_language``) when it is read. Text a person typed
(a decline's reason, say) and text stored before this format pass through as they are.
"""

from __future__ import annotations

from typing import Any

import orjson

from domain.i18n import Word, reader_language, render


def _plain(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)


def encode(template: str, params: dict[str, Any] | None = None) -> str:
    params = params or {}
    return orjson.dumps(
        {
            "t": template,
            "p": {name: _plain(value) for name, value in params.items()},
            "w": sorted(name for name, value in params.items() if isinstance(value, Word)),
        }
    ).decode()


def _render(stored: dict[str, Any], language: str) -> str:
    words = set(stored.get("w") or ())
    params = {
        name: Word(value) if name in words and isinstance(value, str) else value
        for name, value in (stored.get("p") or {}).items()
    }
    inner = stored.get("inner")
    if isinstance(inner, dict):
        params["message"] = _render(inner, language)
    return render(str(stored["t"]), params, language)


def present(stored: str | None, language: str | None = None) -> str | None:
    """The notice's text in ``language`` (default: the current reader's)."""
    if not stored or not stored.startswith("{"):
        return stored
    try:
        decoded = orjson.loads(stored)
        return _render(decoded, language or reader_language())
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return stored

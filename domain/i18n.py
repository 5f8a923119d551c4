"""The words people read in the reader's language: Chinese (zh) by default, English on request.

The domain speaks English templates (``"this vote opens at {opens_at}"``) with parameters;
``N_`` marks a template for the message catalogs (gettext's "no-op" marker: it returns the
template unchanged, and ``pybabel extract -k N_`` finds it) and the edge renders it with
``render`` in the reader's language. The English template is the message id; the Chinese
text lives in ``domain/locale/zh/LC_MESSAGES/changlang.po`` (a gettext catalog read with
Babel once, at first use). English is the identity: an English reader gets the template.

A parameter that is itself a word a person reads (a status such as "closed", a kind of
record such as "household") is passed as ``word(...)`` and rendered translated too; every
other parameter (a title, a number, a time) is shown as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

DEFAULT_LANGUAGE = "zh"
LANGUAGES = ("zh", "en")
"""What the catalogs hold; ``zh`` (简体中文) for the residents and staff, ``en`` on request."""

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "changlang"


def N_(message: str) -> str:
    """Mark ``message`` as a template to translate later; returns it unchanged."""
    return message


class Word(str):
    """A parameter that is itself a message id (a status, a kind of record): translated when
    rendered. Mark the words themselves with ``N_`` where they are defined."""

    __slots__ = ()


@dataclass(frozen=True)
class Message:
    """A template and its parameters, rendered later in the reader's language (a finding
    that is not an error, such as a problem ``verifyTally`` reports). ``str()`` is English."""

    template: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, language: str) -> str:
        return render(self.template, self.params, language)

    def __str__(self) -> str:
        return self.render("en")


def word(value: str) -> Word:
    return Word(value)


def catalog_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: str) -> Mapping[str, str]:
    """The catalog of ``language`` as msgid -> msgstr (untranslated entries left out)."""
    if language not in LANGUAGES or language == "en":
        return {}
    from babel.messages.pofile import read_po

    with catalog_path(language).open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    return {
        str(m.id): str(m.string)
        for m in catalog
        if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.string
    }


def translate(message: str, language: str) -> str:
    """``message`` (an English template) in ``language``; the English text if it has none."""
    return translations(language).get(message, message)


def render(template: str, params: Mapping[str, Any] | None, language: str) -> str:
    """The template in ``language`` with its parameters filled in (``Word`` ones translated)."""
    text = translate(template, language)
    if not params:
        return text
    values = {
        name: translate(value, language) if isinstance(value, Word) else value
        for name, value in params.items()
    }
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError):
        return template.format(**values)  # a broken translation must not hide the message


def negotiate(accept_language: str | None) -> str:
    """The language of an ``Accept-Language`` header (or ``CHANGLANG_LANGUAGE``): the first
    one we have in the order of the reader's preference (q-values), else Chinese."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    from babel.core import negotiate_locale

    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language[:500].split(",")):
        tag, _, rest = part.strip().partition(";")
        quality = 1.0
        if rest.strip().startswith("q="):
            try:
                quality = float(rest.strip()[2:])
            except ValueError:
                quality = 0.0
        tag = tag.strip().replace("_", "-")
        if tag and tag != "*" and quality > 0:
            ranked.append((-quality, index, tag))
    preferred = [tag for _, _, tag in sorted(ranked)]
    found = negotiate_locale(preferred, list(LANGUAGES), sep="-") if preferred else None
    return found or DEFAULT_LANGUAGE


_reader: ContextVar[str | None] = ContextVar("changlang_reader_language", default=None)


def reader_language() -> str:
    """The language of whoever the current request (or socket) answers; Chinese outside one.

    Set once by the server for each request and WebSocket connection, so that text rendered
    deep inside a shared code path (a device notice in the sync pull) needs no extra argument.
    """
    return _reader.get() or DEFAULT_LANGUAGE


def current_reader() -> str | None:
    """The language set for the current request, None outside any (a job, a test, a log)."""
    return _reader.get()


def set_reader_language(language: str) -> Token[str | None]:
    """Set for the current task and the tasks it starts; reset with the returned token."""
    return _reader.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)


def reset_reader_language(token: Token[str | None]) -> None:
    _reader.reset(token)

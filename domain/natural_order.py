"""The order people read names in: 第二 before 第十一, 2号楼 before 10号楼, room 101 before 1001.

Sorting names as text puts 第三 before 第二 and 1001 before 101. A natural key fixes that in
one string that the database can index and compare byte by byte: every run of numerals,
Arabic (0-9, full-width too) or Chinese (一二三…十百千万, 零〇两, read by ``cn2an``), becomes
its value, and text around it stays text. The same string orders rows on SQLite (BINARY
collation) and PostgreSQL (the columns use the "C" collation, see ``domain.models.base``), so
keyset cursors page identically on both.

A key is a sequence of tokens, compared token by token:

* a number is ``0``, its digit count (two digits) and its digits without leading zeros, so
  that a shorter number sorts first and numbers of equal length compare digit by digit;
* text is ``1``, the text (NFKC, case-folded, without whitespace and control characters)
  and a space: every text character is above the space, so a text that is a prefix of
  another sorts first;
* a number sorts before text at the same place (1号楼 < A座), and a shorter sequence of
  tokens before a longer one that starts with it.

Keys are cut at ``KEY_MAX`` characters; names that agree that far tie, and the row id breaks
the tie.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import cn2an

KEY_MAX = 255
PART_MAX = 84
"""A household's key joins three parts (building, unit, room), each cut to this length."""

_NUMBER = "0"
_TEXT = "1"
_TEXT_END = " "
_PART_SEPARATOR = "!"
"""Between the parts of a composite key: below both token markers, so a part that is a
prefix of another (楼 1 against 楼 1A) sorts first whatever follows."""

_CHINESE_NUMERALS = "零〇一二两三四五六七八九十百千万"
_TOKENS = re.compile(rf"[0-9]+|[{_CHINESE_NUMERALS}]+|[^0-9{_CHINESE_NUMERALS}]+")


def _number(value: int) -> str:
    digits = str(value)
    if len(digits) > 99:
        digits = "9" * 99
    return f"{_NUMBER}{len(digits):02d}{digits}"


def _text(text: str) -> str:
    return f"{_TEXT}{text}{_TEXT_END}"


def _chinese(run: str) -> int | None:
    """The value of a run of Chinese numerals (十一 → 11, 一〇一 → 101), or None if it does
    not read as one number (十十, a lone 千)."""
    try:
        value = cn2an.cn2an(run, "normal")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return int(value) if float(value).is_integer() and value >= 0 else None


def _tokens(text: str) -> Iterable[str]:
    folded = unicodedata.normalize("NFKC", text).casefold()
    normal = "".join(c for c in folded if not c.isspace() and unicodedata.category(c) != "Cc")
    for run in _TOKENS.findall(normal):
        if run[0] in "0123456789":
            yield _number(int(run))
        elif run[0] in _CHINESE_NUMERALS and (value := _chinese(run)) is not None:
            yield _number(value)
        else:
            yield _text(run)


def natural_key(text: str, *, max_length: int = KEY_MAX) -> str:
    """The sort key of ``text``: byte order of keys is the natural order of the texts."""
    return "".join(_tokens(text))[:max_length]


def composite_key(parts: Iterable[str]) -> str:
    """One key for several fields read left to right (楼栋, 单元, 房号)."""
    return _PART_SEPARATOR.join(natural_key(part, max_length=PART_MAX) for part in parts)


def explicit_key(order: int | None, name: str) -> str:
    """A grid's key: its explicit place among its siblings if staff set one, else its name.

    Explicitly placed nodes come first, in their order (``0`` and six digits); the others
    follow by name (``1`` and the natural key).
    """
    if order is not None:
        return f"0{order:06d}{_PART_SEPARATOR}{natural_key(name, max_length=KEY_MAX - 8)}"
    return f"1{natural_key(name, max_length=KEY_MAX - 1)}"

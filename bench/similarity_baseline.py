"""The similar-topics scorer before jieba, kept for bench/similarity.py to compare against.

A copy of the old ``domain/similarity.py``: overlapping character bigrams (single characters
for texts under two characters), scored by the Dice coefficient of the two bags, in [0, 1];
a topic was suggested at 0.3 or more (the old ``SIMILAR_THRESHOLD``).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

_DROP = re.compile(r"[\s\W_]+", re.UNICODE)


def normalize(text: str) -> str:
    return _DROP.sub("", unicodedata.normalize("NFKC", text).lower())


def grams(text: str) -> Counter[str]:
    clean = normalize(text)
    if len(clean) < 2:
        return Counter(clean)
    return Counter(clean[i : i + 2] for i in range(len(clean) - 1))


def similarity(a: str, b: str) -> float:
    left, right = grams(a), grams(b)
    total = sum(left.values()) + sum(right.values())
    if total == 0:
        return 0.0
    return 2 * sum((left & right).values()) / total


THRESHOLD = 0.3

"""Similar topics in Chinese text, by character n-grams (no word segmentation needed).

Chinese has no spaces, so words are not at hand; overlapping character bigrams (plus single
characters for very short texts) capture "停车位不够" ~ "小区停车难，车位少" well. The score
is the Dice coefficient of the two bags of grams, in [0, 1].
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

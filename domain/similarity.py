"""Similar topics in Chinese text: words from jieba, weighted by rarity, scored by coverage.

Chinese has no spaces, so the text is cut into words with jieba (``rjieba``, the bindings of
jieba-rs). A typed question such as "停车难" is one word that no topic contains, so each
word of the query is matched at the best of three levels, with less credit each:

1. the word itself among the topic's words (1.0);
2. its concept (2.) among the topic's concepts (``CONCEPT_CREDIT``): 停车难 holds 停车, and
   停车, 车位, 泊车 are one concept, so "停车难" meets "晚上找不到车位";
3. its character bigrams among the topic's (``BIGRAM_CREDIT`` times the share found), the
   back-off for words the dictionary does not know; a one-character word looks for its
   character (``CHAR_CREDIT``).

Each word weighs its inverse document frequency (IDF) among the topics compared, so "小区"
counts little and "僵尸车" much; a word no topic knows in any form weighs the most, which is
what keeps "装修公司哪家靠谱" away from the renovation complaints. The score of a topic is the
weighted share of the query's words it covers, in [0, 1]; when a long text is compared with a
short topic (raising a topic that is already open), the share of the topic covered by the
text counts too (the larger of the two). ``bench/similarity.py`` measures it.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import rjieba

from domain.similarity_words import CONCEPTS, STOPWORDS

THRESHOLD = 0.45
"""A topic is suggested from this score on (chosen with ``bench/similarity.py``)."""
CONCEPT_CREDIT = 0.8
BIGRAM_CREDIT = 0.6
CHAR_CREDIT = 0.5

_JIEBA = rjieba.Jieba()
_DROP = re.compile(r"[\s\W_]+", re.UNICODE)
_RUNS = re.compile(r"[^\W\d_]+|\d+", re.UNICODE)


def normalize(text: str) -> str:
    return _DROP.sub("", unicodedata.normalize("NFKC", text).lower())


def _bigrams(word: str) -> frozenset[str]:
    if len(word) < 2:
        return frozenset()
    return frozenset(word[i : i + 2] for i in range(len(word) - 1))


@dataclass(frozen=True)
class Word:
    """One word of a text, with the forms it may be found in."""

    text: str
    concepts: frozenset[str]
    bigrams: frozenset[str]


@dataclass(frozen=True)
class Analysed:
    """A text as the ranking sees it: its words, and every form a word may match in it."""

    words: tuple[Word, ...]
    vocabulary: frozenset[str]  # words and their search sub-words (停车位: 停车, 车位, 停车位)
    concepts: frozenset[str]
    bigrams: frozenset[str]
    chars: frozenset[str]
    terms: tuple[str, ...]  # what document frequency counts: each form, tagged by its kind
    singles: tuple[str, ...]  # its one-character words


@lru_cache(maxsize=16384)
def _concepts(word: str) -> frozenset[str]:
    if len(word) < 3:
        return frozenset({CONCEPTS[word]}) if word in CONCEPTS else frozenset()
    found = {CONCEPTS[part] for part in (word, *_JIEBA.cut_for_search(word)) if part in CONCEPTS}
    return frozenset(found)


@lru_cache(maxsize=16384)
def analyse(text: str) -> Analysed:
    """Cut, drop stop words and punctuation, and collect each word's forms (cached by text)."""
    clean = unicodedata.normalize("NFKC", text).lower()
    runs = _RUNS.findall(clean)
    words: list[Word] = []
    vocabulary: set[str] = set()
    for run in runs:
        for token in _JIEBA.cut(run, False):  # no HMM: it glues 太堵, 画得 into words
            if token in STOPWORDS:
                continue
            words.append(Word(token, _concepts(token), _bigrams(token)))
        vocabulary.update(t for t in _JIEBA.cut_for_search(run) if t not in STOPWORDS)
    concepts = frozenset(c for w in words for c in w.concepts)
    bigrams = frozenset(b for run in runs for b in _bigrams(run))
    chars = frozenset("".join(runs))
    terms = (
        [f"w:{w}" for w in vocabulary]
        + [f"c:{c}" for c in concepts]
        + [f"b:{b}" for b in bigrams]
        + [f"h:{h}" for h in chars]
    )
    singles = tuple({w.text for w in words if len(w.text) == 1})
    return Analysed(
        tuple(words), frozenset(vocabulary), concepts, bigrams, chars, tuple(terms), singles
    )


def _match(word: Word, other: Analysed) -> float:
    if word.text in other.vocabulary:
        return 1.0
    if word.concepts & other.concepts:
        return CONCEPT_CREDIT
    if word.bigrams:
        return BIGRAM_CREDIT * len(word.bigrams & other.bigrams) / len(word.bigrams)
    return CHAR_CREDIT if word.text in other.chars else 0.0


def _covered(weighted: Sequence[tuple[Word, float]], total: float, other: Analysed) -> float:
    if not total:
        return 0.0
    return sum(weight * _match(word, other) for word, weight in weighted) / total


class Ranking:
    """IDF over a set of topics, computed once, then any text scored against each of them.

    An inverted index from each form to the topics holding it limits scoring to the topics
    that share at least one form with the text: the others score 0.
    """

    def __init__(self, texts: Sequence[str]) -> None:
        self.topics = [analyse(t) for t in texts]
        self.n = len(self.topics)
        self.df: Counter[str] = Counter()
        self.postings: dict[str, list[int]] = defaultdict(list)
        for i, topic in enumerate(self.topics):
            self.df.update(topic.terms)
            for term in topic.terms:
                if term[0] != "h":
                    self.postings[term].append(i)
            for single in topic.singles:
                self.postings[f"1:{single}"].append(i)
        self._weights: dict[str, float] = {}
        self._by_topic: dict[int, tuple[list[tuple[Word, float]], float]] = {}

    def _idf(self, term: str) -> float:
        df = self.df.get(term, 0)
        return math.log(1 + (self.n + 1) / (df + 0.5))

    def weight(self, word: Word) -> float:
        """The IDF of the word, or of its most common known form when no topic has the word."""
        found = self._weights.get(word.text)
        if found is None:
            if self.df.get(f"w:{word.text}"):
                found = self._idf(f"w:{word.text}")
            else:
                known = [f"c:{c}" for c in word.concepts] + [f"b:{b}" for b in word.bigrams]
                if len(word.text) == 1:
                    known.append(f"h:{word.text}")
                known = [term for term in known if self.df.get(term)]
                found = min((self._idf(term) for term in known), default=self._idf(""))
            self._weights[word.text] = found
        return found

    def coverage(self, words: Iterable[Word], other: Analysed) -> float:
        weighted = [(word, self.weight(word)) for word in words]
        return _covered(weighted, sum(w for _, w in weighted), other)

    def _topic_weights(self, i: int) -> tuple[list[tuple[Word, float]], float]:
        found = self._by_topic.get(i)
        if found is None:
            weighted = [(word, self.weight(word)) for word in self.topics[i].words]
            found = self._by_topic[i] = (weighted, sum(w for _, w in weighted))
        return found

    def _candidates(self, query: Analysed) -> set[int]:
        keys = [t for t in query.terms if t[0] != "h"]
        keys += [f"1:{c}" for c in query.chars]  # a topic's one-character word in the text
        found: set[int] = set()
        for key in keys:
            found.update(self.postings.get(key, ()))
        for single in query.singles:
            found.update(i for i, t in enumerate(self.topics) if single in t.chars)
        return found

    def scored(self, text: str) -> list[tuple[float, float]]:
        """Per topic: (score, share of the topic covered by the text, which breaks ties)."""
        query = analyse(text)
        found = [(0.0, 0.0)] * self.n
        for i in self._candidates(query):
            topic = self.topics[i]
            of_query = self.coverage(query.words, topic)
            of_topic = _covered(*self._topic_weights(i), query)
            found[i] = (max(of_query, of_topic), of_topic)
        return found

    def scores(self, text: str) -> list[float]:
        return [score for score, _ in self.scored(text)]


@lru_cache(maxsize=8)
def ranking(texts: tuple[str, ...]) -> Ranking:
    """The ranking of a set of topics, kept while the set is unchanged (open topics change
    far more rarely than a resident types)."""
    return Ranking(texts)


def rank(
    text: str, texts: Sequence[str], *, limit: int, threshold: float = THRESHOLD
) -> list[tuple[int, float]]:
    """(index, score) of the texts resembling ``text`` from ``threshold`` on, best first.

    Ties go to the text the query covers more of (the topic most about it), then to the
    earlier index. One pass over the texts: O(texts x words), each text cut once per process.
    """
    if not texts or not normalize(text):
        return []
    scored = ranking(tuple(texts)).scored(text)
    order = sorted(range(len(texts)), key=lambda i: (-scored[i][0], -scored[i][1], i))
    return [(i, scored[i][0]) for i in order[:limit] if scored[i][0] >= threshold]


def similarity(a: str, b: str) -> float:
    """The score of ``b`` for the query ``a``, with ``b`` as the only topic compared."""
    return Ranking([b]).scores(a)[0]


def clear_caches() -> None:
    """Forget every cached analysis and ranking (after changing the word tables)."""
    analyse.cache_clear()
    _concepts.cache_clear()
    ranking.cache_clear()

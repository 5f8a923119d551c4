"""Similar topics, old against new: precision and recall of the top-3 suggestions, and speed.

The data is ``bench/similarity_pairs.json``: open topics of the five categories (停车出行,
物业服务, 水电维修, 拆违治乱, 装修扰民) and others; paraphrase pairs (a query and the one
topic raising the same problem) and unrelated pairs (a query raising a problem no topic
raises, with the topic it superficially resembles). The corpus is every topic of the file:
all pair targets plus the distractors.

Each query is ranked against the whole corpus by each algorithm; its *suggestions* are the
top 3 whose score reaches that algorithm's threshold (old: character-bigram Dice, 0.3, kept
in ``bench/similarity_baseline.py``; new: ``domain.similarity.rank`` with its ``THRESHOLD``).

- A suggestion is *relevant* when the query is a paraphrase query and the suggestion is its
  partner. Every other suggestion is a false positive, so every suggestion made for an
  unrelated query is one.
- precision = relevant suggestions / all suggestions, over all queries of both kinds;
- recall = paraphrase queries whose partner is among their suggestions / paraphrase queries;
- "short recall" is recall over the paraphrase queries of at most 4 characters ("停车难");
- "unrelated hit" = unrelated queries with at least one suggestion / unrelated queries.

Timing: each algorithm ranks all queries against the corpus, ``--runs`` times, interleaved;
the medians are printed with new / old as a ratio. The new one caches each text's analysis
by text (as the server process does), so "new, cold" clears that cache before each run.
``--scale`` ranks one query against a corpus grown to N topics (titles and descriptions of
the file recombined, so every text is distinct), cold and warm.

    .venv/bin/python bench/similarity.py [--runs 7] [--scale 1000,3000,5000] [--no-concepts]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import similarity_baseline as old  # noqa: E402
from domain import similarity as new  # noqa: E402

PAIRS = Path(__file__).with_name("similarity_pairs.json")
TOP = 3

Ranker = Callable[[str, Sequence[str]], list[int]]


def load() -> dict:
    return json.loads(PAIRS.read_text(encoding="utf-8"))


def topic_text(topic: dict) -> str:
    return f"{topic['title']} {topic['description']}"  # as domain.services.proposals does


def rank_old(query: str, texts: Sequence[str]) -> list[int]:
    scored = [(old.similarity(query, t), i) for i, t in enumerate(texts)]
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [i for score, i in scored[:TOP] if score >= old.THRESHOLD]


def rank_new(query: str, texts: Sequence[str]) -> list[int]:
    return [i for i, _ in new.rank(query, texts, limit=TOP)]


def evaluate(data: dict, ranker: Ranker) -> dict[str, float]:
    ids = [t["id"] for t in data["topics"]]
    texts = [topic_text(t) for t in data["topics"]]
    relevant = suggested = found = short = short_found = unrelated_hit = 0
    for pair in data["paraphrases"]:
        got = [ids[i] for i in ranker(pair["query"], texts)]
        suggested += len(got)
        hit = pair["topic"] in got
        relevant += hit
        found += hit
        if len(pair["query"]) <= 4:
            short += 1
            short_found += hit
    for pair in data["unrelated"]:
        got = ranker(pair["query"], texts)
        suggested += len(got)
        unrelated_hit += bool(got)
    paraphrases = len(data["paraphrases"])
    precision = relevant / suggested if suggested else 0.0
    recall = found / paraphrases
    return {
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "short recall": short_found / short if short else 0.0,
        "short": short,
        "unrelated hit": unrelated_hit / len(data["unrelated"]),
        "suggestions": suggested,
    }


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def all_queries(data: dict, ranker: Ranker, cold: bool) -> Callable[[], object]:
    texts = [topic_text(t) for t in data["topics"]]
    queries = [p["query"] for p in data["paraphrases"] + data["unrelated"]]

    def run() -> None:
        if cold:
            new.clear_caches()
        for query in queries:
            ranker(query, texts)

    return run


def grown(data: dict, size: int) -> list[str]:
    titles = [t["title"] for t in data["topics"]]
    descriptions = [t["description"] for t in data["topics"]]
    texts = []
    for k in range(size):
        i, j = k % len(titles), (k // len(titles) + k) % len(descriptions)
        texts.append(f"{titles[i]} {descriptions[j]} {k}号楼")
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--scale", default="1000,3000,5000")
    parser.add_argument("--no-concepts", action="store_true", help="new without its concepts")
    args = parser.parse_args()
    data = load()
    rows = [("old: character bigrams (Dice >= 0.3)", rank_old)]
    rows.append((f"new: jieba words, IDF coverage (>= {new.THRESHOLD})", rank_new))
    if args.no_concepts:
        rows.append(("new without concepts", _without_concepts))
    print(
        f"{len(data['topics'])} topics, {len(data['paraphrases'])} paraphrase and "
        f"{len(data['unrelated'])} unrelated queries; suggestions: top {TOP} above threshold\n"
    )
    print(f"{'algorithm':<46} precision  recall  F1    short recall  unrelated hit  suggestions")
    for name, ranker in rows:
        m = evaluate(data, ranker)
        print(
            f"{name:<46} {m['precision']:>9.2f}  {m['recall']:>6.2f}  {m['f1']:.2f}  "
            f"{m['short recall']:>6.2f} of {m['short']:<3}  {m['unrelated hit']:>13.2f}  "
            f"{m['suggestions']:>11}"
        )

    actions = {
        "old": all_queries(data, rank_old, cold=False),
        "new, cold": all_queries(data, rank_new, cold=True),
        "new, warm": all_queries(data, rank_new, cold=False),
    }
    times: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(args.runs):
        for name, action in actions.items():  # interleaved, so noise hits all alike
            times[name].append(timed(action))
    base = statistics.median(times["old"])
    queries = len(data["paraphrases"]) + len(data["unrelated"])
    print(f"\nall {queries} queries against the corpus, median of {args.runs} runs:")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:<10} {median * 1000:8.1f} ms  {median / base:5.2f}x old")

    print("\none query against N open topics, median of runs (new: cold = nothing cached, as")
    print("after a restart; rebuilt = texts analysed, the ranking rebuilt, as after a topic is")
    print("raised or closed; warm = the same open topics as the last request):")
    print(f"  {'topics':>6}  {'old ms':>7}  {'cold ms':>7}  {'rebuilt ms':>10}  warm ms  warm/old")
    query = "晚上停车难，车位不够"
    for size in [int(s) for s in args.scale.split(",") if s]:
        texts = grown(data, size)

        def old_run(texts: list[str] = texts) -> object:
            return rank_old(query, texts)

        def new_run(texts: list[str] = texts) -> object:
            return rank_new(query, texts)

        runs: dict[str, list[float]] = {"old": [], "cold": [], "rebuilt": [], "warm": []}
        for _ in range(args.runs):
            runs["old"].append(timed(old_run))
            new.clear_caches()
            runs["cold"].append(timed(new_run))
            new.ranking.cache_clear()
            runs["rebuilt"].append(timed(new_run))
            runs["warm"].append(timed(new_run))
        o, c, r, w = (statistics.median(runs[k]) * 1000 for k in runs)
        print(f"  {size:>6}  {o:>7.1f}  {c:>7.1f}  {r:>10.1f}  {w:>7.1f}  {w / o:7.2f}x")


def _without_concepts(query: str, texts: Sequence[str]) -> list[int]:
    saved = dict(new.CONCEPTS)
    new.CONCEPTS.clear()
    new.clear_caches()
    try:
        return rank_new(query, texts)
    finally:
        new.CONCEPTS.update(saved)
        new.clear_caches()


if __name__ == "__main__":
    main()

"""The garbage collector at server start: the startup heap frozen, out of every collection.

A request allocates many short-lived objects (graphql-core's execution, SQLAlchemy rows);
their collections promote survivors until a full collection falls due, and a full
collection walks every object of the process, the startup heap included (the app, the
schema, SQLAlchemy's mappers, the catalogs: about 200,000 objects). Issue 12 found
collection at 34-65% of a worker's CPU. ``gc.freeze()`` once the app is built moves that
heap to a generation no collection visits; cycles made later are still found.

Measured with ``bench/gc_cost.py --residents 5000`` (CPU per request, in process, medians of
interleaved runs, both databases), frozen / default:

- first 500 residents, general executor: 0.54 (SQLite), 0.59 (PostgreSQL); 17-18 full
  collections per 40 requests either way, each one cheap once frozen;
- first 500, compiled path, and first 20 on either path: 0.92-1.10, within the noise (no
  full collection in 300 requests: little survives a small request).

Raising the thresholds as well cut the collections to a handful per run: with (10,000, 10,
10) it gained nothing over frozen alone (first 500, general: 0.54 and 0.60); with (50,000,
20, 100), in one run, 0.56 and 0.53 against frozen's 0.62 and 0.57, and nothing on first 20
(SQLite, general 0.99 and compiled 1.08, against frozen's 0.99 and 1.05). Too little, once,
for holding 50,000 objects of garbage in every worker: the thresholds stay Python's own.
"""

from __future__ import annotations

import gc


def tune() -> None:
    """Collect, then freeze what exists now; call once the app is built."""
    gc.collect()
    gc.freeze()

"""How many server processes ``changlang serve`` starts, and how many connections each keeps.

On PostgreSQL a worker per core: the server is CPU-bound in Python (one core per process,
the GIL) and the database takes the rest. On SQLite one: every process shares one file and
its one writer lock, so more processes add waiting, not throughput.

Each worker's pool is sized so that all of them together stay inside PostgreSQL's
``max_connections`` with room to spare: ``RESERVED`` connections are left for the
superuser's reserved slots (3 by default), ``changlang`` commands, migrations, backups and an
operator's ``psql``, and each worker also holds one connection outside its pool, listening
for live events (``api.pg_events``).
"""

from __future__ import annotations

import os

from domain.database import is_sqlite

RESERVED = 10
POOL_MAX = 20
"""No worker keeps more: the old fixed pool (10, and 10 more in a burst); a request holds one
or two connections at a time, so 20 serve 10-20 requests in flight per worker."""
POOL_MIN = 2


def cores() -> int:
    """The cores this process may run on (a container's share, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def default_workers(database_url: str) -> int:
    return 1 if is_sqlite(database_url) else cores()


def pool_per_worker(max_connections: int, workers: int) -> int:
    """Connections one worker's pool may keep: ``workers × (pool + 1) ≤ max_connections −
    RESERVED``, at most ``POOL_MAX``; 0 when not even ``POOL_MIN`` fits."""
    share = (max_connections - RESERVED) // max(workers, 1) - 1
    return min(POOL_MAX, share) if share >= POOL_MIN else 0

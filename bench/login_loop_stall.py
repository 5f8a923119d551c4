"""How long a burst of logins stalls the event loop, argon2 on the loop vs in a worker thread.

Eight concurrent logins with the real argon2 cost (not the tests' cheap one) through the ASGI
app on a throwaway SQLite file, while a ticker sleeps 5 ms in a loop: its longest overshoot is
how long every other request of the process would have waited. "on the loop" swaps the
threaded check back for a direct call, as the login used to make it.

    python bench/login_loop_stall.py --runs 2
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from pathlib import Path

# Not bench/_harness: it switches to the cheap argon2 parameters, which this must not.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine

from domain import credentials
from domain.database import open_database
from domain.migrate import upgrade_on
from domain.services import sessions
from tests.api_client import api_for, test_settings
from tests.world import PASSWORD, build_world

LOGIN = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { __typename } }"
LOGINS = 8


async def _on_loop(stored_hash: str | None, password: str) -> bool:
    return credentials.verify_password(stored_hash, password)


async def measure(on_loop: bool) -> tuple[float, float]:
    folder = Path(tempfile.mkdtemp())
    engine = create_engine(f"sqlite:///{folder}/bench.sqlite3")
    with engine.begin() as connection:
        upgrade_on(connection)
    engine.dispose()
    db = open_database(f"sqlite+aiosqlite:///{folder}/bench.sqlite3")
    await build_world(db)
    sessions.verify_password_off_loop = (
        _on_loop if on_loop else credentials.verify_password_off_loop
    )  # type: ignore[assignment]
    api = api_for(db, test_settings())
    lags: list[float] = []
    done = False

    async def ticker() -> None:
        while not done:
            started = time.perf_counter()
            await asyncio.sleep(0.005)
            lags.append(time.perf_counter() - started - 0.005)

    tick = asyncio.create_task(ticker())
    started = time.perf_counter()
    await asyncio.gather(
        *(api.ok(LOGIN, {"u": f"chief{1 + n % 2}", "p": PASSWORD}) for n in range(LOGINS))
    )
    elapsed = time.perf_counter() - started
    done = True
    await tick
    await api.client.aclose()
    await db.dispose()
    shutil.rmtree(folder)
    return elapsed, max(lags)


async def main(runs: int) -> None:
    print(f"{LOGINS} concurrent logins, real argon2 ({runs} runs each)")
    for on_loop in (True, False):
        for _ in range(runs):
            elapsed, stall = await measure(on_loop)
            where = "on the loop " if on_loop else "in a thread "
            print(f"  argon2 {where}: {elapsed:5.2f} s, longest loop stall {stall * 1000:5.0f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=2)
    asyncio.run(main(parser.parse_args().runs))

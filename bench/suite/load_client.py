"""The client side of bench/load.py. Runs in the rendered service's environment (it has
httpx and SQLAlchemy with the service's driver).

    python load_client.py DATABASE_URL BASE_URL load REQUESTS CONCURRENCY
    python load_client.py DATABASE_URL BASE_URL exhaust
"""

import asyncio
import statistics
import sys
import time
from collections import Counter

import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

SEEDED = 50
COUNT_CONNECTIONS = text(
    "SELECT count(*) FROM pg_stat_activity WHERE datname = :database AND pid <> pg_backend_pid()"
)


WAITING_ON_A_LOCK = text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")


def async_url(database_url: str) -> str:
    url = make_url(database_url)
    return url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


async def load(database_url: str, base_url: str, requests: int, concurrency: int) -> None:
    database = make_url(database_url).database
    sampler = create_async_engine(async_url(database_url), poolclass=NullPool)
    peak, done = 0, asyncio.Event()

    async def sample() -> None:
        nonlocal peak
        async with sampler.connect() as connection:
            while not done.is_set():
                count = await connection.scalar(COUNT_CONNECTIONS, {"database": database})
                peak = max(peak, count or 0)
                await connection.commit()  # a fresh snapshot of pg_stat_activity each time

    limit = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    statuses: Counter[str] = Counter()

    async def one(http: httpx.AsyncClient, n: int) -> None:
        async with limit:
            started = time.perf_counter()
            try:
                if n % 4 == 0:
                    response = await http.post("/items", json={"name": f"item-{n}"})
                elif n % 4 == 1:
                    response = await http.get(f"/items/{n % SEEDED + 1}")
                else:
                    response = await http.get("/items", params={"limit": 10})
                statuses[str(response.status_code)] += 1
            except httpx.HTTPError as error:
                statuses[type(error).__name__] += 1
            latencies.append(time.perf_counter() - started)

    sampling = asyncio.create_task(sample())
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
        await http.get("/health")  # wait until the app is up
        for k in range(SEEDED):  # items 1..SEEDED exist, so every read finds its item
            await http.post("/items", json={"name": f"seed-{k}"})
        started = time.perf_counter()
        await asyncio.gather(*(one(http, n) for n in range(requests)))
        elapsed = time.perf_counter() - started
    done.set()
    await sampling
    await sampler.dispose()

    errors = sum(count for status, count in statuses.items() if status not in {"200", "201"})
    quantiles = statistics.quantiles(latencies, n=100)
    print(f"  statuses: {dict(sorted(statuses.items()))}; errors: {errors}")
    print(f"  throughput: {requests / elapsed:.0f} requests/s over {elapsed:.1f} s")
    print(f"  latency: p50 {quantiles[49] * 1000:.1f} ms, p95 {quantiles[94] * 1000:.1f} ms")
    print(f"  peak server connections of the app (sampled): {peak}")


async def exhaust(database_url: str, base_url: str) -> None:
    """Hold the only pooled connection (a request blocked on a table lock), then ask again."""
    locker = create_async_engine(async_url(database_url), poolclass=NullPool)
    async with (
        locker.connect() as connection,
        httpx.AsyncClient(base_url=base_url, timeout=60) as http,
    ):
        await http.get("/health")
        await connection.execute(text("LOCK TABLE items IN ACCESS EXCLUSIVE MODE"))
        blocked = asyncio.create_task(http.get("/items"))
        async with locker.connect() as watcher:  # until that request waits on the lock
            while not await watcher.scalar(WAITING_ON_A_LOCK):
                await watcher.commit()
        started = time.perf_counter()
        second = await http.get("/items")
        waited = time.perf_counter() - started
        await connection.rollback()  # release the lock: the first request completes
        first = await blocked
    await locker.dispose()
    print(
        f"  held request: {first.status_code}; second request: {second.status_code} after "
        f"{waited:.1f} s: {second.json()}"
    )


if __name__ == "__main__":
    database_url, base_url, mode, *rest = sys.argv[1:]
    if mode == "load":
        asyncio.run(load(database_url, base_url, int(rest[0]), int(rest[1])))
    else:
        asyncio.run(exhaust(database_url, base_url))

"""Strategy 5, the raw driver floor: BEGIN, SAVEPOINT, INSERT ... RETURNING, SELECT, ROLLBACK
on one open connection, N times. No pytest, no SQLAlchemy in the timed loop.

Run with the rendered service's Python: `python bench_suite/floor.py`. Reads
BENCH_DATABASE_URL (any form the service accepts) and BENCH_TESTS; prints one JSON object.
"""

import asyncio
import json
import os
import resource
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bench_service.database import create_engine
from bench_service.models import Base
from bench_service.settings import load_settings
from sqlalchemy.engine import URL

WARMUP = 20
INSERT = "INSERT INTO items (name) VALUES ({}) RETURNING id"
SELECT = "SELECT name FROM items WHERE id = {}"


async def prepare(url: str) -> URL:
    """Create the table if needed (SQLAlchemy is fine here: this is not timed)."""
    settings = load_settings(environment="test", database_url=url)
    engine = create_engine(settings)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
    finally:
        await engine.dispose()
    return settings.url


async def timed(n: int, round_trip: Callable[[str], Awaitable[Any]]) -> tuple[float, float]:
    """Wall and CPU seconds of n round trips, after WARMUP untimed ones. Each inserts a
    name and must read the same name back."""
    start = cpu_start = 0.0
    for i in range(WARMUP + n):
        if i == WARMUP:
            start, cpu_start = time.perf_counter(), time.process_time()
        name = f"floor-{i}"
        assert await round_trip(name) == name
    return time.perf_counter() - start, time.process_time() - cpu_start


async def floor_asyncpg(url: URL, n: int) -> tuple[float, float]:
    import asyncpg

    connection = await asyncpg.connect(
        host=url.host,
        port=url.port,
        user=url.username,
        password=url.password,
        database=url.database,
    )

    async def round_trip(name: str) -> Any:
        await connection.execute("BEGIN")
        await connection.execute("SAVEPOINT floor")
        row_id = await connection.fetchval(INSERT.format("$1"), name)
        read = await connection.fetchval(SELECT.format("$1"), row_id)
        await connection.execute("ROLLBACK")
        return read

    try:
        return await timed(n, round_trip)
    finally:
        await connection.close()


async def floor_psycopg(url: URL, n: int) -> tuple[float, float]:
    import psycopg

    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await psycopg.AsyncConnection.connect(conninfo, autocommit=True)
    cursor = connection.cursor()

    async def round_trip(name: str) -> Any:
        await cursor.execute("BEGIN")
        await cursor.execute("SAVEPOINT floor")
        await cursor.execute(INSERT.format("%s"), (name,))
        row: Any = await cursor.fetchone()
        await cursor.execute(SELECT.format("%s"), (row[0],))
        read: Any = await cursor.fetchone()
        await cursor.execute("ROLLBACK")
        return read[0]

    try:
        return await timed(n, round_trip)
    finally:
        await connection.close()


async def floor_aiosqlite(url: URL, n: int) -> tuple[float, float]:
    import aiosqlite

    assert url.database
    connection = await aiosqlite.connect(url.database, isolation_level=None)

    async def round_trip(name: str) -> Any:
        await connection.execute("BEGIN")
        await connection.execute("SAVEPOINT floor")
        cursor = await connection.execute(INSERT.format("?"), (name,))
        row: Any = await cursor.fetchone()
        await cursor.close()
        cursor = await connection.execute(SELECT.format("?"), (row[0],))
        read: Any = await cursor.fetchone()
        await cursor.close()
        await connection.execute("ROLLBACK")
        return read[0]

    try:
        return await timed(n, round_trip)
    finally:
        await connection.close()


async def main() -> None:
    n = int(os.environ["BENCH_TESTS"])
    url = await prepare(os.environ["BENCH_DATABASE_URL"])
    driver = url.get_driver_name()
    floors = {"asyncpg": floor_asyncpg, "psycopg": floor_psycopg, "aiosqlite": floor_aiosqlite}
    seconds, cpu_seconds = await floors[driver](url, n)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = {"driver": driver, "measured": n, "window": seconds, "window_cpu": cpu_seconds}
    print(json.dumps({**result, "maxrss_kib": peak}))


if __name__ == "__main__":
    asyncio.run(main())

"""Strategy 2, NullPool: a new connection per test, the test commits for real, and a
DELETE afterwards cleans up.

This is the pattern at its cheapest: one connect per test (the session is bound to that
connection, so its commit does not hand the connection back to NullPool and reconnect).
"""

from collections.abc import AsyncIterator

import pytest
from bench_service.models import Item
from bench_suite import engines
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession


@pytest.fixture(scope="session")
async def bench_engine() -> AsyncIterator[AsyncEngine]:
    async with engines.bench_engine(with_schema=True) as engine:  # the test environment's: NullPool
        yield engine


@pytest.fixture
async def db_session(bench_engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    async with bench_engine.connect() as connection:  # NullPool: a real connect
        async with AsyncSession(connection, expire_on_commit=False, autoflush=False) as session:
            yield session
        await connection.execute(delete(Item))
        await connection.commit()

"""Strategy 2, the seeds' NullPool pattern: a new connection per test, the test commits for
real, and a DELETE afterwards cleans up.

This is the pattern at its cheapest: one connect per test (the session is bound to that
connection, so its commit does not hand the connection back to NullPool and reconnect).
"""

import os
from collections.abc import AsyncIterator

import pytest
from bench_service.database import create_engine
from bench_service.models import Base, Item
from bench_service.settings import load_settings
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession


@pytest.fixture(scope="session")
async def bench_engine() -> AsyncIterator[AsyncEngine]:
    settings = load_settings(environment="test", database_url=os.environ["BENCH_DATABASE_URL"])
    engine = create_engine(settings)  # the test environment's engine: NullPool
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
        await connection.execute(delete(Item))
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
async def db_session(bench_engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    async with bench_engine.connect() as connection:  # NullPool: a real connect
        async with AsyncSession(connection, expire_on_commit=False, autoflush=False) as session:
            yield session
        await connection.execute(delete(Item))
        await connection.commit()

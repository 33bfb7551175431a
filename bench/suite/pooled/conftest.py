"""Strategy 4b, reference as an app runs: the same body with no isolation, each session from
a sessionmaker on a pooled engine configured as the service configures its own (pool
pre-ping on checkout). Commits are real; nothing is cleaned up between tests."""

from collections.abc import AsyncIterator

import pytest
from bench_suite import engines
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker


@pytest.fixture(scope="session")
async def bench_engine() -> AsyncIterator[AsyncEngine]:
    # The service's pool settings, pre-ping included.
    async with engines.bench_engine(with_schema=True, pooled=True) as engine:
        yield engine


@pytest.fixture
async def db_session(bench_engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    factory = async_sessionmaker(bench_engine, expire_on_commit=False, autoflush=False)
    async with factory() as session:
        yield session

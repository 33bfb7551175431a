"""Strategy 3: create the schema before each test and drop it afterwards, on a pooled
engine (one connection, no pre-ping), so the cost measured is the DDL, not connects."""

from collections.abc import AsyncIterator

import pytest
from bench_service.models import Base
from bench_suite import engines
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession


@pytest.fixture(scope="session")
async def bench_engine() -> AsyncIterator[AsyncEngine]:
    options = {"pooled": True, "pool_size": 1, "max_overflow": 0, "pool_pre_ping": False}
    async with engines.bench_engine(with_schema=False, **options) as engine:
        yield engine


@pytest.fixture
async def db_session(bench_engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    async with bench_engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    try:
        async with AsyncSession(bench_engine, expire_on_commit=False, autoflush=False) as session:
            yield session
    finally:
        async with bench_engine.begin() as connection:
            await connection.run_sync(Base.metadata.drop_all)

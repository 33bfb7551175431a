"""Strategy 3: create the schema before each test and drop it afterwards, on a pooled
engine (one connection, no pre-ping), so the cost measured is the DDL, not connects."""

import os
from collections.abc import AsyncIterator

import pytest
from bench_service.database import create_engine
from bench_service.models import Base
from bench_service.settings import load_settings
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession


@pytest.fixture(scope="session")
async def bench_engine() -> AsyncIterator[AsyncEngine]:
    settings = load_settings(environment="test", database_url=os.environ["BENCH_DATABASE_URL"])
    engine = create_engine(settings, pooled=True, pool_size=1, max_overflow=0, pool_pre_ping=False)
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.drop_all)
    try:
        yield engine
    finally:
        await engine.dispose()


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

"""Strategy 4b, reference as an app runs: the same body with no isolation, each session from
a sessionmaker on a pooled engine configured as the service configures its own (pool
pre-ping on checkout). Commits are real; nothing is cleaned up between tests."""

import os
from collections.abc import AsyncIterator

import pytest
from bench_service.database import create_engine
from bench_service.models import Base, Item
from bench_service.settings import load_settings
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker


@pytest.fixture(scope="session")
async def bench_engine() -> AsyncIterator[AsyncEngine]:
    settings = load_settings(environment="test", database_url=os.environ["BENCH_DATABASE_URL"])
    engine = create_engine(settings, pooled=True)  # the service's pool settings, pre-ping
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
        await connection.execute(delete(Item))
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
async def db_session(bench_engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    factory = async_sessionmaker(bench_engine, expire_on_commit=False, autoflush=False)
    async with factory() as session:
        yield session

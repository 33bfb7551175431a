"""Strategy 4, the reference: the same body with no isolation at all. A plain session on a
connection held for the whole run (no connect, no pool checkout, no pre-ping per test);
its commits are real and nothing is cleaned up between tests."""

import os
from collections.abc import AsyncIterator

import pytest
from bench_service.database import create_engine
from bench_service.models import Base, Item
from bench_service.settings import load_settings
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession


@pytest.fixture(scope="session")
async def bench_connection() -> AsyncIterator[AsyncConnection]:
    settings = load_settings(environment="test", database_url=os.environ["BENCH_DATABASE_URL"])
    engine = create_engine(settings, pooled=True, pool_size=1, max_overflow=0, pool_pre_ping=False)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(Base.metadata.create_all)
            await connection.execute(delete(Item))
            await connection.commit()
            yield connection
    finally:
        await engine.dispose()


@pytest.fixture
async def db_session(bench_connection: AsyncConnection) -> AsyncIterator[AsyncSession]:
    async with AsyncSession(bench_connection, expire_on_commit=False, autoflush=False) as session:
        yield session

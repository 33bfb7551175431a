"""The benchmark database's engine for the strategies' conftest.py files: the service's own
create_engine, with each strategy's pool options, and the items table in a known state."""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from bench_service.database import create_engine
from bench_service.models import Base, Item
from bench_service.settings import load_settings
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine


@asynccontextmanager
async def bench_engine(*, with_schema: bool, **options: Any) -> AsyncIterator[AsyncEngine]:
    """An engine on BENCH_DATABASE_URL; the schema created and emptied (with_schema) or
    dropped, so each test builds it (drop/create). Disposed at the end, in the same loop."""
    settings = load_settings(environment="test", database_url=os.environ["BENCH_DATABASE_URL"])
    engine = create_engine(settings, **options)
    try:
        async with engine.begin() as connection:
            if with_schema:
                await connection.run_sync(Base.metadata.create_all)
                await connection.execute(delete(Item))
            else:
                await connection.run_sync(Base.metadata.drop_all)
        yield engine
    finally:
        await engine.dispose()

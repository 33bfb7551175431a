"""The benchmark's test body: insert a row, commit, read it back. The same file runs under
every isolation strategy; each strategy's conftest.py provides `db_session`."""

import os

import pytest
from bench_service import database  # noqa: F401  as the service's own test modules do
from bench_service.models import Item
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

TESTS = int(os.environ["BENCH_TESTS"])
PREFIX = os.environ.get("BENCH_PREFIX", "bench")


@pytest.mark.parametrize("n", range(TESTS))
async def test_insert_and_read_back(db_session: AsyncSession, n: int) -> None:
    item = Item(name=f"{PREFIX}-{n}")
    db_session.add(item)
    await db_session.commit()
    name = await db_session.scalar(select(Item.name).where(Item.id == item.id))
    assert name == item.name

"""GET /health: 200 when the database answers and has every migration; 503 (never 500) when
it does not answer, or lacks migrations (naming them)."""

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from . import schema

OK = {"status": "ok", "database": "ok", "pending_migrations": []}


async def test_health_is_200_when_the_database_answers(client: AsyncClient) -> None:
    response = await client.get("/health")

    assert response.status_code == 200
    assert response.json() == OK


async def test_head_health_answers_like_get(client: AsyncClient) -> None:
    response = await client.head("/health")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"


@pytest.mark.usefixtures("unreachable_database")
async def test_health_is_503_when_the_database_is_unreachable(client: AsyncClient) -> None:
    response = await client.get("/health")

    assert response.status_code == 503
    assert (await client.head("/health")).status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "unreachable",
        "pending_migrations": [],
    }


async def test_health_is_503_naming_pending_migrations_until_they_are_applied(
    client: AsyncClient, db_session: AsyncSession
) -> None:
    # As if the database had never been migrated (DDL in the test's transaction: undone after).
    connection = await db_session.connection()
    await connection.run_sync(schema.downgrade, "base")

    behind = await client.get("/health")

    assert behind.status_code == 503
    assert behind.json() == {
        "status": "unavailable",
        "database": "migrations pending",
        "pending_migrations": schema.revisions(),
    }
    await connection.run_sync(schema.upgrade, "head")  # `alembic upgrade head`
    assert (await client.get("/health")).json() == OK

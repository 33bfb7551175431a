"""GET /health: 200 when the database answers, 503 (never 500) when it does not."""

import pytest
from httpx import AsyncClient


async def test_health_is_200_when_the_database_answers(client: AsyncClient) -> None:
    response = await client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.usefixtures("unreachable_database")
async def test_health_is_503_when_the_database_is_unreachable(client: AsyncClient) -> None:
    response = await client.get("/health")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}

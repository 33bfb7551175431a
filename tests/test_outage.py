"""A served PostgreSQL service through an outage of its database server: /health answers 503
within 5 s, data endpoints a clean 503, nothing hangs, and the service recovers by itself
when the server is back. Each test stops and starts a throwaway cluster of its own."""

import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from .helpers import POSTGRES_VARIANTS, clean_env, on_server, run, served
from .postgres import throwaway_cluster

UNAVAILABLE = {"detail": "The database is unavailable; try again shortly."}


def timed_get(http: httpx.Client, path: str) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = http.get(path)
    return response, time.monotonic() - started


@pytest.mark.parametrize("variant", POSTGRES_VARIANTS)
def test_outage_answers_503_quickly_and_recovers_without_a_restart(
    variant: str, service: Callable[[str], Path]
) -> None:
    project = service(variant)
    with throwaway_cluster() as cluster:
        on_server(project, cluster.url, "CREATE DATABASE outage")
        database_url = cluster.url.rsplit("/", 1)[0] + "/outage"
        env = clean_env(ENVIRONMENT="production", DATABASE_URL=database_url)
        run([project / ".venv/bin/alembic", "upgrade", "head"], cwd=project, env=env)

        with served(project, env) as url, httpx.Client(base_url=url, timeout=30) as http:
            assert http.post("/items", json={"name": "survivor"}).status_code == 201

            cluster.stop()
            health, seconds = timed_get(http, "/health")
            assert health.status_code == 503 and seconds < 5, (health, seconds)
            items, seconds = timed_get(http, "/items")
            assert items.status_code == 503 and seconds < 5, (items.text, seconds)
            assert items.json() == UNAVAILABLE

            cluster.start()
            assert http.get("/health").status_code == 200
            items = http.get("/items")
            assert items.status_code == 200
            assert [item["name"] for item in items.json()] == ["survivor"]

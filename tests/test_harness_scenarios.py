"""The harness against the test code people actually write, on every variant.

Each "bad" test below is a mistake users make (committing the test's connection, a test killed
by a timeout mid-query, sessions racing, a task that outlives its test, a test in a loop of its
own, a bare TestClient, an anyio marker). Each runs in the rendered service's own pytest process, followed by a canary
that checks that no row survived and that `db_session`, `client` and `/health` still work: a
bad test must fail alone, with a message that says what to do, and never break the next one.
"""

import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from .helpers import VARIANTS, run

# Outlasts the scenario's 0.5 s timeout: SQLite's takes over a second. aiosqlite runs a
# query in its own thread, which nothing interrupts: the harness lets it finish (and SQLite
# keeps its file locked until then), so SQLite's must stay short.
SLOW_QUERY = {
    "sqlite": "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 5000000) SELECT count(*) FROM n",
    "asyncpg": "SELECT pg_sleep(30)",
    "psycopg": "SELECT pg_sleep(30)",
}

SCENARIOS = """\
import asyncio

import pytest
from fastapi.testclient import TestClient
from httpx import AsyncClient
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from {package} import database
from {package}.main import app
from {package}.models import Item


async def check_nothing_survived(client: AsyncClient, db_session: AsyncSession) -> None:
    assert await db_session.scalar(select(func.count()).select_from(Item)) == 0
    assert (await client.post("/items", json={{"name": "canary"}})).status_code == 201
    assert (await client.get("/health")).status_code == 200


@pytest.mark.anyio
async def test_bad_anyio_marker_first_to_use_the_database(db_session: AsyncSession) -> None:
    db_session.add(Item(name="leak"))
    await db_session.commit()


async def test_canary_after_anyio(client: AsyncClient, db_session: AsyncSession) -> None:
    await check_nothing_survived(client, db_session)


async def test_bad_commit_of_the_session_s_connection(db_session: AsyncSession) -> None:
    db_session.add(Item(name="leak"))
    connection = await db_session.connection()
    await connection.commit()


async def test_canary_after_commit(client: AsyncClient, db_session: AsyncSession) -> None:
    await check_nothing_survived(client, db_session)


async def test_bad_rollback_of_the_connection_then_more_writes(db_session: AsyncSession) -> None:
    db_session.add(Item(name="leak"))
    await db_session.flush()
    connection = await db_session.connection()
    await connection.rollback()
    db_session.add(Item(name="leak-2"))
    await db_session.commit()


async def test_canary_after_rollback(client: AsyncClient, db_session: AsyncSession) -> None:
    await check_nothing_survived(client, db_session)


@pytest.mark.timeout(0.5)
async def test_bad_killed_by_a_timeout_mid_query(db_session: AsyncSession) -> None:
    db_session.add(Item(name="leak"))
    await db_session.flush()
    await db_session.execute(text({slow_query!r}))


async def test_canary_after_timeout(client: AsyncClient, db_session: AsyncSession) -> None:
    await check_nothing_survived(client, db_session)


async def test_bad_raced_sessions_one_waiting_on_the_other() -> None:
    started, go_on = asyncio.Event(), asyncio.Event()

    async def first() -> None:
        async with database.session_scope() as session:
            session.add(Item(name="leak"))
            await session.flush()
            started.set()
            await asyncio.wait_for(go_on.wait(), timeout=20)

    async def second() -> None:
        await started.wait()
        async with database.session_scope() as session:
            session.add(Item(name="leak-2"))
        go_on.set()

    await asyncio.gather(first(), second())


async def test_canary_after_race(client: AsyncClient, db_session: AsyncSession) -> None:
    await check_nothing_survived(client, db_session)


async def test_bad_task_outlives_its_test() -> None:
    go = asyncio.Event()

    async def job() -> None:
        await go.wait()
        async with database.session_scope() as session:
            session.add(Item(name="leak"))
            await session.flush()
            session.add(Item(name="leak-2"))

    asyncio.get_running_loop().create_task(job())
    go.set()


async def test_canary_after_task(client: AsyncClient, db_session: AsyncSession) -> None:
    await check_nothing_survived(client, db_session)


@pytest.mark.asyncio(loop_scope="function")
async def test_bad_own_loop_opens_a_connection(db_engine: AsyncEngine) -> None:
    async with db_engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


async def test_canary_after_own_loop(client: AsyncClient, db_session: AsyncSession) -> None:
    await check_nothing_survived(client, db_session)


def test_bad_bare_testclient() -> None:
    with TestClient(app) as http:
        assert http.post("/items", json={{"name": "leak"}}).status_code == 201


async def test_canary_after_testclient(client: AsyncClient, db_session: AsyncSession) -> None:
    await check_nothing_survived(client, db_session)
"""

# What each bad test must fail with: its outcome and words from the message that say what to do.
EXPECTED = {
    "test_bad_anyio_marker_first_to_use_the_database": ("error", "Remove the marker"),
    "test_bad_commit_of_the_session_s_connection": ("failure", "db_session.commit()"),
    "test_bad_rollback_of_the_connection_then_more_writes": ("failure", "db_session.rollback()"),
    "test_bad_killed_by_a_timeout_mid_query": ("failure", "Timeout"),
    "test_bad_raced_sessions_one_waiting_on_the_other": ("failure", "sessions take turns"),
    "test_bad_task_outlives_its_test": ("error", "left task(s) running"),
    "test_bad_own_loop_opens_a_connection": ("failure", "loop_scope='function'"),
    "test_bad_bare_testclient": ("failure", "sync_client"),
}


def outcomes(report: Path) -> dict[str, tuple[set[str], str]]:
    """junit XML -> {test name: ({"failure", "error"} or {"passed"}, messages and details)}.
    A test's call failure and teardown error are both kept."""
    results: dict[str, tuple[set[str], str]] = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        name = str(case.get("name")).split("[")[0]  # anyio adds a backend id: [asyncio]
        tags, text = results.get(name, (set(), ""))
        for child in case:
            if child.tag in ("failure", "error"):
                tags.add(child.tag)
                text += (child.get("message") or "") + (child.text or "")
        results[name] = (tags, text)
    return {name: (tags or {"passed"}, text) for name, (tags, text) in results.items()}


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_bad_test_fails_alone_and_says_what_to_do(
    variant: str,
    service: Callable[[str], Path],
    suite_env: Callable[[str], dict[str, str]],
    tmp_path: Path,
) -> None:
    project = service(variant)
    probe = project / "tests" / "scenarios_probe.py"  # not test_*.py: other runs skip it
    probe.write_text(SCENARIOS.format(package=f"{variant}_service", slow_query=SLOW_QUERY[variant]))
    report = tmp_path / "report.xml"
    try:
        result = run(
            [
                *(project / ".venv/bin/python", "-X", "dev", "-W", "error", "-m", "pytest"),
                *("-p", "no:randomly", f"--junitxml={report}", probe),
            ],
            cwd=project,
            env=suite_env(variant),
            check=False,
        )
    finally:
        probe.unlink()
    found = outcomes(report)
    output = result.stdout + result.stderr
    canaries = [name for name in found if name.startswith("test_canary_")]
    assert len(canaries) == len(EXPECTED), output
    for name in canaries:
        assert found[name][0] == {"passed"}, f"{name}: {found[name][1]}\n{output}"
    for name, (outcome, words) in EXPECTED.items():
        # One report per bad test: a failed test gets no second error at teardown.
        assert found[name][0] == {outcome}, f"{name}: {found[name]}\n{output}"
        assert words in found[name][1], f"{name}: {found[name][1]}"

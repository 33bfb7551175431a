"""The bad tests that tests/test_harness_scenarios.py writes into each rendered service: the
mistakes users make, each followed by a canary that checks that nothing survived it.

`$package` is the service's package. Each bad test is named test_bad_<what>; EXPECTED says
how it must end. A canary follows every bad test (pytest -p no:randomly keeps file order).
"""

from string import Template

PROBE = Template("""\
import asyncio
import time
import unittest

import pytest
from fastapi.testclient import TestClient
from httpx import AsyncClient
from sqlalchemy import func, inspect, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from $package import database
from $package.database import get_db
from $package.main import app
from $package.models import Item
from $package.settings import load_settings

SLOW_QUERY = {
    "sqlite": "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n "
    "WHERE x < 50000000) SELECT count(*) FROM n",
    "postgresql": "SELECT pg_sleep(30)",
}


async def session_state_is_fresh(db_session: AsyncSession) -> None:
    connection = await db_session.connection()
    if connection.dialect.name == "sqlite":
        assert await connection.scalar(text("PRAGMA query_only")) == 0
        assert await connection.scalar(text("SELECT 'a' LIKE 'A'")) == 1
        functions = "SELECT count(*) FROM pragma_function_list WHERE name = 'leaked'"
        assert await connection.scalar(text(functions)) == 0
    else:
        held = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
        assert await connection.scalar(text(held)) == 0


async def check_nothing_survived(client: AsyncClient, db_session: AsyncSession) -> None:
    assert await db_session.scalar(select(func.count()).select_from(Item)) == 0
    connection = await db_session.connection()
    tables = await connection.run_sync(lambda sync: sorted(inspect(sync).get_table_names()))
    assert tables == ["alembic_version", "items"]
    await session_state_is_fresh(db_session)
    assert (await client.post("/items", json={"name": "canary"})).status_code == 201
    assert (await client.get("/health")).status_code == 200


async def write(db_session: AsyncSession, name: str = "leak") -> None:
    db_session.add(Item(name=name))
    await db_session.flush()


@pytest.mark.timeout(1)
async def test_first_with_a_tight_timeout(client: AsyncClient) -> None:
    assert (await client.get("/items")).status_code == 200


@pytest.mark.anyio
async def test_bad_anyio_marker(db_session: AsyncSession) -> None:
    await write(db_session)
    await db_session.commit()


class TestBadIsolatedAsyncio(unittest.IsolatedAsyncioTestCase):
    async def test_bad_isolated_asyncio(self) -> None:
        async with database.session_scope() as session:
            session.add(Item(name="leak"))


async def test_bad_commit_of_the_connection(db_session: AsyncSession) -> None:
    await write(db_session)
    await (await db_session.connection()).commit()
    await write(db_session, "leak-2")


async def test_bad_rollback_of_the_connection_then_writes(db_session: AsyncSession) -> None:
    await write(db_session)
    await (await db_session.connection()).rollback()
    await write(db_session, "leak-2")
    await db_session.commit()


@pytest.mark.parametrize(
    "sql", ["/* done */ COMMIT", "END", "commit transaction", "ROLLBACK TRANSACTION"]
)
async def test_bad_transaction_control_as_text(db_session: AsyncSession, sql: str) -> None:
    await write(db_session)
    await (await db_session.connection()).exec_driver_sql(sql)
    await write(db_session, "leak-2")
    await db_session.commit()


async def test_bad_release_of_the_harness_savepoint(db_session: AsyncSession) -> None:
    connection = await db_session.connection()
    await connection.exec_driver_sql("RELEASE SAVEPOINT loopsafe_test")
    await write(db_session)


async def test_bad_commit_on_the_driver_s_own_connection(db_session: AsyncSession) -> None:
    await write(db_session)
    raw = await (await db_session.connection()).get_raw_connection()
    driver = raw.driver_connection
    if hasattr(driver, "is_in_transaction"):  # asyncpg
        await driver.execute("COMMIT")
    else:  # psycopg, aiosqlite
        await driver.commit()
    await write(db_session, "leak-2")


async def test_bad_seed_script_that_commits(db_session: AsyncSession) -> None:
    raw = await (await db_session.connection()).get_raw_connection()
    driver = raw.driver_connection
    script = "INSERT INTO items (name) VALUES ('leak'); CREATE TABLE leak (x int); COMMIT;"
    await (driver.executescript if hasattr(driver, "executescript") else driver.execute)(script)


async def test_bad_engine_of_its_own_on_the_test_database(
    client: AsyncClient, db_engine: AsyncEngine
) -> None:
    engine = database.create_engine(
        load_settings(database_url=db_engine.url.render_as_string(hide_password=False))
    )
    sessions = async_sessionmaker(engine, expire_on_commit=False)

    async def own_session():  # FastAPI's docs' recipe for testing with a database
        async with sessions() as session:
            yield session
            await session.commit()

    app.dependency_overrides[get_db] = own_session
    try:
        assert (await client.post("/items", json={"name": "leak"})).status_code == 201
    finally:
        await engine.dispose()


async def test_bad_create_engine_in_a_test() -> None:
    engine = database.create_engine()
    try:
        async with engine.begin() as connection:
            await connection.execute(insert(Item).values(name="leak"))
    finally:
        await engine.dispose()


async def test_bad_session_state_left_on_the_connection(db_session: AsyncSession) -> None:
    connection = await db_session.connection()
    if connection.dialect.name == "sqlite":
        await connection.exec_driver_sql("PRAGMA case_sensitive_like = ON")
        await connection.exec_driver_sql("PRAGMA query_only = ON")
        driver = (await connection.get_raw_connection()).driver_connection
        await driver.create_function("leaked", 0, lambda: 1)
    else:
        await connection.exec_driver_sql("SELECT pg_advisory_lock(42)")


@pytest.mark.timeout(0.5)
async def test_bad_killed_by_a_timeout_mid_query(db_session: AsyncSession) -> None:
    await write(db_session)
    await db_session.execute(text(SLOW_QUERY[db_session.bind.dialect.name]))


@pytest.mark.timeout(0.5)
async def test_bad_stuck_where_nothing_can_stop_it(db_session: AsyncSession) -> None:
    # SQLite: interrupt() takes effect only once the Python function returns, long after
    # every harness step's time bound. (PostgreSQL cancels any query: the same as above.)
    await write(db_session)
    connection = await db_session.connection()
    if connection.dialect.name == "sqlite":
        driver = (await connection.get_raw_connection()).driver_connection
        await driver.create_function("stuck", 0, lambda: time.sleep(30) or 1)
        await connection.exec_driver_sql("SELECT stuck()")
    else:
        await connection.exec_driver_sql(SLOW_QUERY["postgresql"])


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


@pytest.mark.asyncio(loop_scope="function")
async def test_bad_own_loop_opens_a_connection(db_engine: AsyncEngine) -> None:
    async with db_engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


def test_bad_bare_testclient() -> None:
    with TestClient(app) as http:
        assert http.post("/items", json={"name": "leak"}).status_code == 201
""")

CANARY = Template("""

async def test_canary_after_$name(client: AsyncClient, db_session: AsyncSession) -> None:
    await check_nothing_survived(client, db_session)
""")

ENDED = ("error", "db_session.commit()")
# PostgreSQL refuses a second connection to the test database; SQLite's is found out.
ELSEWHERE = {
    "sqlite": ("error", "Another connection committed"),
    "postgresql": ("failure", "not currently accepting connections"),
}

# How each bad test must end, by database where they differ: "failure" (its call, and only
# that), "error" (reported by the harness, after a failed call or not) or "passed", and words
# from the messages that say what to do.
EXPECTED: dict[str, dict[str, tuple[str, str]]] = {
    "test_first_with_a_tight_timeout": {"any": ("passed", "")},
    "test_bad_anyio_marker": {"any": ("error", "Remove the marker")},
    "test_bad_isolated_asyncio": {"any": ("error", "IsolatedAsyncioTestCase")},
    "test_bad_commit_of_the_connection": {"any": ENDED},
    "test_bad_rollback_of_the_connection_then_writes": {"any": ENDED},
    "test_bad_transaction_control_as_text": {"any": ENDED},
    "test_bad_release_of_the_harness_savepoint": {"any": ENDED},
    "test_bad_commit_on_the_driver_s_own_connection": {"any": ENDED},
    "test_bad_seed_script_that_commits": {"any": ENDED},
    # The app answers 500 (asyncpg) or 503 (psycopg) to the request that could not connect.
    "test_bad_engine_of_its_own_on_the_test_database": {
        **ELSEWHERE,
        "postgresql": ("failure", "== 201"),
    },
    "test_bad_create_engine_in_a_test": ELSEWHERE,
    "test_bad_session_state_left_on_the_connection": {"any": ("passed", "")},
    "test_bad_killed_by_a_timeout_mid_query": {"any": ("failure", "Timeout")},
    "test_bad_stuck_where_nothing_can_stop_it": {"any": ("failure", "Timeout")},
    "test_bad_raced_sessions_one_waiting_on_the_other": {"any": ("failure", "sessions take turns")},
    "test_bad_task_outlives_its_test": {"any": ("error", "left task(s) running")},
    "test_bad_own_loop_opens_a_connection": {"any": ("failure", "loop_scope='function'")},
    "test_bad_bare_testclient": {"any": ("failure", "sync_client")},
}


def probe(package: str) -> str:
    """The probe module: every bad test, each followed by a canary."""
    text = PROBE.substitute(package=package)
    for name in EXPECTED:
        marker = f"def {name}(" if "isolated" not in name else "class TestBadIsolatedAsyncio("
        head, _, tail = text.partition(marker)
        end = tail.find("\n\n\n")
        end = len(tail) if end == -1 else end
        canary = CANARY.substitute(name=name.removeprefix("test_"))
        text = head + marker + tail[:end] + canary + tail[end:]
    return text

"""The harness's errors. Each message says what went wrong and what to do instead.

Owned by the Loopsafe template: `copier update` keeps this file current.

They derive from RuntimeError on purpose: the app maps database errors (SQLAlchemy's, OSError,
TimeoutError) to 503 "unavailable", and a harness error must surface as itself, never as an
outage.
"""


class HarnessError(RuntimeError):
    """The test used the database in a way the harness cannot isolate."""


class LoopSafetyError(HarnessError):
    """A connection was used from an event loop other than the one that opened it."""


class IsolationError(HarnessError):
    """Work would have run, or committed, outside the test's rolled-back transaction."""


OTHER_LOOP = (
    "The test database's connection belongs to the test session's event loop, and this one "
    "was used, or opened, from another loop. asyncpg fails on this ('attached to a different "
    "loop'); psycopg and aiosqlite hide it, and a connection left behind in a loop that has "
    "closed would break a later test. Common causes: Starlette's TestClient, which runs the "
    "app in a thread with its own loop (use the `sync_client` fixture in a `def` test, or "
    "`client` in an `async def` test), and `loop_scope='function'` on a test or fixture (keep "
    "every async test and fixture in the session loop)."
)

APP_ENGINE = (
    "`database.engine` is not used in tests, and this code used it directly (e.g. "
    "`database.engine.begin()`, `AsyncSession(database.engine)`, or an engine imported before "
    "the test started); so would work that runs outside any test, such as a module-scoped "
    "fixture or a task left over from an earlier test, or a request served by Starlette's "
    "TestClient (use `sync_client`). Reach the database through the seam: `get_db`, "
    "`database.session_scope()` or `database.begin()`; each joins the test's transaction. "
    "For work that must really commit, use `scratch_database`."
)

SECOND_CONNECTION = (
    "A test runs on one connection, and this opened another one on the test database (e.g. "
    "`db_engine.connect()`): its work would escape the test's transaction. Use `db_session`, "
    "`client`, `database.session_scope()` or `database.begin()`; for work that must really "
    "commit, use `scratch_database`."
)

TRANSACTION_ENDED = (
    "The test ended its own transaction: COMMIT, END or ROLLBACK sent as SQL, "
    "`connection.commit()` or `.rollback()` on the test's connection, a savepoint of the "
    "harness released, or a commit on the driver's own connection. What it wrote may have been committed, so "
    "the harness put the test database back to its migrated state. Commit or roll back the "
    "session instead (`await db_session.commit()`, `await db_session.rollback()`): within a "
    "test each is a savepoint."
)

WRITTEN_ELSEWHERE = (
    "Another connection committed to the test database during this test (an engine of the "
    "test's own on `db_engine.url`, `database.create_engine()`, a served process), so the "
    "harness put it back to its migrated state. Use `client`, `sync_client` or the database "
    "module's seam, which join the test's transaction; for work that must really commit, use "
    "`scratch_database`."
)

STUCK = (
    "The harness could not end the test's transaction within {seconds:g} s (a query still "
    "running, or a driver that does not answer): it abandoned the connection and restored the "
    "test database."
)

LEFTOVER_TASKS = (
    "The test left task(s) running that could still use the database after it ended: {tasks}. "
    "The harness cancelled them so that they cannot write into the next test. Await every "
    "task the test (or the code it calls) starts before the test returns."
)

ANYIO_MARKER = (
    "This test is marked `@pytest.mark.anyio`: anyio would run it in an event loop of its own, "
    "while the database harness lives in the test session's loop (pytest-asyncio). Remove the "
    "marker: with `asyncio_mode = auto` every `async def` test runs in the session loop "
    "without one."
)

UNITTEST_ASYNC = (
    "unittest's IsolatedAsyncioTestCase runs each test in an event loop of its own, while the "
    "database harness lives in the test session's loop (pytest-asyncio). Write the test as an "
    "`async def test_...` function (or a plain class whose methods are `async def`), with the "
    "`db_session` and `client` fixtures."
)

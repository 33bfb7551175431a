"""The harness's own errors. Each message says what went wrong and what to do instead.

They derive from RuntimeError on purpose: the app maps database errors (SQLAlchemy's, OSError,
TimeoutError) to 503 "unavailable", and a harness error must surface as itself, never as an
outage.
"""


class HarnessError(RuntimeError):
    """The test used the database in a way its one connection cannot serve."""


class LoopSafetyError(HarnessError):
    """A connection was used from an event loop other than the one that opened it."""


class IsolationError(HarnessError):
    """A statement would have run, or committed, outside the test's rolled-back transaction."""


OTHER_LOOP = (
    "The test database's connections belong to the test session's event loop, and this one "
    "was used, or opened, from another loop. asyncpg fails on this ('attached to a different "
    "loop'); psycopg and aiosqlite hide it, and a connection left behind in a loop that has "
    "closed would break a later test. "
    "Common causes: Starlette's TestClient, which runs the app in a thread with its own loop "
    "(use the `sync_client` fixture in a `def` test, or `client` in an `async def` test), and "
    "`loop_scope='function'` on a test or fixture (keep every async test and fixture in the "
    "session loop)."
)

OWN_CONNECTION = (
    "A statement ran on a connection of its own, outside the rolled-back transaction of a test: "
    "e.g. `db_engine.connect()` in a test, a module- or session-scoped fixture writing data, or "
    "work that goes on after its test ended. Inside a test use `db_session`, `client`, "
    "`database.session_scope()` or `database.engine` (they all join the test's transaction); "
    "create shared test data in function-scoped fixtures; for work that must really commit, use "
    "`scratch_database`."
)

APP_ENGINE_KEPT = (
    "This is the app's own engine, kept from before the test harness replaced it (e.g. `from "
    "<package>.database import engine` at import time). Use `database.engine` and "
    "`database.session_factory` through the module: during a test they join its transaction."
)

OUTER_COMMIT = (
    "The test's own transaction was committed (e.g. `(await db_session.connection()).commit()`): "
    "that would make the test's data permanent, so the harness refuses it. Commit the session "
    "instead (`await db_session.commit()`): within a test that releases a savepoint, and "
    "everything is rolled back when the test ends."
)

OUTER_ROLLBACK = (
    "The test's own transaction was rolled back or closed (e.g. `(await "
    "db_session.connection()).rollback()` or `.close()`): that would throw away the savepoints "
    "every session of the test stands on, so the harness refuses it. Roll back the session "
    "instead (`await db_session.rollback()`)."
)

ANYIO_MARKER = (
    "This test is marked `@pytest.mark.anyio`: anyio would run it in an event loop of its own, "
    "while the database harness lives in the test session's loop (pytest-asyncio). Remove the "
    "marker: with `asyncio_mode = auto` every `async def` test runs in the session loop "
    "without one."
)

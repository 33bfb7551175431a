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


SEAM = (
    "Reach the database through `db_session`, `client`/`sync_client` or the seam "
    "(`get_db`, `database.session_scope()`, `database.begin()`): they join the test's "
    "transaction. For work that must really commit, use `scratch_database`."
)
OTHER_LOOP = (
    "The test's connection belongs to the test session's event loop, and this one was used, or "
    "opened, from another loop (asyncpg: 'attached to a different loop'). Causes: Starlette's "
    "TestClient, whose app runs in a loop of its own (use `sync_client` in a `def` test, or "
    "`client` in an `async def` test), or `loop_scope='function'` on a test or fixture."
)
APP_ENGINE = (
    "`database.engine` is not used in tests, and this code used it: directly "
    "(`database.engine.begin()`, `AsyncSession(database.engine)`), or by running outside any "
    "test (a module-scoped fixture, a task left over, a request served by Starlette's TestClient: "
    f"use `sync_client`). {SEAM}"
)
SECOND_CONNECTION = (
    "A test runs on one connection, and this opened another one on the test database (e.g. "
    f"`db_engine.connect()`): its work would escape the test's transaction. {SEAM}"
)
TRANSACTION_ENDED = (
    "The test ended its own transaction (COMMIT, END or ROLLBACK as SQL, `.commit()` or "
    "`.rollback()` on its connection, a release of the harness's savepoint, a commit on the "
    "driver's connection), so the harness put the test database back to its migrated state. "
    "Commit or roll back the session instead (`await db_session.commit()`, `await "
    "db_session.rollback()`): within a test each is a savepoint."
)
WRITTEN_ELSEWHERE = (
    "Another connection committed to the test database during this test (an engine of the "
    "test's own, `database.create_engine()`, a served process), so the harness put it back to "
    f"its migrated state. {SEAM}"
)
STUCK = (
    "The harness could not end the test's transaction within {seconds:g} s (a query still "
    "running, or a driver that does not answer): it abandoned the connection and restored the "
    "test database."
)
LEFTOVER_TASKS = (
    "The test left task(s) running that could still use the database after it ended: {tasks}. "
    "The harness cancelled them. Await every task the test (or the code it calls) starts."
)
ANYIO_MARKER = (
    "This test is marked `@pytest.mark.anyio`: anyio would run it in an event loop of its own, "
    "away from the test session's loop where the database harness lives. Remove the marker: "
    "with `asyncio_mode = auto` every `async def` test runs in the session loop."
)
UNITTEST_ASYNC = (
    "unittest's IsolatedAsyncioTestCase runs each test in an event loop of its own, away from "
    "the test session's loop where the database harness lives. Write the test as an `async def "
    "test_...` function (or a plain class of them) using the `db_session` and `client` fixtures."
)

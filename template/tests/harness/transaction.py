"""The test's transaction: SQLAlchemy's recipe for test suites, and the checks that make its
promise hold whatever the test did.

Owned by the Loopsafe template: `copier update` keeps this file current.

Each test gets the harness's one connection, `begin()`, and a savepoint only the harness ends
(the marker). Sessions and Core work join above it. At the end, `ROLLBACK TO` the marker asks
the server whether the test's transaction still stands: if the test ended it in any way (SQL
text, the driver's own connection, `connection.rollback()`), the marker is gone and the harness
restores the database. Every step has a time bound; a connection that does not answer in time
is abandoned, and the database restored.
https://docs.sqlalchemy.org/en/21/orm/session_transaction.html#joining-a-session-into-an-external-transaction-such-as-for-test-suites
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import provision
from .errors import LEFTOVER_TASKS, STUCK, TRANSACTION_ENDED, WRITTEN_ELSEWHERE

if TYPE_CHECKING:
    from sqlalchemy.engine import URL
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

STEP_TIMEOUT = 5.0  # seconds any one harness step may take before the harness gives up on it
MARKER = "loopsafe_test"  # the savepoint only the harness ends


@dataclass
class Harness:
    """The test session's state: its database, its engine and the loop both belong to."""

    url: URL
    engine: AsyncEngine
    loop: asyncio.AbstractEventLoop


@dataclass
class TestTransaction:
    connection: AsyncConnection
    stamp: Any  # what the database looked like from outside, to compare at the end
    tasks_before: set[asyncio.Task[Any]] = field(default_factory=set)
    sessions: list[AsyncSession] = field(default_factory=list)  # the harness's, to close

    __test__ = False  # not a test class, whatever pytest thinks of the name


async def begin(harness: Harness) -> TestTransaction:
    tasks_before = asyncio.all_tasks()
    stamp = provision.stamp(harness.url)
    async with asyncio.timeout(STEP_TIMEOUT):
        connection = await harness.engine.connect()
        try:
            await connection.begin()
            await provision.mark(connection, MARKER)  # SQLAlchemy's savepoints live above it
        except BaseException:
            await _bounded(connection.invalidate, connection.close)
            raise
    return TestTransaction(connection, stamp, tasks_before)


async def end(harness: Harness, test: TestTransaction, *, failed: bool) -> list[str]:
    """End the test's transaction and put the database back if need be; return what to
    report. A test that failed already (e.g. stopped mid-query by a timeout, its connection in
    doubt) gets no second report, unless it ended its transaction or another connection wrote:
    then its failure alone would not say what to do."""
    connection, problems, explain = test.connection, [], []
    if failed:  # perhaps stopped mid-query: a query cancelling cannot reach stops first
        await _bounded(lambda: provision.interrupt(connection))
    leftovers = await _cancel_leftovers(test.tasks_before)
    if leftovers:
        problems.append(LEFTOVER_TASKS.format(tasks=", ".join(leftovers)))
        await _bounded(lambda: provision.interrupt(connection))
    kept = False
    try:
        async with asyncio.timeout(STEP_TIMEOUT):
            intact = await _still_the_test_s(connection)
            if not intact and not connection.invalidated:
                explain.append(TRANSACTION_ENDED)
            if provision.stamp(harness.url) != test.stamp:
                explain.append(WRITTEN_ELSEWHERE)
            if intact and not explain:  # then the connection may serve the next test
                await provision.release(connection)
                kept = True
    except Exception:  # the time bound, or a connection that broke while being ended
        problems.append(STUCK.format(seconds=STEP_TIMEOUT))
    if not kept:  # the next test gets a new connection
        await _bounded(connection.invalidate, connection.close)
    await _bounded(*(session.close for session in test.sessions))  # after ROLLBACK: no SQL
    if not kept:
        provision.restore(harness.url)
    return explain + ([] if failed else problems)


async def _still_the_test_s(connection: AsyncConnection) -> bool:
    """Roll back to the marker; the server refuses if the test's transaction was ended."""
    # Refused: the server's answer, or the driver's or SQLAlchemy's after an earlier one.
    with contextlib.suppress(Exception):
        if not connection.invalidated:
            await provision.roll_back_to(connection, MARKER)
            return True
    return False


async def _bounded(*steps: Callable[[], Awaitable[object]]) -> None:
    """Each step within STEP_TIMEOUT; one that fails or overruns is given up."""
    for step in steps:
        with contextlib.suppress(Exception):
            async with asyncio.timeout(STEP_TIMEOUT):
                await step()


async def _cancel_leftovers(before: set[asyncio.Task[Any]]) -> list[str]:
    """Cancel the tasks the test started and left running; name those nobody had cancelled."""
    current = asyncio.current_task()
    leftovers = [task for task in asyncio.all_tasks() - before if task is not current]
    reported = [
        f"{task.get_name()} ({getattr(task.get_coro(), '__qualname__', '?')})"
        for task in leftovers
        if not task.cancelling()
    ]
    for task in leftovers:
        task.cancel()
    if leftovers:
        await asyncio.wait(leftovers, timeout=STEP_TIMEOUT)
    for task in leftovers:
        if task.done() and not task.cancelled():
            task.exception()  # retrieved: it belongs to the test, which is reported
    return reported

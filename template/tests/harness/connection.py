"""The test's connection: one per test, in a transaction that is rolled back at its end.

SQLAlchemy's recipe, "Joining a Session into an External Transaction (such as for test
suites)": a connection from the harness's pool, `begin()`, sessions bound to it with
`join_transaction_mode="create_savepoint"`, and at the end `rollback()` and `close()`.
https://docs.sqlalchemy.org/en/21/orm/session_transaction.html#joining-a-session-into-an-external-transaction-such-as-for-test-suites

Ending a test is also where a bad test is contained: tasks it left running are cancelled and
reported, and a connection whose state is in doubt (the test failed or timed out, a task was
still using it, its transaction is gone) is thrown away instead of returned to the pool, so the
next test always starts on a clean connection.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .turns import Turns

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, AsyncTransaction

LEFTOVER_TASK_GRACE = 3.0  # seconds a leftover task gets to finish, then again once cancelled


@dataclass
class TestConnection:
    """What the guards and the joined engine need to know about the running test."""

    connection: AsyncConnection
    tasks_before: set[asyncio.Task[object]]
    transaction: AsyncTransaction | None = None
    turns: Turns = field(default_factory=Turns)
    sessions: list[AsyncSession] = field(default_factory=list)
    ending: bool = False  # the harness itself is rolling back: allow it

    __test__ = False  # not a test class, whatever pytest thinks of the name

    @property
    def sync_connection(self) -> Connection:
        return self.connection.sync_connection  # type: ignore[return-value]


class Current:
    """The running test's connection; None between tests, when every statement is refused."""

    test: TestConnection | None = None


async def begin(engine: AsyncEngine) -> TestConnection:
    tasks_before = asyncio.all_tasks()
    connection = await engine.connect()
    test = TestConnection(connection, tasks_before)
    Current.test = test  # before BEGIN: SQLite's transaction fix sends it as a statement
    try:
        test.transaction = await connection.begin()
    except BaseException:
        Current.test = None
        await connection.close()
        raise
    return test


async def end(test: TestConnection, *, test_failed: bool) -> list[str]:
    """Roll back and release the test's connection; return the leftover tasks it cancelled."""
    Current.test = None  # from now on, work that outlives the test is refused
    leftovers = await _cancel_leftover_tasks(test.tasks_before)
    test.ending = True
    connection = test.connection
    in_doubt = test_failed or bool(leftovers) or connection.invalidated
    try:
        if in_doubt or test.transaction is None or not test.transaction.is_active:
            await _throw_away(test)
        else:
            await test.transaction.rollback()
    except Exception:
        if not connection.invalidated:
            await connection.invalidate()
        raise
    finally:
        # Closed after the rollback, which already discarded their savepoints: closing first
        # would send a ROLLBACK TO SAVEPOINT just before the ROLLBACK.
        for session in test.sessions:
            await session.close()
        await connection.close()
    return leftovers


async def _throw_away(test: TestConnection) -> None:
    """Roll back if the connection still can (SQLite keeps its file locked until then), then
    discard it: the pool opens a fresh one for the next test."""
    connection = test.connection
    if not connection.invalidated and test.transaction is not None and test.transaction.is_active:
        try:
            await asyncio.wait_for(test.transaction.rollback(), LEFTOVER_TASK_GRACE)
        except Exception:  # busy, broken or gone: discarding it is what follows anyway
            pass
    if not connection.invalidated:
        await connection.invalidate()


async def _cancel_leftover_tasks(before: set[asyncio.Task[object]]) -> list[str]:
    """Cancel the tasks the test started and left running; name those nobody had cancelled."""
    current = asyncio.current_task()
    leftovers = [task for task in asyncio.all_tasks() - before if task is not current]
    reported = [_name(task) for task in leftovers if not task.cancelling()]
    if leftovers:
        # First let them finish what they are doing (a test stopped by a timeout mid-query
        # is one of them): a driver cancelled mid-query is dropped, not closed, and SQLite
        # keeps its file locked until it is. Meanwhile Current.test is None: no statement
        # of theirs can reach the database any more.
        _, pending = await asyncio.wait(leftovers, timeout=LEFTOVER_TASK_GRACE)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=LEFTOVER_TASK_GRACE)
        for task in leftovers:
            if task.done() and not task.cancelled():
                task.exception()  # retrieved: it belongs to the test, which is reported
    return reported


def _name(task: asyncio.Task[object]) -> str:
    coro = task.get_coro()
    return f"{task.get_name()} ({getattr(coro, '__qualname__', repr(coro))})"

"""Sessions take turns on the test's one connection.

Every session of a test (the test's own, each request's, each `session_scope()`, Core on
`database.engine`) works inside a SAVEPOINT on the test's connection. Savepoints form a stack:
releasing one releases every savepoint opened after it. So that each session's savepoint stays
whole while several run concurrently (`asyncio.gather` over requests or `session_scope()`
blocks), a task may use the connection only while the savepoint on top of the stack is its own,
belongs to a task it descends from that had used the connection before creating it (it runs
nested inside that task's work), or belongs to a task that has finished (whose session is now
used by another task, e.g. `db_session` filled in a fixture). Otherwise it waits for its turn, and after `TURN_TIMEOUT` fails with an error that
names the task holding the connection: in production the two would have had a connection each.

`Turns.before_statement` sees every statement before the driver does (a `before_cursor_execute`
hook); SAVEPOINT, RELEASE and ROLLBACK TO are statements too, so the stack follows what the
server does, whoever sent them.
"""

from __future__ import annotations

import asyncio
import contextvars
from dataclasses import dataclass

from .errors import HarnessError

TURN_TIMEOUT = 5.0  # seconds a session may wait for the connection before the test fails

# The tasks on the way from the test down to the current one that have used its connection,
# with the test's Turns: asyncio copies a task's context into the tasks it creates, so this is
# their ancestry. A context carried over from an earlier test names that test's Turns, and is
# ignored.
_Lineage = tuple["Turns | None", tuple[asyncio.Task[object] | None, ...]]
_lineage: contextvars.ContextVar[_Lineage] = contextvars.ContextVar(
    "loopsafe_lineage", default=(None, ())
)


@dataclass
class _Savepoint:
    name: str
    owner: asyncio.Task[object] | None


class Turns:
    """The savepoint stack of one test's connection, and whose turn it is."""

    def __init__(self) -> None:
        self._stack: list[_Savepoint] = []
        self._waiters: list[asyncio.Future[None]] = []

    def open_savepoints(self) -> list[str]:
        return [savepoint.name for savepoint in self._stack]

    def before_statement(self, statement: str) -> None:
        """Wait for the current task's turn if need be, then record what `statement` does to
        the savepoint stack. Runs in SQLAlchemy's greenlet, as the drivers' own I/O does."""
        task = _current_task()
        if not self._may_use(task):
            # await_() suspends this statement until it is this task's turn: the API that
            # SQLAlchemy's async dialects use for the driver's I/O.
            from sqlalchemy.util import await_

            await_(self._wait_for_turn(task))
        ancestors = self._ancestors()
        if not ancestors or ancestors[-1] is not task:
            _lineage.set((self, (*ancestors, task)))
        if statement.startswith("SAVEPOINT "):
            self._stack.append(_Savepoint(statement[10:].strip(), task))
        elif statement.startswith("RELEASE SAVEPOINT "):
            self._end(statement[18:].strip(), task)
        elif statement.startswith("ROLLBACK TO SAVEPOINT "):
            self._end(statement[22:].strip(), task)

    async def _wait_for_turn(self, task: asyncio.Task[object] | None) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + TURN_TIMEOUT
        while not self._may_use(task):
            waiter: asyncio.Future[None] = loop.create_future()
            self._waiters.append(waiter)
            try:
                await asyncio.wait_for(waiter, deadline - loop.time())
            except TimeoutError:
                raise HarnessError(self._stuck(task)) from None
            finally:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)

    def _ancestors(self) -> tuple[asyncio.Task[object] | None, ...]:
        turns, tasks = _lineage.get()
        return tasks if turns is self else ()

    def _end(self, name: str, task: asyncio.Task[object] | None) -> None:
        """RELEASE and ROLLBACK TO end this savepoint and every one opened after it."""
        for index in range(len(self._stack) - 1, -1, -1):
            if self._stack[index].name == name:
                break
        else:
            return  # not one of ours: the server will say so
        later = [s for s in self._stack[index + 1 :] if s.owner is task and not _done(s.owner)]
        if later:
            raise HarnessError(
                f"Savepoint {name} ends while savepoint {later[0].name}, opened after it by the "
                "same task, is still open: two sessions of one task share the test's connection, "
                "so the one opened last must end first (commit, roll back or close it before "
                "committing the earlier one). In production each would have its own connection."
            )
        del self._stack[index:]
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)

    def _may_use(self, task: asyncio.Task[object] | None) -> bool:
        if not self._stack:
            return True
        owner = self._stack[-1].owner
        return owner is task or _done(owner) or owner in self._ancestors()

    def _stuck(self, task: asyncio.Task[object] | None) -> str:
        holder = self._stack[-1]
        return (
            f"{_describe(task)} waited {TURN_TIMEOUT:g} s for the test's database connection, "
            f"which {_describe(holder.owner)} holds (its savepoint {holder.name} is still open). "
            "A test runs on one connection, so sessions take turns: one session waiting for "
            "another that never ends its transaction cannot go on. Commit, roll back or close "
            "the holding session before starting the waiting one (e.g. `await db_session.commit()` "
            "before `asyncio.gather(...)` of requests), or use `scratch_database` for code that "
            "needs truly parallel transactions."
        )


def _current_task() -> asyncio.Task[object] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:  # no running loop: the loop guard reports that first
        return None


def _done(task: asyncio.Task[object] | None) -> bool:
    return task is not None and task.done()


def _describe(task: asyncio.Task[object] | None) -> str:
    if task is None:
        return "code outside any task"
    coro = task.get_coro()
    name = getattr(coro, "__qualname__", repr(coro))
    return f"task {task.get_name()!r} ({name})"

"""Event hooks on the harness's engine (and the app's) that turn the classic async-database
test bugs into immediate, clear failures. All are SQLAlchemy's public events:
https://docs.sqlalchemy.org/en/21/core/events.html

Owned by the Loopsafe template: `copier update` keeps this file current.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from . import provision
from .errors import APP_ENGINE, OTHER_LOOP, SECOND_CONNECTION, IsolationError, LoopSafetyError
from .transaction import Harness

if TYPE_CHECKING:
    from sqlalchemy.engine import ExceptionContext
    from sqlalchemy.ext.asyncio import AsyncEngine


def install(harness: Harness, app_engine: AsyncEngine) -> None:
    from sqlalchemy import event

    engine, loop = harness.engine.sync_engine, harness.loop

    def one_connection_in_this_loop(*_args: Any) -> None:  # before the driver connects
        check_loop()
        if engine.pool.checkedout() > 1:  # type: ignore[attr-defined]
            raise IsolationError(SECOND_CONNECTION)

    def check_loop(*_args: Any) -> None:  # before each statement, too
        if asyncio.get_running_loop() is not loop:
            raise LoopSafetyError(OTHER_LOOP)

    event.listen(engine, "do_connect", one_connection_in_this_loop)
    event.listen(engine, "connect", lambda *args: provision.after_connect(harness.url, *args))
    event.listen(engine, "before_cursor_execute", check_loop)
    event.listen(engine, "handle_error", contain_cancellation)
    event.listen(app_engine.sync_engine, "do_connect", refuse_app_engine)


def refuse_app_engine(*_args: Any) -> None:
    """During tests the app's own engine would reach a database outside every test."""
    raise IsolationError(APP_ENGINE)


def contain_cancellation(context: ExceptionContext) -> None:
    """A cancelled statement (`asyncio.timeout`, `wait_for`, a TaskGroup sibling failing)
    costs its session its savepoint, as in production it costs that session its connection:
    the test's one connection stays, for the test's other sessions. (The drivers finish the
    cancellation themselves: asyncpg and psycopg ask PostgreSQL to cancel the query.)"""
    if isinstance(context.original_exception, asyncio.CancelledError):
        context.is_disconnect = False

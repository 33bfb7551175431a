"""Event hooks that turn the classic async-database test bugs into immediate, clear failures.

Installed once per test session on the harness's engine (and, to refuse it, on the app's own):
- a connection used from another event loop (LoopSafetyError);
- a statement on any connection but the running test's, or between tests (IsolationError);
- a commit or rollback of the test's own transaction, or COMMIT/ROLLBACK sent as text;
- sessions of one test waiting for their turn on its connection (turns.py).
All are SQLAlchemy's public events: https://docs.sqlalchemy.org/en/21/core/events.html
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .connection import Current
from .errors import (
    APP_ENGINE_KEPT,
    OTHER_LOOP,
    OUTER_COMMIT,
    OUTER_ROLLBACK,
    OWN_CONNECTION,
    IsolationError,
    LoopSafetyError,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlalchemy.ext.asyncio import AsyncEngine
    from sqlalchemy.orm import Session, SessionTransaction

# Transaction control sent as SQL text would end the test's transaction behind SQLAlchemy's back.
_ENDS_TRANSACTION = ("COMMIT", "END", "ROLLBACK")


def install(engine: AsyncEngine, app_engine: AsyncEngine) -> None:
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    sync_engine = engine.sync_engine
    session_loop = asyncio.get_running_loop()  # db_engine's: every test's connection is used here
    event.listen(sync_engine, "connect", _opened_in(session_loop))
    event.listen(sync_engine, "before_cursor_execute", _before_statement(session_loop))
    event.listen(sync_engine, "commit", _refuse_outer(OUTER_COMMIT))
    event.listen(sync_engine, "rollback", _refuse_outer(OUTER_ROLLBACK))
    event.listen(app_engine.sync_engine, "do_connect", _refuse_app_engine)
    if not event.contains(Session, "after_transaction_create", _join_with_savepoints):
        event.listen(Session, "after_transaction_create", _join_with_savepoints)


def _opened_in(session_loop: asyncio.AbstractEventLoop) -> Callable[[Any, Any], None]:
    """A `connect` hook: every connection of the harness's pool is opened in the session loop.

    One opened in another loop (a test with `loop_scope="function"` calling
    `db_engine.connect()`) would go back to the pool and break whichever test took it next,
    after its loop had closed. Refused here, SQLAlchemy closes it at once, in its own loop.
    """

    def check(_dbapi_connection: Any, _record: Any) -> None:
        if asyncio.get_running_loop() is not session_loop:
            raise LoopSafetyError(OTHER_LOOP)

    return check


def _before_statement(session_loop: asyncio.AbstractEventLoop) -> Callable[..., None]:
    """A `before_cursor_execute` hook: the loop, the test's own connection, no transaction
    control as text, then the statement's turn (turns.py)."""

    def check(connection: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
        if asyncio.get_running_loop() is not session_loop:
            raise LoopSafetyError(OTHER_LOOP)
        test = Current.test
        if test is None or connection is not test.sync_connection:
            raise IsolationError(OWN_CONNECTION)
        keyword = statement.lstrip()[:9].upper()
        if keyword.startswith(_ENDS_TRANSACTION) and not keyword.startswith("ROLLBACK "):
            ended = OUTER_ROLLBACK if keyword.startswith("ROLLBACK") else OUTER_COMMIT
            raise IsolationError(ended)
        test.turns.before_statement(statement)

    return check


def _refuse_outer(message: str) -> Callable[[Connection], None]:
    """A `commit` or `rollback` hook: the test's own transaction ends only when the harness
    ends it, after the test."""

    def refuse(connection: Connection) -> None:
        test = Current.test
        if test is not None and connection is test.sync_connection and not test.ending:
            raise IsolationError(message)

    return refuse


def _refuse_app_engine(*_args: Any) -> None:
    raise IsolationError(APP_ENGINE_KEPT)


def _join_with_savepoints(session: Session, transaction: SessionTransaction) -> None:
    """`AsyncSession(database.engine)` binds to the test's connection: make it join with
    savepoints too, as sessions from `database.session_factory` do (the recipe's mode)."""
    test = Current.test
    if test is not None and transaction.parent is None and session.bind is test.sync_connection:
        session.join_transaction_mode = "create_savepoint"

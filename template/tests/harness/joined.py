"""`database.engine` during tests: Core code on the app's engine joins the test's transaction.

App code may use the engine directly (`async with database.engine.begin() as conn`,
`database.engine.connect()`, `AsyncSession(database.engine)`). In production each of those is a
connection and a transaction of its own; in a test each becomes a SAVEPOINT on the test's
connection, so it commits and rolls back as it would in production, takes its turn with the
other sessions, and is gone when the test ends.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from .connection import Current, TestConnection
from .errors import OWN_CONNECTION, IsolationError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncTransaction


def _running_test() -> TestConnection:
    test = Current.test
    if test is None:
        raise IsolationError(OWN_CONNECTION)
    return test


class JoinedEngine:
    """Stands in for the app's AsyncEngine; everything else is the harness engine's."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)  # url, dialect, name, ...

    @property
    def sync_engine(self) -> Connection:
        """What `AsyncSession(database.engine)` binds to: the test's connection."""
        return _running_test().sync_connection

    def connect(self) -> JoinedConnection:
        return JoinedConnection(_running_test().connection)

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[JoinedConnection]:
        async with self.connect() as connection, connection.begin():
            yield connection

    async def dispose(self, close: bool = True) -> None:
        """The harness owns the engine and disposes it at the end of the test session."""


class JoinedConnection:
    """AsyncConnection's interface; its transaction is a SAVEPOINT on the test's connection."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection
        self._own: AsyncTransaction | None = None
        self.closed = False

    def __await__(self) -> Generator[Any, None, JoinedConnection]:  # `await engine.connect()`
        yield from ()
        return self

    async def __aenter__(self) -> JoinedConnection:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)  # dialect, info, run_sync, ...

    def begin(self) -> AsyncTransaction:
        """Awaitable and an async context manager, as AsyncConnection.begin() is."""
        self._own = self._connection.begin_nested()
        return self._own

    def in_transaction(self) -> bool:
        return self._own is not None and self._own.is_active

    async def commit(self) -> None:
        if self.in_transaction():
            assert self._own is not None
            await self._own.commit()

    async def rollback(self) -> None:
        if self.in_transaction():
            assert self._own is not None
            await self._own.rollback()

    async def close(self) -> None:
        await self.rollback()  # as Connection.close() discards what was not committed
        self.closed = True

    async def _autobegin(self) -> AsyncConnection:
        if not self.in_transaction():
            self._own = await self._connection.begin_nested()
        return self._connection

    async def execute(self, *args: Any, **kwargs: Any) -> Any:
        return await (await self._autobegin()).execute(*args, **kwargs)

    async def scalar(self, *args: Any, **kwargs: Any) -> Any:
        return await (await self._autobegin()).scalar(*args, **kwargs)

    async def scalars(self, *args: Any, **kwargs: Any) -> Any:
        return await (await self._autobegin()).scalars(*args, **kwargs)

    async def exec_driver_sql(self, *args: Any, **kwargs: Any) -> Any:
        return await (await self._autobegin()).exec_driver_sql(*args, **kwargs)

    async def run_sync(self, *args: Any, **kwargs: Any) -> Any:
        return await (await self._autobegin()).run_sync(*args, **kwargs)

"""What each database driver needs beyond its URL: connect arguments (timeouts, PgBouncer's
transaction pooling) and, on SQLite, the fix that makes SAVEPOINT and transactional DDL work.

Owned by the Loopsafe template: `copier update` may change this file. Chosen at run time
from the engine's URL, so the module is the same in every service.
"""

from collections.abc import Callable
from typing import Any
from uuid import uuid4

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from .settings import Settings

# On PostgreSQL, DATABASE_PGBOUNCER=true: PgBouncer (transaction pooling) may hand each
# transaction a different server connection, so no prepared statement may be reused across
# transactions; and it refuses startup parameters such as statement_timeout, so
# DATABASE_STATEMENT_TIMEOUT is not sent (set it on the role instead: ALTER ROLE ... SET
# statement_timeout = '30s').


def _aiosqlite(settings: Settings) -> dict[str, Any]:
    # sqlite3's `timeout`: how long to wait for another connection's write lock.
    return {"timeout": settings.database_connect_timeout}


def _asyncpg(settings: Settings) -> dict[str, Any]:
    args: dict[str, Any] = {"timeout": settings.database_connect_timeout}
    if settings.database_pgbouncer:
        # https://docs.sqlalchemy.org/en/21/dialects/postgresql.html#prepared-statement-name-with-pgbouncer
        args.update(
            statement_cache_size=0,  # asyncpg's own cache
            prepared_statement_cache_size=0,  # SQLAlchemy's cache
            prepared_statement_name_func=lambda: f"__asyncpg_{uuid4()}__",
        )
    elif settings.database_statement_timeout:
        # Server-side: a slow query is cancelled by PostgreSQL instead of holding a pool slot.
        milliseconds = int(settings.database_statement_timeout * 1000)
        args["server_settings"] = {"statement_timeout": str(milliseconds)}
    return args


def _psycopg(settings: Settings) -> dict[str, Any]:
    # libpq takes whole seconds, and treats values below 2 as 2.
    args: dict[str, Any] = {"connect_timeout": max(2, round(settings.database_connect_timeout))}
    if settings.database_pgbouncer:
        # psycopg must never prepare statements server-side.
        # https://www.psycopg.org/psycopg3/docs/advanced/prepare.html#using-prepared-statements-with-pgbouncer
        args["prepare_threshold"] = None
    elif settings.database_statement_timeout:
        milliseconds = int(settings.database_statement_timeout * 1000)
        args["options"] = f"-c statement_timeout={milliseconds}"
    return args


# By the driver's name in the URL (`settings.url.get_driver_name()`); settings point every
# DATABASE_URL at the service's own driver, which is one of these.
_CONNECT_ARGS: dict[str, Callable[[Settings], dict[str, Any]]] = {
    "aiosqlite": _aiosqlite,
    "asyncpg": _asyncpg,
    "psycopg": _psycopg,
}


def connect_args(settings: Settings) -> dict[str, Any]:
    """`create_async_engine`'s connect_args for the driver DATABASE_URL names."""
    return _CONNECT_ARGS[settings.url.get_driver_name()](settings)


def install_hooks(engine: AsyncEngine) -> None:
    """Install the connection hooks the engine's database needs (SQLite: see below)."""
    if engine.dialect.name == "sqlite":
        _fix_sqlite_transactions(engine)


def _fix_sqlite_transactions(sqlite_engine: AsyncEngine) -> None:
    """Enforce foreign keys, and make SAVEPOINT and transactional DDL work.

    The sqlite3 driver emits no BEGIN before SAVEPOINT or DDL, so "rolled back" work would
    stay committed. SQLAlchemy's documented fix: turn off the driver's own transaction
    handling and emit BEGIN ourselves.
    https://docs.sqlalchemy.org/en/21/dialects/sqlite.html#sqlite-transactions
    """

    @event.listens_for(sqlite_engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(sqlite_engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN")

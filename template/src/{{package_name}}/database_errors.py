"""What a database error means: an outage that retrying later fixes, or a fault that it
never will; and the database's own message, fit for a log.

Owned by the Loopsafe template: `copier update` may change this file.

Errors are told apart at run time, the same way for every driver: by SQLAlchemy's exception
type, by the SQLSTATE that PostgreSQL attaches to its errors (asyncpg and psycopg both
expose it as `.sqlstate`), and by SQLite's result code (`.sqlite_errorname`).
"""

import socket

from sqlalchemy import exc
from sqlalchemy.engine import URL

from . import database

# Raised before SQLAlchemy can wrap anything: asyncpg's connect errors (connection refused,
# an unknown host, a connect timeout).
NETWORK_ERRORS: tuple[type[Exception], ...] = (ConnectionError, TimeoutError, socket.gaierror)

# PostgreSQL SQLSTATEs, whole classes or single codes, whose condition passes by itself:
# https://www.postgresql.org/docs/current/errcodes-appendix.html
TRANSIENT_SQLSTATES = (
    "08",  # connection exception: refused, lost, failed
    "53",  # insufficient resources: too many connections, out of memory, disk full
    "57P01",  # admin_shutdown: the server is shutting down, or killed this backend
    "57P02",  # crash_shutdown
    "57P03",  # cannot_connect_now: the server is starting up
    "57014",  # query_canceled: DATABASE_STATEMENT_TIMEOUT ran out
    "40001",  # serialization_failure
    "40P01",  # deadlock_detected
    "55P03",  # lock_not_available
)
# SQLite's primary result codes that do the same (https://sqlite.org/rescode.html).
# SQLITE_CANTOPEN: the file is out of reach (an unmounted volume), as a server can be.
TRANSIENT_SQLITE_CODES = frozenset(
    {
        "SQLITE_BUSY",
        "SQLITE_LOCKED",
        "SQLITE_CANTOPEN",
        "SQLITE_IOERR",
        "SQLITE_FULL",
        "SQLITE_NOMEM",
        "SQLITE_PROTOCOL",
    }
)


def is_outage(error: BaseException) -> bool:
    """True when retrying later can succeed: the database is down, restarting, unreachable
    or overloaded, the connection was lost, or no pooled connection became free in time.

    False for faults that retrying never fixes: a missing table or column (migrations not
    applied), a wrong query, a violated constraint, a value the column cannot hold.
    """
    if isinstance(error, (exc.TimeoutError, *NETWORK_ERRORS)):
        return True
    if not isinstance(error, exc.DBAPIError):
        return False
    if error.connection_invalidated:  # the dialect recognised a lost connection
        return True
    sqlstate = getattr(error.orig, "sqlstate", None)
    if isinstance(sqlstate, str) and sqlstate:
        return sqlstate.startswith(TRANSIENT_SQLSTATES)
    sqlite_code = getattr(error.orig, "sqlite_errorname", None)
    if isinstance(sqlite_code, str):
        primary = "_".join(sqlite_code.split("_")[:2])  # SQLITE_IOERR_READ -> SQLITE_IOERR
        return primary in TRANSIENT_SQLITE_CODES
    # No code at all: a driver's own connection-level error (psycopg: "connection failed").
    return isinstance(error, (exc.OperationalError, exc.InterfaceError))


def message(error: BaseException) -> str:
    """The database's (or driver's) own message, with the password masked. Neither the SQL
    statement's parameters nor the URL are part of it."""
    cause = error.orig if isinstance(error, exc.DBAPIError) and error.orig is not None else error
    return masked(f"{type(cause).__name__}: {cause}", database.current().engine.url)


def masked(text: str, url: URL) -> str:
    """`text` without the password of `url`."""
    return text.replace(url.password, "***") if url.password else text

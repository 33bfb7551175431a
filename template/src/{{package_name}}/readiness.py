"""Readiness: the database answers, and its schema has every migration this code ships.

Owned by the Loopsafe template: `copier update` may change this file.

A database that lacks a migration fails every query that needs it (no such table or
column), and retrying never helps: readiness reports it instead, naming the revisions to
apply, so that a deploy that skipped `alembic upgrade head` takes no traffic. A database
*ahead* of the code (a newer release migrated it while this one still runs, as in a rolling
deploy) is ready: its schema must suit both releases meanwhile.

Cheap enough for a probe: the code's heads are read from the migration scripts once per
process; each check reads only the database's `alembic_version`.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from sqlalchemy.engine import Connection

from . import database, database_errors

if TYPE_CHECKING:
    from alembic.script import ScriptDirectory

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Readiness:
    database: Literal["ok", "unreachable", "migrations pending"]
    pending: list[str]  # revisions the database lacks, oldest first


async def check() -> Readiness:
    """Never raises; answers within about twice `database.HEALTH_CHECK_TIMEOUT`."""
    if not await database.check_db_connection():
        return Readiness("unreachable", [])
    try:
        applied = await asyncio.wait_for(applied_revisions(), database.HEALTH_CHECK_TIMEOUT)
    except Exception as error:  # reported, never raised: a probe answers 503, not 500
        logger.error("Could not read the schema revision: %s", database_errors.message(error))
        return Readiness("unreachable", [])
    pending = pending_migrations(applied)
    if pending:
        logger.warning(
            "The database lacks migration(s) %s: run `alembic upgrade head`", ", ".join(pending)
        )
        return Readiness("migrations pending", pending)
    return Readiness("ok", [])


def pending_migrations(applied: Sequence[str]) -> list[str]:
    """The code's revisions that are not in `applied` (the database's), oldest first."""
    from alembic.script.revision import RevisionError

    script = _scripts()
    heads = tuple(script.get_heads())
    if set(applied) == set(heads):
        return []  # the usual answer, without walking the revisions
    try:
        missing = list(script.iterate_revisions(heads, tuple(applied)))
    except RevisionError:  # a revision this code does not know: the database is ahead
        return []
    return [revision.revision for revision in reversed(missing)]


async def applied_revisions() -> tuple[str, ...]:
    """The revisions the database is at: empty when it was never migrated."""
    async with database.session_scope() as session:
        connection = await session.connection()
        return await connection.run_sync(_current_heads)


def _current_heads(connection: Connection) -> tuple[str, ...]:
    from alembic.migration import MigrationContext

    # An empty tuple when the database was never migrated (no alembic_version table).
    return MigrationContext.configure(connection).get_current_heads()


@functools.cache
def _scripts() -> ScriptDirectory:
    """The migration scripts, read once per process (imports Alembic on first use)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(database.alembic_config())

"""The app's template-owned wiring: lifespan, error handlers, probes and telemetry.

Owned by the Loopsafe template: `copier update` may change this file. main.py (yours) calls
into it once, so wiring added by later template releases reaches your app without edits.
"""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from . import database, database_errors, readiness, telemetry
from .api import errors, probes
from .settings import get_settings

logger = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    if get_settings().environment == "development":
        await migrate_for_development()
    yield
    await database.close_db()  # dispose the pool in the loop that created it
    telemetry.flush()  # the last spans, before uvicorn ends the process


async def migrate_for_development() -> None:
    """Migrate a database that was never migrated, so that a fresh checkout just runs
    (production migrates as a deploy step). A database migrated before is left alone: a new
    revision is applied by `alembic upgrade head` once reviewed, never by a `--reload` that
    writing it triggered (/health and /readyz name it until then). A database that cannot be
    reached does not stop the app: it starts, says what to set, and /health answers 503."""
    try:
        applied = await readiness.applied_revisions()
        if applied:
            pending = readiness.pending_migrations(applied)
            if pending:
                logger.warning(
                    "Not applied at start-up: migration(s) %s. Review, then run "
                    "`alembic upgrade head`.",
                    ", ".join(pending),
                )
            return
        await database.init_db()
    except Exception as error:
        if not database_errors.is_outage(error):
            raise
        logger.warning(
            "The migrations were not applied: the database at %s cannot be reached (%s). "
            "Point DATABASE_URL at a database you can reach (docs/database.md), then restart; "
            "until then /health answers 503.",
            database.engine.url.set(query={}),  # str(URL) masks the password
            database_errors.message(error),
        )


def install(app: FastAPI) -> None:
    errors.install(app)  # database outages answer 503, not 500
    app.include_router(probes.router)  # /livez, /readyz (docs/operations.md)
    telemetry.install(app)  # logs, traces and /metrics (telemetry/)

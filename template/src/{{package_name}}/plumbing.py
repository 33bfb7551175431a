"""The app's template-owned wiring: lifespan, error handlers and telemetry.

Owned by the Loopsafe template: `copier update` may change this file. main.py (yours) calls
into it once, so wiring added by later template releases reaches your app without edits.
"""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from . import database, database_errors, telemetry
from .api import errors
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
    """Apply the migrations (production migrates as a deploy step). A database that cannot be
    reached does not stop the app: it starts, says what to set, and /health answers 503."""
    try:
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
    telemetry.install(app)  # logs, traces and /metrics (telemetry/)

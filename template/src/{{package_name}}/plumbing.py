"""The app's template-owned wiring: lifespan and error handlers.

Owned by the Loopsafe template: `copier update` may change this file. main.py (yours) calls
into it once, so wiring added by later template releases reaches your app without edits.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from . import database
from .api import errors
from .settings import get_settings


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    if get_settings().environment == "development":
        await database.init_db()  # apply migrations; production migrates as a deploy step
    yield
    await database.close_db()  # dispose the pool in the loop that created it


def install(app: FastAPI) -> None:
    errors.install(app)  # database outages answer 503, not 500

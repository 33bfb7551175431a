"""HTTP answers for database errors and invalid requests.

Owned by the Loopsafe template: `copier update` may change this file.

An outage (see `database_errors.is_outage`) answers 503 with Retry-After: the client may try
again, and the service recovers by itself when the database is back. Any other database
error is a fault that retrying never fixes (a migration not applied, a wrong query): a 500,
logged with the database's own message so that the log says what to fix.

An invalid request answers FastAPI's own 422, rendered so that it can echo any input.
"""

import json
import logging
import math
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc

from .. import database_errors

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


async def database_error(request: Request, error: Exception) -> JSONResponse:
    where = f"{request.method} {request.url.path}"
    if database_errors.is_outage(error):
        if isinstance(error, exc.TimeoutError):  # no pooled connection within the timeout
            detail = "All database connections are busy; try again shortly."
        else:
            detail = "The database is unavailable; try again shortly."
        logger.warning("Database unavailable during %s: %s", where, database_errors.message(error))
        return JSONResponse(
            {"detail": detail},
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    statement = error.statement if isinstance(error, exc.StatementError) else None
    logger.error(
        "Database error during %s that retrying will not fix (are the migrations applied?): "
        "%s [SQL: %s]",
        where,
        database_errors.message(error),
        statement,
    )
    return JSONResponse(
        {"detail": "Internal Server Error"}, status_code=status.HTTP_500_INTERNAL_SERVER_ERROR
    )


class EscapedJSONResponse(JSONResponse):
    """JSON with every non-ASCII character escaped. A JSON string may hold a lone surrogate
    (`"\\ud800"`), which UTF-8 cannot encode: echoed in FastAPI's 422 by the default
    renderer, it would turn a client's mistake into a 500."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, allow_nan=False, separators=(",", ":")).encode()


def _finite(number: float) -> float | str:
    # JSON has no NaN or Infinity; Python's parser accepts them in a request body.
    return number if math.isfinite(number) else str(number)


async def invalid_request(request: Request, error: Exception) -> JSONResponse:
    """FastAPI's own 422 body: `{"detail": [{"loc": ..., "msg": ..., "input": ...}]}`."""
    errors = error.errors() if isinstance(error, RequestValidationError) else []
    detail = jsonable_encoder(errors, custom_encoder={float: _finite})
    return EscapedJSONResponse(
        {"detail": detail}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, invalid_request)
    for error in (exc.DBAPIError, exc.TimeoutError, *database_errors.NETWORK_ERRORS):
        app.add_exception_handler(error, database_error)

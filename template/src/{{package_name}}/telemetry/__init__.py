"""Logs, traces and metrics: what a platform team reads about the service in production.

Owned by the Loopsafe template: `copier update` may change this package. plumbing.py calls
`install(app)` once; database.py calls `instrument_engine` on each engine it creates, so the
test harness's engine is traced exactly as production's is. docs/operations.md lists the
log fields, the OTEL_* variables and the metrics' names.
"""

from fastapi import FastAPI

from . import logs, metrics, middleware, pool, tracing
from .tracing import flush, instrument_engine

__all__ = ["flush", "install", "instrument_engine", "pool"]


def install(app: FastAPI) -> None:
    """Logging, the request middleware (request id, one log line, metrics), tracing and
    `/metrics`. Tracing exports only when OTEL_* variables say where (tracing.py)."""
    logs.configure()
    tracing.configure()
    app.add_middleware(middleware.RequestTelemetry)
    tracing.instrument_app(app)  # outermost: the request's span covers the middleware
    metrics.install(app)

"""Log lines: JSON in production (one object a line), readable text in development; each
carries the request's id, and the trace's and span's ids while tracing records.

Owned by the Loopsafe template: `copier update` may change this file. JSON is rendered by
python-json-logger. LOG_FORMAT (json | console) and LOG_LEVEL override the defaults.
"""

import logging
import sys
from contextvars import ContextVar

from opentelemetry import trace
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from ..settings import get_settings
from .settings import get_telemetry_settings

REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
CONSOLE_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
JSON_FIELDS = "%(levelname)s %(name)s %(message)s"
# uvicorn adds `color_message` (the message with terminal colours) to its records.
NOT_LOGGED = [*RESERVED_ATTRS, "color_message"]


class Correlation(logging.Filter):
    """Adds `request_id`, `trace_id` and `span_id` to a record, when there are such ids."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = REQUEST_ID.get()
        if request_id is not None:
            record.request_id = request_id
        context = trace.get_current_span().get_span_context()
        if context.is_valid:  # a span is recording: tracing is on
            record.trace_id = trace.format_trace_id(context.trace_id)
            record.span_id = trace.format_span_id(context.span_id)
        return True


def handler(*, json: bool, stream: object = None) -> logging.Handler:
    """A handler that writes the service's log lines to `stream` (default: stderr)."""
    new = logging.StreamHandler(stream or sys.stderr)  # type: ignore[arg-type]
    if json:
        new.setFormatter(
            JsonFormatter(
                JSON_FIELDS,
                rename_fields={"levelname": "level"},
                timestamp="time",  # ISO 8601, UTC
                reserved_attrs=NOT_LOGGED,
            )
        )
    else:
        new.setFormatter(logging.Formatter(CONSOLE_FORMAT))
    new.addFilter(Correlation())
    return new


def configure() -> None:
    """Send every log line (the service's, uvicorn's, SQLAlchemy's) through `handler`.

    Left alone: tests (pytest captures logs itself), and a process whose root logger already
    has handlers (e.g. `uvicorn --log-config`: that configuration rules)."""
    root = logging.getLogger()
    if get_settings().environment == "test" or root.handlers:
        return
    settings = get_telemetry_settings()
    root.addHandler(handler(json=settings.json_logs()))
    root.setLevel(settings.log_level)
    for name in ("uvicorn", "uvicorn.error"):  # uvicorn's own lines, in the same format
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
    # Development start-up migrates in-process: not Alembic's INFO lines (plugin set-up).
    logging.getLogger("alembic").setLevel(max(logging.WARNING, root.level))
    # middleware.py logs one line per request; uvicorn's access log would repeat it.
    logging.getLogger("uvicorn.access").disabled = settings.log_requests

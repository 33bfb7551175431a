"""One ASGI middleware per request: its id, its log line and its metrics.

Owned by the Loopsafe template: `copier update` may change this file.

The request id is the caller's `X-Request-ID` when it is a plain token (letters, digits and
`-_.:;=/+`, at most 128 characters), else a new one; either way the response carries it.
A value that is not a plain token is replaced, never logged or echoed.
"""

import logging
import re
import time
from uuid import uuid4

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import logs, metrics
from .settings import get_telemetry_settings

HEADER = "X-Request-ID"
PLAIN_TOKEN = re.compile(r"[A-Za-z0-9\-_.:;=/+]{1,128}")
UNMATCHED = "unmatched"  # the route label of a request no route matched (a 404)

logger = logging.getLogger(__name__)


def request_id(offered: str | None) -> str:
    """The caller's id if it is a plain token, else a new one."""
    if offered is not None and PLAIN_TOKEN.fullmatch(offered):
        return offered
    return uuid4().hex


def route_template(scope: Scope) -> str:
    """The matched route's path template (`/items/{item_id}`), never the raw path: a label
    and a log field with one value per route, whatever the ids in the URL."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED


class RequestTelemetry:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.log_requests = get_telemetry_settings().log_requests

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = request_id(Headers(scope=scope).get(HEADER))
        token = logs.REQUEST_ID.set(rid)
        status = 500  # unless a response starts: an error escaped every handler
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).append(HEADER, rid)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            duration = time.perf_counter() - started
            route = route_template(scope)
            metrics.observe_request(scope["method"], route, status, duration)
            if self.log_requests:
                logger.info(
                    "%s %s %d %.1f ms",
                    scope["method"],
                    route,
                    status,
                    duration * 1000,
                    extra={
                        "method": scope["method"],
                        "route": route,
                        "status": status,
                        "duration_ms": round(duration * 1000, 3),
                    },
                )
            logs.REQUEST_ID.reset(token)

"""The second measure of bench/telemetry_cost.py: the CPU time the request middleware
(telemetry/middleware.py) adds to one request, around a trivial ASGI app, in-process (no
network, no database: the added work alone). Runs in a rendered service's environment, with
the telemetry settings of its environment (METRICS_ENABLED, LOG_REQUESTS).

    python middleware_cost.py LABEL
"""

import asyncio
import logging
import os
import sys
import time
from typing import Any

from bench_service.telemetry import logs, middleware

REQUESTS = 20_000


async def trivial(_scope: Any, _receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


async def receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def send(_message: Any) -> None:
    pass


async def microseconds_per_request(app: Any) -> float:
    def scope() -> dict[str, Any]:
        return {"type": "http", "method": "GET", "path": "/items", "headers": []}

    for _ in range(1000):  # warm up
        await app(scope(), receive, send)
    started = time.process_time()
    for _ in range(REQUESTS):
        await app(scope(), receive, send)
    return (time.process_time() - started) / REQUESTS * 1e6


async def main(label: str) -> None:
    if os.environ.get("LOG_REQUESTS", "true") != "false":  # production's JSON lines, discarded
        with open(os.devnull, "w") as devnull:  # opened once, before timing
            logging.getLogger().addHandler(logs.handler(json=True, stream=devnull))
            logging.getLogger().setLevel(logging.INFO)
            await report(label)
    else:
        await report(label)


async def report(label: str) -> None:
    wrapped = middleware.RequestTelemetry(trivial)
    bare = min([await microseconds_per_request(trivial) for _ in range(3)])
    with_middleware = min([await microseconds_per_request(wrapped) for _ in range(3)])
    print(f"  {label}: +{with_middleware - bare:.1f} µs CPU per request ({bare:.1f} µs without)")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))

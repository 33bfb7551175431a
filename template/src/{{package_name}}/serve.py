"""Serve the app with a draining shutdown: `python -m <package>.serve --host 0.0.0.0`.

Owned by the Loopsafe template: `copier update` may change this file. The image's CMD runs
it; in development, `uvicorn <package>.main:app --reload` (README) is all you need.

It is uvicorn, with SIGTERM handled for an orchestrator (docs/operations.md):

1. SIGTERM: `/readyz` answers 503 at once (draining.py), and requests, new ones too, are still
   served for DRAIN_SECONDS, while the orchestrator stops sending traffic here.
2. Then uvicorn's own shutdown: the listening socket closes, requests in flight get up to
   SHUTDOWN_TIMEOUT seconds to finish (uvicorn's `timeout_graceful_shutdown`), the lifespan's
   shutdown disposes the pool in the app's event loop, and the process exits 0.

A second SIGTERM, or Ctrl+C, skips the rest of the drain (uvicorn's own handling: the
process then ends by that signal, as uvicorn re-raises it).
"""

import argparse
import logging
import signal
import sys
import time
from types import FrameType

import uvicorn

from . import draining
from .settings import SettingsError, get_settings

logger = logging.getLogger("uvicorn.error")  # uvicorn's log, where its own messages go
STARTUP_FAILURE = 3  # uvicorn's exit status when the app cannot start


class DrainingServer(uvicorn.Server):
    """A uvicorn Server that drains for `drain_seconds` after SIGTERM, then shuts down."""

    def __init__(self, config: uvicorn.Config, drain_seconds: float) -> None:
        super().__init__(config)
        self.drain_seconds = drain_seconds
        self.drain_ends: float | None = None  # time.monotonic() at which the drain ends
        self.drain_announced = False

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        # A signal handler: it only sets state, which on_tick (in the event loop) acts on.
        if sig == signal.SIGTERM and self.drain_ends is None and not self.should_exit:
            self.drain_ends = time.monotonic() + self.drain_seconds
            draining.begin()
        else:
            super().handle_exit(sig, frame)

    async def on_tick(self, counter: int) -> bool:
        """Called by uvicorn's main loop every 0.1 s; True stops accepting and shuts down."""
        if await super().on_tick(counter):
            return True
        if self.drain_ends is None:
            return False
        if not self.drain_announced:
            self.drain_announced = True
            logger.info(
                "SIGTERM: draining; /readyz answers 503, requests are served for %g s more",
                self.drain_seconds,
            )
        return time.monotonic() >= self.drain_ends


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog=f"python -m {__package__}.serve",
        description="Serve the app; on SIGTERM, drain (docs/operations.md), then stop.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="default: 127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="default: 8000")
    parser.add_argument("--fd", type=int, help="serve on this listening socket instead")
    arguments = parser.parse_args(argv)
    try:
        settings = get_settings()
    except SettingsError as error:
        sys.exit(str(error))  # names the variable, never its value
    config = uvicorn.Config(
        f"{__package__}.main:app",
        host=arguments.host,
        port=arguments.port,
        fd=arguments.fd,
        timeout_graceful_shutdown=settings.shutdown_timeout,
    )
    server = DrainingServer(config, settings.drain_seconds)
    server.run()
    if not server.started:
        sys.exit(STARTUP_FAILURE)


if __name__ == "__main__":
    main()

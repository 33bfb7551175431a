"""The connection pool class of pooled engines: SQLAlchemy's asyncio queue pool, timing each
`connect()` (waiting for a free connection, opening one, pre-ping) for metrics.py.

Owned by the Loopsafe template: `copier update` may change this file.
"""

import logging
import time

from sqlalchemy.pool import AsyncAdaptedQueuePool, PoolProxiedConnection

from . import metrics

# SQLAlchemy names a pool's logger after its class's module: this one. Its INFO lines ("Pool
# disposed") stay quiet, as SQLAlchemy's own pools' do (its loggers default to WARNING).
logging.getLogger(__name__).setLevel(logging.WARNING)


class TimedQueuePool(AsyncAdaptedQueuePool):
    def connect(self) -> PoolProxiedConnection:
        started = time.perf_counter()
        try:
            return super().connect()
        finally:
            metrics.observe_connection_wait(time.perf_counter() - started)

"""Prometheus metrics at `/metrics`: requests by route template and status, and the pool.

Owned by the Loopsafe template: `copier update` may change this file. METRICS_ENABLED=false
turns them off (no recording, no endpoint). Each process keeps its own figures: run one
process per container (scale with replicas), or scrape each worker.

    http_server_request_duration_seconds{method,route,status}  histogram (its _count: requests)
    db_pool_size, db_pool_checked_out, db_pool_overflow         gauges, read at scrape time
    db_pool_connection_wait_seconds                            histogram: time to get a connection
"""

from collections.abc import Iterator

from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.pool import QueuePool

from .settings import get_telemetry_settings

REGISTRY = CollectorRegistry()
REQUEST_DURATION = Histogram(
    "http_server_request_duration_seconds",
    "Time to answer a request, by method, route template and status",
    ["method", "route", "status"],
    registry=REGISTRY,
)
CONNECTION_WAIT = Histogram(
    "db_pool_connection_wait_seconds",
    "Time to get a connection from the pool (waiting for a free one, connecting, pre-ping)",
    registry=REGISTRY,
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


class PoolCollector(Collector):
    """The pool of the engine the app's sessions use, read when scraped (QueuePool's figures;
    nothing for a pool that keeps no connections)."""

    def collect(self) -> Iterator[Metric]:
        from .. import database  # imported here: database.py imports this package

        pool = database.current().engine.pool
        if not isinstance(pool, QueuePool):
            return
        figures = {
            "db_pool_size": ("Connections the pool keeps (DATABASE_POOL_SIZE)", pool.size()),
            "db_pool_checked_out": ("Connections in use", pool.checkedout()),
            "db_pool_overflow": (
                "Connections beyond the pool size (negative: pool slots not yet opened)",
                pool.overflow(),
            ),
        }
        for name, (documentation, value) in figures.items():
            yield GaugeMetricFamily(name, documentation, value=value)


REGISTRY.register(PoolCollector())


def enabled() -> bool:
    return get_telemetry_settings().metrics_enabled


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    if enabled():
        REQUEST_DURATION.labels(method, route, str(status)).observe(seconds)


def observe_connection_wait(seconds: float) -> None:
    if enabled():
        CONNECTION_WAIT.observe(seconds)


async def serve_metrics() -> Response:
    """Prometheus' text format."""
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


def install(app: FastAPI) -> None:
    if enabled():
        app.add_api_route("/metrics", serve_metrics, methods=["GET"], include_in_schema=False)

"""OpenTelemetry traces: a server span per request (opentelemetry-instrumentation-fastapi)
and a client span per SQL statement (opentelemetry-instrumentation-sqlalchemy).

Owned by the Loopsafe template: `copier update` may change this file.

Configured only by OpenTelemetry's standard variables: OTEL_TRACES_EXPORTER (otlp, console,
or any installed exporter's name; `otlp` speaks OTEL_EXPORTER_OTLP_PROTOCOL, http/protobuf by
default), OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES,
OTEL_TRACES_SAMPLER, OTEL_BSP_*, OTEL_SDK_DISABLED. With none of them set tracing is off: the
app and its engines are not instrumented at all, so it costs nothing. Tests (ENVIRONMENT=test)
instrument the app regardless, against the API's no-op tracer until a test installs a
provider (tests/loopsafe/test_tracing.py): what they record is what production records.
An engine gets its statement tracer only when something records (an exporter named, or a
provider installed): even against the no-op tracer it costs every statement of every test
about 50 us (docs/benchmarks.md). The tracing tests install a provider and instrument the
test's engine with `instrument_engine`, as production's `create_engine` does.

Each engine gets its statement tracer from `instrument_engine`, once (database.py calls it
as it creates an engine): not `SQLAlchemyInstrumentor().instrument()`, which patches
`create_engine` process-wide (an async engine got two tracers and spans never closed:
opentelemetry-python-contrib#2149), instruments one engine per process, and refuses the
SQLAlchemy release this service uses.
"""

import functools
import os
from collections.abc import Mapping
from importlib.metadata import entry_points

from fastapi import FastAPI
from opentelemetry import metrics, trace
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
from opentelemetry.instrumentation.sqlalchemy.version import __version__ as SQLALCHEMY_VERSION
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from sqlalchemy.ext.asyncio import AsyncEngine

from ..settings import SettingsError, get_settings

EXPORTERS = "opentelemetry_traces_exporter"  # the entry point group exporters register in
SQLALCHEMY_SCOPE = "opentelemetry.instrumentation.sqlalchemy"  # the instrumentation's name
OTLP_BY_PROTOCOL = {"http/protobuf": "otlp_proto_http", "grpc": "otlp_proto_grpc"}


def exporter_names(environ: Mapping[str, str] = os.environ) -> list[str]:
    """The span exporters the OTEL_* variables ask for; none unless one is set."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return []
    names = [name.strip() for name in environ.get("OTEL_TRACES_EXPORTER", "").split(",")]
    names = [name for name in names if name]
    if not names and (
        environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
        or environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    ):
        names = ["otlp"]
    return [name for name in names if name != "none"]


def enabled(environ: Mapping[str, str] = os.environ) -> bool:
    """Instrument the app? When an exporter is asked for, and in tests."""
    return bool(exporter_names(environ)) or get_settings().environment == "test"


def load_exporter(name: str, environ: Mapping[str, str] = os.environ) -> SpanExporter:
    """The installed span exporter registered as `name` (OTEL_TRACES_EXPORTER's values)."""
    if name == "otlp":
        protocol = environ.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or environ.get(
            "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"
        )
        if protocol not in OTLP_BY_PROTOCOL:
            raise SettingsError(
                "OTEL_EXPORTER_OTLP_PROTOCOL must be one of " + ", ".join(OTLP_BY_PROTOCOL)
            )
        name = OTLP_BY_PROTOCOL[protocol]
    found = entry_points(group=EXPORTERS, name=name)
    if not found:
        installed = sorted(entry.name for entry in entry_points(group=EXPORTERS))
        raise SettingsError(
            f"OTEL_TRACES_EXPORTER: no span exporter {name!r} is installed "
            f"(installed: otlp, {', '.join(installed)})"
        )
    exporter: SpanExporter = next(iter(found)).load()()
    return exporter


def configure(environ: Mapping[str, str] = os.environ) -> None:
    """Install the SDK's tracer provider when the OTEL_* variables name an exporter; else, and
    when another provider is already set (e.g. by `opentelemetry-instrument`), do nothing."""
    names = exporter_names(environ)
    if not names or not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
        return
    provider = TracerProvider(resource=Resource.create())  # OTEL_SERVICE_NAME and the like
    for name in names:
        provider.add_span_processor(BatchSpanProcessor(load_exporter(name, environ)))
    trace.set_tracer_provider(provider)


def flush() -> None:
    """Export the spans still queued (at shutdown: uvicorn ends its process by re-raising
    SIGTERM, so exit handlers, the SDK's own flush among them, do not run)."""
    provider = trace.get_tracer_provider()
    if isinstance(provider, TracerProvider):
        provider.force_flush()


def instrument_app(app: FastAPI) -> None:
    """A server span per request, named by its route template. The ASGI `receive`/`send`
    spans are left out: one span a request, its statements' spans beneath it."""
    if not enabled():
        return
    FastAPIInstrumentor.instrument_app(app, exclude_spans=["receive", "send"])


def instrument_engine(engine: AsyncEngine) -> None:
    """A client span per statement `engine` runs, when something records them: an exporter
    is asked for (`configure` installs the provider), or a provider is installed (by
    `opentelemetry-instrument`, or a test). Call it once per engine."""
    if not exporter_names() and isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
        return
    tracer = trace.get_tracer(SQLALCHEMY_SCOPE, SQLALCHEMY_VERSION)
    # The class `SQLAlchemyInstrumentor().instrument(engine=...)` builds; it is unannotated.
    EngineTracer(tracer, engine.sync_engine, _connections_usage())  # type: ignore[no-untyped-call]


@functools.cache
def _connections_usage() -> metrics.UpDownCounter:
    # The instrumentation's own connection-count metric (exported only if a meter provider
    # is installed; /metrics serves the pool's figures itself, metrics.py).
    meter = metrics.get_meter(SQLALCHEMY_SCOPE, SQLALCHEMY_VERSION)
    return meter.create_up_down_counter(
        "db.client.connections.usage", unit="connections", description="Connections by state"
    )

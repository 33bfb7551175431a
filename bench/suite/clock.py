"""A pytest plugin (`-p bench_suite.clock`) that times a benchmark run from the inside.

Copied into a rendered service as `bench_suite/clock.py`. It writes one JSON file per
process (`$BENCH_OUT.<worker>.json`) with:

- `window`: seconds from the start of the second test to the start of the last test, in
  execution order. The first test pays for session fixtures (engine, database, schema), the
  last for their teardown; the tests in between are the N measured ones.
- `window_cpu`: the CPU time this process (all its threads) used in that window: less
  sensitive to other load on the machine, but blind to the database server's own work.
- `measured`: how many tests the window covers (N).
- `db_setup`: seconds spent setting up the `db_engine` fixture (the harness's per-worker
  database: clone from the template database, or the SQLite file and migrations), if used.
- `maxrss_kib`: this process's peak resident memory.
- `cpu_s`: the CPU time this process used in all; `first_test_at`, `finished_at`: wall-clock
  timestamps (time.time()) of the first test's start and of the session's end, to split a
  run into start-up, tests and teardown.
"""

import json
import os
import resource
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

_starts: list[float] = []
_cpu_starts: list[float] = []
_first_test_at: list[float] = []
_fixture_seconds: dict[str, float] = {}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None]:
    if not _first_test_at:
        _first_test_at.append(time.time())
    _starts.append(time.perf_counter())
    _cpu_starts.append(time.process_time())
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef: pytest.FixtureDef[Any]) -> Generator[None, Any, Any]:
    start = time.perf_counter()
    try:
        return (yield)
    finally:
        if fixturedef.argname == "db_engine":
            _fixture_seconds["db_engine"] = time.perf_counter() - start


def pytest_sessionfinish(session: pytest.Session) -> None:
    target = os.environ.get("BENCH_OUT")
    if not target:
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    measured = max(len(_starts) - 2, 0)
    result = {
        "worker": worker,
        "tests": len(_starts),
        "measured": measured,
        "window": _starts[-1] - _starts[1] if measured else 0.0,
        "window_cpu": _cpu_starts[-1] - _cpu_starts[1] if measured else 0.0,
        "db_setup": _fixture_seconds.get("db_engine"),
        "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "failed": session.testsfailed,
        "cpu_s": time.process_time(),
        "first_test_at": _first_test_at[0] if _first_test_at else None,
        "finished_at": time.time(),
    }
    Path(f"{target}.{worker}.json").write_text(json.dumps(result))

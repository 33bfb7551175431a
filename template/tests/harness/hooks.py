"""The harness's pytest hooks: the `client` marker, each test's outcome for the end-of-test
checks, and a clear refusal of tests that would run in anyio's event loop."""

from __future__ import annotations

from collections.abc import Generator

import pytest

from .clients import CLIENT_MARKER
from .errors import ANYIO_MARKER
from .fixtures import CALL_FAILED


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", CLIENT_MARKER)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    # Before any fixture: an anyio-run test would create the session's engine in its own loop.
    if item.get_closest_marker("anyio") is not None:
        pytest.fail(ANYIO_MARKER, pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call" and report.failed:
        item.stash[CALL_FAILED] = True  # its connection's state is in doubt: discard it
    return report

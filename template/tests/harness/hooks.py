"""The harness's pytest hooks: the `client` marker, each test's outcome (a failed test is
reported once), and a clear refusal of tests that would run in an event loop of their own.

Owned by the Loopsafe template: `copier update` keeps this file current.
"""

from __future__ import annotations

import unittest
from collections.abc import Generator, Iterator

import pytest

from .errors import ANYIO_MARKER, UNITTEST_ASYNC

CALL_FAILED = pytest.StashKey[bool]()
PROBLEMS = pytest.StashKey[list[str]]()  # found while ending the test's transaction
CLIENT_MARKER = (
    "client(raise_app_exceptions=True): options for the `client` and `sync_client` fixtures; "
    "False lets a test see an unhandled error as the 500 response a real client would get"
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", CLIENT_MARKER)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    # Before any fixture: such a test would use the test's connection from another loop.
    if item.get_closest_marker("anyio") is not None:
        pytest.fail(ANYIO_MARKER, pytrace=False)
    if issubclass(getattr(item, "cls", None) or object, unittest.IsolatedAsyncioTestCase):
        pytest.fail(UNITTEST_ASYNC, pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call" and report.failed:
        item.stash[CALL_FAILED] = True  # reported: its teardown adds no second report
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    # Reported here rather than raised in the fixture: pytest-asyncio would then skip the
    # reset of the context variables it copied out of the fixture.
    yield
    if problems := item.stash.get(PROBLEMS, []):
        pytest.fail("\n\n".join(problems), pytrace=False)

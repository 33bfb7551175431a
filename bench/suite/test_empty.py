"""The empty test: what pytest (with the service's plugins and settings) costs per test."""

import os

import pytest

TESTS = int(os.environ["BENCH_TESTS"])


@pytest.mark.parametrize("n", range(TESTS))
async def test_empty(n: int) -> None:
    pass

"""Which tests run on the same pytest-xdist worker.

Each variant's service is rendered and installed once per worker that asks for it (the
`service` fixture), and each variant's releases updated once per worker (`releases`): the
tests of a variant must share a worker, or a second worker renders, installs and updates
the same things again. A test's group comes from its id, the one thing the xdist controller
knows of it: a test parametrized by variant and release ("[v0.3.0-asyncpg]") is in that
variant's releases group, one by variant only in that variant's group; a test that uses one
variant's service without naming it is listed below, and so are tests of no variant that
share work. The rest run wherever a worker is free.

(xdist's own `--dist loadgroup` marks do not group with pytest 9.2, whose nodes no longer
take the id xdist 3.8 writes: hence a scheduler of our own, through xdist's
pytest_xdist_make_scheduler hook.)
"""

import re

from xdist.scheduler import LoadScopeScheduling

from .variants import VARIANTS

RELEASE = re.compile(r"v\d+\.\d+\.\d+")
# Tests that use one variant's service without that variant in their id.
SERVICE_OF = {
    "tests/test_bot_readiness.py::": "sqlite",
    "tests/test_supply_chain.py::test_zizmor_runs_in_pre_commit_and_ci": "sqlite",
    "tests/test_supply_chain.py::test_the_lock_waits_out_the_cooldown": "psycopg",
    "tests/test_supply_chain.py::test_ci_audit_fails_on_a_known_vulnerability": "sqlite",
    "tests/test_update.py::test_changing_the_driver_on_update": "asyncpg",
    "tests/test_update.py::test_pre_commit_refuses_conflict_markers": "sqlite",
}
# Tests of no variant that share work (a suite run on a tree they both make), by group.
SHARING = {
    "tests/test_try_it.py::test_the_try_it_service_takes_updates[": "try-it",
}


def group_of(nodeid: str) -> str:
    """The group of a test, by its id; a test of no group is its own."""
    _, _, bracket = nodeid.partition("[")
    params = set(bracket.rstrip("]").split("-")) if bracket else set()
    variants = params & set(VARIANTS)
    if len(variants) == 1:
        [variant] = variants
        released = any(RELEASE.fullmatch(param) for param in params)
        return f"releases-{variant}" if released else variant
    for prefix, group in [*SERVICE_OF.items(), *SHARING.items()]:
        if nodeid.startswith(prefix):
            return group
    return nodeid


class ByGroup(LoadScopeScheduling):
    """xdist's scope scheduling (a group at a time to a free worker), by group_of."""

    def _split_scope(self, nodeid: str) -> str:
        return group_of(nodeid)

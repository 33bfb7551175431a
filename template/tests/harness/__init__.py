"""Loop-safe database fixtures for this service's tests: `db_session`, `client`,
`sync_client`, `db_savepoint`, `db_engine`, `scratch_database`, `unreachable_database`.
docs/testing.md is the guide.

Owned by the Loopsafe template (`copier update` keeps it current): put your own fixtures in
tests/conftest.py, which loads this package as a pytest plugin.

Where things live:
- transaction.py the test's transaction (SQLAlchemy's recipe), its checks and time bounds
- fixtures.py    the engine, the per-test transaction, db_session, db_savepoint
- clients.py     client (httpx, async tests) and sync_client (TestClient's interface)
- guards.py      the event hooks behind the errors in errors.py
- provision.py   where the test database lives (a SQLite file, or PostgreSQL databases)
- hooks.py       pytest hooks

Size: at most 500 lines of code in a rendered service, blank lines, comments and docstrings
not counted (the template's tests/test_ownership.py pins it); a service has one provision.py.
"""

from .clients import SyncClient as SyncClient
from .engines import engine_for as engine_for
from .errors import HarnessError as HarnessError
from .errors import IsolationError as IsolationError
from .errors import LoopSafetyError as LoopSafetyError
from .fixtures import DbSavepoint as DbSavepoint

pytest_plugins = [
    "tests.harness.provision",
    "tests.harness.hooks",
    "tests.harness.fixtures",
    "tests.harness.clients",
]

"""Loop-safe database fixtures for this service's tests: `db_session`, `client`,
`sync_client`, `db_savepoint`, `db_engine`, `scratch_database`, `unreachable_database`.

Owned by the Loopsafe template (`copier update` keeps it current): put your own fixtures in
tests/conftest.py, which loads this package as a pytest plugin.

Where things live:
- fixtures.py   the engine, the per-test transaction, db_session, db_savepoint
- clients.py    client (httpx, async tests) and sync_client (TestClient's interface)
- connection.py one connection per test, rolled back (or thrown away when in doubt)
- turns.py      sessions taking turns on that connection
- joined.py     `database.engine` during tests: Core code joins the test's transaction
- guards.py     the event hooks behind the errors in errors.py
- provision.py  where the test database lives (a SQLite file, or PostgreSQL databases)
- hooks.py      pytest hooks
"""

from .clients import SyncClient
from .engines import engine_for
from .errors import HarnessError, IsolationError, LoopSafetyError
from .fixtures import DbSavepoint

pytest_plugins = [
    "tests.harness.provision",
    "tests.harness.fixtures",
    "tests.harness.clients",
    "tests.harness.hooks",
]

__all__ = [
    "DbSavepoint",
    "HarnessError",
    "IsolationError",
    "LoopSafetyError",
    "SyncClient",
    "engine_for",
]

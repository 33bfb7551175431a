"""Fixtures for this service's tests: yours to extend.

The database fixtures (`db_session`, `client`, `db_engine`) come from tests/harness/,
which the template owns and `copier update` keeps current.
"""

pytest_plugins = ["tests.harness"]

"""Strategy 1, "ours": the rendered service's own harness. `db_session` joins the test's
transaction on the session-wide connection through a SAVEPOINT; the transaction is rolled
back after each test."""

pytest_plugins = ["tests.harness"]

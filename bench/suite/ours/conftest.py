"""Strategy 1, "ours": the rendered service's own harness. Each test takes a connection from
the harness's pool; `db_session` joins the test's transaction on it through a SAVEPOINT, and
the transaction is rolled back after the test."""

pytest_plugins = ["tests.harness"]

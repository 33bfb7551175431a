"""Each variant renders, is lint/type clean, and its own suite passes against a real database.

Test ids name the variant: test_suite_passes[asyncpg], ...
"""

import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from .helpers import (
    POSTGRES_VARIANTS,
    VARIANTS,
    assert_quiet,
    clean_env,
    collected_count,
    passed_count,
    run,
)

DRIVERS = {"sqlite": "aiosqlite", "asyncpg": "asyncpg", "psycopg": "psycopg[binary]"}
# The one run that proves the suite parallel-safe, order-independent and warning-free:
# two xdist workers, each in its own random order (pytest-randomly, seeded anew each run),
# under Python's development mode with every warning an error. One process in file order
# runs too, in tests/test_fleet_update.py (the updated services' suites), and in the
# single-process tests/test_update.py::test_changing_the_driver_on_update.
SUITE = ["-X", "dev", "-W", "error", "-m", "pytest", "-n", "2", "-p", "randomly"]
SUITE_SIZES: dict[Path, int] = {}


def suite_size(project: Path, env: dict[str, str]) -> int:
    """How many tests the service's suite has (collected once per service)."""
    if project not in SUITE_SIZES:
        SUITE_SIZES[project] = collected_count(project, env)
    return SUITE_SIZES[project]


@pytest.mark.parametrize("variant", VARIANTS)
def test_renders_the_service_layout(variant: str, service: Callable[[str], Path]) -> None:
    project = service(variant)
    package = f"{variant}_service"
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["project_slug"] == f"{variant}-service"
    assert answers["package_name"] == package
    assert answers["database"] == VARIANTS[variant]["database"]
    assert answers.get("postgres_driver") == VARIANTS[variant].get("postgres_driver")
    assert answers["_commit"]
    for name in [
        "pyproject.toml",
        "pytest.ini",
        "ruff.toml",
        "mypy.ini",
        ".pre-commit-config.yaml",
        "alembic.ini",
        "README.md",
        ".env.example",
        ".gitignore",
        "tests/conftest.py",
        "tests/harness/__init__.py",
        *(
            f"src/{package}/{module}.py"
            for module in ("settings", "database", "models", "schemas", "main", "api/items")
        ),
    ]:
        assert (project / name).is_file(), name
    runtime = tomllib.loads((project / "pyproject.toml").read_text())["project"]["dependencies"]
    drivers = [dep for dep in runtime if dep.split(">=")[0] in DRIVERS.values()]
    assert drivers == [f"{DRIVERS[variant]}>=" + drivers[0].split(">=")[1]]  # exactly one


@pytest.mark.parametrize("variant", VARIANTS)
def test_is_lint_format_and_type_clean(variant: str, service: Callable[[str], Path]) -> None:
    project = service(variant)
    python = project / ".venv/bin/python"
    run([python, "-m", "ruff", "check", "."], cwd=project)
    run([python, "-m", "ruff", "format", "--check", "."], cwd=project)
    run([python, "-m", "mypy", "--strict", "src"], cwd=project)
    run([python, "-m", "mypy"], cwd=project)  # the configured files: src and tests


@pytest.mark.parametrize("variant", VARIANTS)
def test_suite_passes(
    variant: str, service: Callable[[str], Path], suite_env: Callable[[str], dict[str, str]]
) -> None:
    """Every test the suite has passes (none skipped) in parallel, in random order."""
    project = service(variant)
    env = suite_env(variant)
    result = run([project / ".venv/bin/python", *SUITE], cwd=project, env=env)
    assert passed_count(result) == suite_size(project, env)
    assert_quiet(result)


@pytest.mark.parametrize("variant", POSTGRES_VARIANTS)
def test_suite_without_test_database_url_says_how_to_provide_one(
    variant: str, service: Callable[[str], Path]
) -> None:
    """A laptop without TEST_DATABASE_URL gets a stop within seconds that says what to set
    and where the recipe is, never a run that passes without PostgreSQL."""
    project = service(variant)
    env = clean_env()
    env.pop("TEST_DATABASE_URL", None)
    refused = run([project / ".venv/bin/python", "-m", "pytest"], cwd=project, env=env, check=False)
    assert refused.returncode == 4, refused.stdout + refused.stderr
    assert "TEST_DATABASE_URL=" in refused.stderr and "docs/database.md" in refused.stderr


SQL_PROBE = """\
import logging

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from {package}.models import Item

logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)


@pytest.mark.parametrize("n", [1, 2, 3])
async def test_insert_and_read_back(db_session: AsyncSession, n: int) -> None:
    item = Item(name=f"probe-{{n}}")
    db_session.add(item)
    await db_session.commit()
    assert await db_session.scalar(select(Item.name).where(Item.id == item.id)) == item.name
"""


@pytest.mark.parametrize("variant", VARIANTS)
def test_harness_sends_only_the_statements_a_test_needs(
    variant: str, service: Callable[[str], Path], suite_env: Callable[[str], dict[str, str]]
) -> None:
    """Per test: one transaction, the harness's marker savepoint, a savepoint per session
    transaction, and the end: the marker rolled back to (the server's word that the test's
    transaction still stands), PostgreSQL's advisory locks released (SQLite: its session
    state read, to keep the connection for the next test), and the rollback. Nothing more.

    Pins what the benchmark (docs/benchmarks.md) found costly: savepoint names that grow all
    session (asyncpg prepares each new one; a connection per test restarts them).
    """
    project = service(variant)
    probe = project / "tests" / "sql_probe.py"  # not test_*.py: other runs do not collect it
    probe.write_text(SQL_PROBE.format(package=f"{variant}_service"))
    try:
        result = run(
            [
                project / ".venv/bin/python",
                "-m",
                "pytest",
                "-p",
                "no:randomly",
                probe,
                "-o",
                "log_cli=true",
                "--log-cli-level=INFO",
                "-o",
                "log_cli_format=SQL %(message)s",
            ],
            cwd=project,
            env=suite_env(variant),
        )
    finally:
        probe.unlink()
    tests = result.stdout.split("sql_probe.py::test_insert_and_read_back[")[1:]
    assert len(tests) == 3, result.stdout
    sqlite = variant == "sqlite"
    expected = [
        *(["BEGIN (implicit)", "BEGIN"] if sqlite else ["BEGIN (implicit)"]),
        "SAVEPOINT loopsafe_test",  # the marker
        "SAVEPOINT sa_savepoint_1",
        "INSERT INTO items",
        "RELEASE SAVEPOINT sa_savepoint_1",
        "SAVEPOINT sa_savepoint_2",
        "SELECT items.name",
        "ROLLBACK TO SAVEPOINT loopsafe_test",  # db_session is closed after the ROLLBACK: no SQL
        "SELECT *, (SELECT count(*) FROM temp" if sqlite else "SELECT pg_advisory_unlock_all()",
        "ROLLBACK",
    ]
    # The middle test: the first also opens the session's engine, the last closes it. Its
    # savepoint names restart at 1 although the first test used two.
    output = tests[1]
    lines = [line[4:] for line in output.splitlines() if line.startswith("SQL ")]
    statements = [line for line in lines if not line.startswith("[")]
    assert len(statements) == len(expected), output
    for statement, start in zip(statements, expected, strict=True):
        assert statement.startswith(start), output

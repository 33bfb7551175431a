"""Each variant renders, is lint/type clean, and its own suite passes against a real database.

Test ids name the variant: test_suite_passes[asyncpg], ...
"""

import re
import subprocess
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
    passed_count,
    run,
    suite_size,
)
from .postgres import is_root
from .processes import free_port

DRIVERS = {"sqlite": "aiosqlite", "asyncpg": "asyncpg", "psycopg": "psycopg[binary]"}
# The one run that proves the suite parallel-safe, order-independent and warning-free:
# two xdist workers, each in its own random order (pytest-randomly, seeded anew each run),
# under Python's development mode with every warning an error. Development mode and the
# warnings filter are given in the environment, which the workers inherit (`-X dev -W error`
# on the command line would reach the xdist controller only). One process in file order
# runs too, in tests/test_fleet_update.py (the updated services' suites), and in the
# single-process tests/test_update.py::test_changing_the_driver_on_update.
SUITE_OPTIONS = ["-n", "2", "-p", "randomly"]
DEV_MODE = {"PYTHONDEVMODE": "1", "PYTHONWARNINGS": "error"}


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


def shell_block_after(doc: str, heading: str) -> str:
    """The first ```sh block after the line starting with `heading`."""
    after = doc.split(heading, 1)[1]
    return after.split("```sh\n", 1)[1].split("```", 1)[0]


def run_the_database_doc_recipe(project: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """docs/database.md's recipe for whoever runs the tests, as written: as root, a server
    started with runuser; a throwaway cluster handed over as TEST_DATABASE_URL to
    `uv run pytest`, then stopped (on a free port instead of the doc's 5433), with `env`."""
    doc = (project / "docs/database.md").read_text()
    environment = clean_env(**env)
    environment.pop("TEST_DATABASE_URL", None)
    script = shell_block_after(doc, "As root" if is_root() else "As a non-root user")
    script = re.sub(r"\b5433\b", str(free_port()), script)
    # Not `bash -e`: the recipe's last line stops the server even when the tests fail.
    return run(["bash", "-c", script], cwd=project, env=environment, check=False)


@pytest.mark.parametrize("variant", VARIANTS)
def test_suite_passes(
    variant: str, service: Callable[[str], Path], suite_env: Callable[[str], dict[str, str]]
) -> None:
    """Every test the suite has passes (none skipped) in parallel, in random order. On
    PostgreSQL this run is also docs/database.md's recipe for whoever runs the tests (its
    throwaway server), run as written, given the options through PYTEST_ADDOPTS."""
    project = service(variant)
    if variant in POSTGRES_VARIANTS:
        addopts = " ".join(SUITE_OPTIONS)
        result = run_the_database_doc_recipe(project, PYTEST_ADDOPTS=addopts, **DEV_MODE)
    else:
        suite: list[str | Path] = [project / ".venv/bin/python", "-m", "pytest", *SUITE_OPTIONS]
        result = run(suite, cwd=project, env=clean_env(**DEV_MODE))
    assert passed_count(result) == suite_size(project, suite_env(variant))
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
    """Per test, in SQLAlchemy's log: one transaction, PostgreSQL's marker savepoint (asyncpg
    starts its transaction with SQLAlchemy's first statement), a savepoint per session
    transaction, the rollback. Nothing more. The harness's other statements go on the
    driver's connection, outside SQLAlchemy's cursor (one hop to aiosqlite's thread, or one
    round trip): SQLite's marker; at the end, the rollback to the marker (the server's word
    that the test's transaction still stands) with, on PostgreSQL, its advisory locks
    released in the same query, and SQLite's session state read (to keep the connection for
    the next test). The harness scenarios prove what each does.

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
    expected = [
        *(["BEGIN (implicit)", "BEGIN"] if variant == "sqlite" else ["BEGIN (implicit)"]),
        *(["SAVEPOINT loopsafe_test"] if variant != "sqlite" else []),  # asyncpg's BEGIN with it
        "SAVEPOINT sa_savepoint_1",
        "INSERT INTO items",
        "RELEASE SAVEPOINT sa_savepoint_1",
        "SAVEPOINT sa_savepoint_2",
        "SELECT items.name",
        "ROLLBACK",  # db_session is closed after it: no SQL
    ]
    # The middle test: the first also opens the session's engine, the last closes it. Its
    # savepoint names restart at 1 although the first test used two.
    output = tests[1]
    lines = [line[4:] for line in output.splitlines() if line.startswith("SQL ")]
    statements = [line for line in lines if not line.startswith("[")]
    assert len(statements) == len(expected), output
    for statement, start in zip(statements, expected, strict=True):
        assert statement.startswith(start), output

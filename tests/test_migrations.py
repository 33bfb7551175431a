"""Each variant's Alembic migrations run against a real, fresh database, and the rendered
drift check catches a model change that has no migration."""

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .helpers import VARIANTS, clean_env, new_databases, run, uv_sync


@pytest.fixture
def fresh_database(postgres_url: str, tmp_path: Path) -> Iterator[Callable[[str, Path], str]]:
    """fresh_database(variant, project) -> the URL of a new, empty database (dropped after)."""
    with new_databases(postgres_url, tmp_path) as new:
        yield new


@pytest.mark.parametrize("variant", VARIANTS)
def test_upgrade_and_downgrade_a_fresh_database(
    variant: str, service: Callable[[str], Path], fresh_database: Callable[[str, Path], str]
) -> None:
    project = service(variant)
    url = fresh_database(variant, project)
    env = clean_env(DATABASE_URL=url, ENVIRONMENT="production")
    alembic = project / ".venv/bin/alembic"

    run([alembic, "upgrade", "head"], cwd=project, env=env)
    assert "0001 (head)" in run([alembic, "current"], cwd=project, env=env).stdout
    run([alembic, "downgrade", "base"], cwd=project, env=env)
    assert "0001" not in run([alembic, "current"], cwd=project, env=env).stdout
    run([alembic, "upgrade", "head"], cwd=project, env=env)


@pytest.mark.parametrize("variant", VARIANTS)
def test_drift_check_fails_until_the_migration_is_written(
    variant: str,
    service: Callable[[str], Path],
    postgres_url: str,
    fresh_database: Callable[[str, Path], str],
    tmp_path: Path,
) -> None:
    project = tmp_path / "service"
    shutil.copytree(service(variant), project, ignore=shutil.ignore_patterns(".venv", ".*_cache"))
    uv_sync(project)
    models = next(project.glob("src/*/models.py"))
    models.write_text(
        models.read_text().replace(
            "    description: Mapped[str | None]",
            "    price: Mapped[int] = mapped_column(default=0)\n    description: Mapped[str | None]",
        )
    )
    python = project / ".venv/bin/python"
    env = clean_env(TEST_DATABASE_URL=postgres_url)
    drift = run(
        [python, "-m", "pytest", "-q", "tests/test_migrations.py"],
        cwd=project,
        env=env,
        check=False,
    )
    assert drift.returncode == 1
    assert "uv run alembic revision --autogenerate" in drift.stdout

    migrated = clean_env(DATABASE_URL=fresh_database(variant, project))
    run([python, "-m", "alembic", "upgrade", "head"], cwd=project, env=migrated)
    run(
        [python, "-m", "alembic", "revision", "--autogenerate", "-m", "add price"],
        cwd=project,
        env=migrated,
    )
    run([python, "-m", "pytest", "-q", "-p", "no:randomly"], cwd=project, env=env)
    run([python, "-m", "ruff", "check", "."], cwd=project)  # the new revision is lint clean
    run([python, "-m", "ruff", "format", "--check", "."], cwd=project)
    run([python, "-m", "mypy"], cwd=project)

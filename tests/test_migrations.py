"""Each variant's Alembic migrations run against a real, fresh database (the README's
workflow and the rendered drift check: tests/test_fresh_checkout.py)."""

from collections.abc import Callable
from pathlib import Path

import pytest

from .helpers import VARIANTS, clean_env, run


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

"""A rendered service's CI workflow (.github/workflows/ci.yml): valid, and running the
service's checks on each supported Python from its own minimum up."""

import json
from pathlib import Path

from ..helpers import POSTGRES_VARIANTS, TEMPLATE_ROOT
from .documents import check_schema, load_yaml

# After the first `run` step, the check for leftovers of `copier update` (which
# tests/test_bot_readiness.py runs for real).
CI_COMMANDS = [
    "uv lock --check",
    "uv sync --locked",
    "uv run python tools/template_drift.py",
    "uv run ruff check .",
    "uv run ruff format --check .",
    "uv run mypy",
    "uv run pytest -n 2",
]
CI_DATABASE_URL = "postgresql://postgres:postgres@localhost:5432/postgres"
# `uv run` would lock again at the highest versions: --no-sync keeps the lowest.
LOWEST_COMMANDS = ["uv sync --resolution lowest-direct", "uv run --no-sync pytest -n 2"]


def postgres_majors() -> list[str]:
    """copier.yml's postgres_majors: the oldest and the newest PostgreSQL a service supports."""
    config = load_yaml(TEMPLATE_ROOT / "copier.yml")
    majors: list[str] = config["postgres_majors"]["default"]
    return majors


def assert_workflow(project: Path, variant: str, pythons: list[str]) -> None:
    workflow_file = project / ".github/workflows/ci.yml"
    check_schema(workflow_file, "github-workflows")
    workflow = load_yaml(workflow_file)
    triggers = workflow["on"] if "on" in workflow else workflow[True]  # YAML 1.1: `on` is True
    assert set(triggers) == {"push", "pull_request"}
    assert workflow["permissions"] == {"contents": "read"}
    assert set(workflow["jobs"]) == {"test", "lowest-direct", "supply-chain"}
    job = workflow["jobs"]["test"]
    assert job["strategy"]["matrix"]["python-version"] == pythons

    steps = job["steps"]
    assert steps[0]["uses"].startswith("actions/checkout@")
    assert steps[1]["uses"].startswith("astral-sh/setup-uv@")
    assert steps[1]["with"]["python-version"] == "${{ matrix.python-version }}"
    assert [step["run"] for step in steps if "run" in step][1:] == CI_COMMANDS

    # The floors, on the service's minimum Python (the oldest in its matrix).
    lowest = workflow["jobs"]["lowest-direct"]
    assert lowest["steps"][1]["with"]["python-version"] == pythons[0]
    assert [step["run"] for step in lowest["steps"] if "run" in step] == LOWEST_COMMANDS

    oldest, newest = postgres_majors()
    if variant in POSTGRES_VARIANTS:
        assert job["strategy"]["matrix"]["postgres"] == [oldest, newest]
        assert job["services"]["postgres"]["image"] == "postgres:${{ matrix.postgres }}"
        assert lowest["services"]["postgres"]["image"] == f"postgres:{newest}"
        for one in (job, lowest):
            postgres = one["services"]["postgres"]
            assert "--health-cmd pg_isready" in postgres["options"]
            assert postgres["ports"] == ["5432:5432"]
            assert one["env"]["TEST_DATABASE_URL"] == CI_DATABASE_URL
    else:
        assert "postgres" not in job["strategy"]["matrix"]
        assert "services" not in job and "services" not in lowest
        assert "TEST_DATABASE_URL" not in json.dumps(workflow)

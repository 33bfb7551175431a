"""A rendered service's CI workflow (.github/workflows/ci.yml): valid, and running the
service's checks on each supported Python from its own minimum up."""

import json
from pathlib import Path

from ..helpers import POSTGRES_VARIANTS
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


def assert_workflow(project: Path, variant: str, pythons: list[str]) -> None:
    workflow_file = project / ".github/workflows/ci.yml"
    check_schema(workflow_file, "github-workflows")
    workflow = load_yaml(workflow_file)
    triggers = workflow["on"] if "on" in workflow else workflow[True]  # YAML 1.1: `on` is True
    assert set(triggers) == {"push", "pull_request"}
    [job] = workflow["jobs"].values()
    assert job["strategy"]["matrix"]["python-version"] == pythons

    steps = job["steps"]
    assert steps[0]["uses"].startswith("actions/checkout@")
    assert steps[1]["uses"].startswith("astral-sh/setup-uv@")
    assert steps[1]["with"]["python-version"] == "${{ matrix.python-version }}"
    assert [step["run"] for step in steps if "run" in step][1:] == CI_COMMANDS

    if variant in POSTGRES_VARIANTS:
        postgres = job["services"]["postgres"]
        assert postgres["image"] == "postgres:16"
        assert "--health-cmd pg_isready" in postgres["options"]
        assert postgres["ports"] == ["5432:5432"]
        assert job["env"]["TEST_DATABASE_URL"] == CI_DATABASE_URL
    else:
        assert "services" not in job
        assert "TEST_DATABASE_URL" not in json.dumps(workflow)

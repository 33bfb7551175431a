"""The template repository's own GitHub Actions workflow is valid, runs every variant on
every supported Python against PostgreSQL, splits the suite with `-k` into a job per variant
and one for the tests of no variant, so that together the jobs run the whole suite, each test
once, and runs the benchmark on demand."""

import sys
from typing import Any

import yaml

from .helpers import TEMPLATE_ROOT, VARIANTS, run, supported_pythons
from .shipping.workflow import postgres_majors

WORKFLOW = TEMPLATE_ROOT / ".github/workflows/template.yml"
NO_VARIANT = "template"  # the job of the tests that belong to no variant


def workflow() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text())
    return loaded


def triggers() -> dict[str, Any]:
    loaded: dict[Any, Any] = workflow()
    on: dict[str, Any] = loaded["on"] if "on" in loaded else loaded[True]  # YAML 1.1: `on` is True
    return on


def collected(*args: str) -> set[str]:
    result = run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *args],
        cwd=TEMPLATE_ROOT,
    )
    return {line for line in result.stdout.splitlines() if "::" in line}


def params(test_id: str) -> set[str]:
    """The parameter ids of a test: test_update[v0.1.0-asyncpg] -> {v0.1.0, asyncpg}."""
    _, _, bracket = test_id.partition("[")
    return set(bracket.rstrip("]").split("-")) if bracket else set()


def test_workflow_matches_the_github_workflow_schema() -> None:
    result = run(
        [
            *(sys.executable, "-m", "check_jsonschema"),
            *("--builtin-schema", "vendor.github-workflows", WORKFLOW),
        ],
        cwd=TEMPLATE_ROOT,
    )
    assert "ok" in result.stdout


def test_matrix_is_every_variant_on_every_supported_python() -> None:
    job = workflow()["jobs"]["variants"]
    matrix = job["strategy"]["matrix"]
    pythons = supported_pythons()
    assert matrix["group"] == [*VARIANTS, NO_VARIANT]
    assert matrix["python"] == pythons  # every python_version choice
    assert job["strategy"]["fail-fast"] is False
    assert job["services"]["postgres"]["image"] == f"postgres:{postgres_majors()[-1]}"
    assert job["env"]["TEST_DATABASE_URL"].startswith("postgresql://")
    # The rendered services' `uv sync` inherits UV_PYTHON: their suites run on it too.
    assert job["env"]["UV_PYTHON"] == "${{ matrix.python }}"
    steps = [step.get("run", "") for step in job["steps"]]
    assert 'uv run pytest -k "$SELECT"' in steps


def test_the_jobs_together_run_every_test_once_and_each_its_own_variant() -> None:
    job = workflow()["jobs"]["variants"]
    selects = {entry["group"]: entry["select"] for entry in job["strategy"]["matrix"]["include"]}
    assert sorted(selects) == sorted([*VARIANTS, NO_VARIANT])
    everything = collected()
    chosen = {group: collected("-k", expression) for group, expression in selects.items()}
    missed = everything - set().union(*chosen.values())
    assert not missed, f"tests no CI job selects: {sorted(missed)}"
    assert sum(len(tests) for tests in chosen.values()) == len(everything), "a test runs twice"
    for group, tests in chosen.items():
        if group == NO_VARIANT:
            strays = [test for test in tests if params(test) & set(VARIANTS)]
        else:
            assert f"tests/test_variants.py::test_suite_passes[{group}]" in tests
            strays = [test for test in tests if params(test) & (set(VARIANTS) - {group})]
        assert not strays, f"the {group} job selects other variants' tests: {strays}"


def test_benchmark_runs_only_on_demand() -> None:
    dispatch = triggers()["workflow_dispatch"]
    assert dispatch["inputs"]["benchmark"]["type"] == "boolean"
    assert dispatch["inputs"]["benchmark"]["default"] is False
    job = workflow()["jobs"]["benchmark"]
    assert "workflow_dispatch" in job["if"] and "inputs.benchmark" in job["if"]
    assert job["services"]["postgres"]["image"].startswith("postgres:")
    commands = " ".join(step.get("run", "") for step in job["steps"])
    assert "uv run bench/run.py" in commands
    assert (TEMPLATE_ROOT / "bench/run.py").is_file()

"""pyproject.toml's floors are true: each variant, installed at the lowest version every
direct dependency allows (`uv sync --resolution lowest-direct`, as the service's CI job
does), passes its whole suite. Raise a floor when this fails."""

import re
import shutil
import tomllib
from collections.abc import Callable
from importlib.metadata import PathDistribution
from pathlib import Path

import pytest

from .helpers import VARIANTS, assert_quiet, clean_env, passed_count, run, suite_size
from .shipping.workflow import LOWEST_COMMANDS

# A pre-release floor keeps its tag (OpenTelemetry's instrumentations have only `0.NbM`s).
FLOOR = re.compile(r"^([A-Za-z0-9_.-]+)(\[[^]]*\])?>=([0-9.]+(?:(?:a|b|rc)[0-9]+)?)")


def floors(project: Path) -> dict[str, str]:
    """{distribution: floor} for every `name>=X` the service lists, runtime and dev."""
    document = tomllib.loads((project / "pyproject.toml").read_text())
    listed = document["project"]["dependencies"] + document["dependency-groups"]["dev"]
    found = {}
    for requirement in listed:
        match = FLOOR.match(requirement)
        assert match, f"{requirement}: a template dependency without a floor"
        found[match.group(1).lower().replace("_", "-")] = match.group(3)
    return found


def installed(project: Path) -> dict[str, str]:
    site = next((project / ".venv/lib").glob("python3*/site-packages"))
    versions = {}
    for info in site.glob("*.dist-info"):
        metadata = PathDistribution(info).metadata
        versions[metadata["Name"].lower().replace("_", "-")] = metadata["Version"]
    return versions


@pytest.mark.parametrize("variant", VARIANTS)
def test_suite_passes_at_the_lowest_direct_versions(
    variant: str,
    service: Callable[[str], Path],
    suite_env: Callable[[str], dict[str, str]],
    tmp_path: Path,
) -> None:
    project = tmp_path / "svc"
    shutil.copytree(service(variant), project, ignore=shutil.ignore_patterns(".venv", ".*_cache"))
    sync = LOWEST_COMMANDS[0].split()
    run(sync, cwd=project, env=clean_env(), timeout=600)

    # What was installed is each floor itself (or its first patch release).
    versions = installed(project)
    for name, floor in floors(project).items():
        parts = versions[name].split(".")[: len(floor.split("."))]
        assert parts == floor.split("."), f"{name} {versions[name]} for >={floor}"

    # The suite as CI's lowest-direct job runs it, in one process (this machine is shared).
    result = run(
        [
            project / ".venv/bin/python",
            "-X",
            "dev",
            "-W",
            "error",
            "-m",
            "pytest",
            "-p",
            "no:randomly",
        ],
        cwd=project,
        env=suite_env(variant),
    )
    # Every test the variant's suite has (its own install's count: the same files), passed.
    assert passed_count(result) == suite_size(service(variant), suite_env(variant))
    assert_quiet(result)

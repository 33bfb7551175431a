"""A newer minimum Python (copier.yml's python_version choices after the oldest): the render
is lint and type clean, and its image and CI matrix follow the answer.

Only the oldest supported Python runs on our machines, so these renders are checked, not
run: ruff with their target-version and mypy with their python_version, using the oldest
render's tools and dependencies. CI on GitHub runs them for real.
"""

from collections.abc import Callable
from pathlib import Path

import pytest

from .helpers import VARIANTS, render, run, supported_pythons
from .shipping.dockerfile import assert_dockerfile, hadolint
from .shipping.documents import check_schema
from .shipping.workflow import assert_workflow

NEWER_PYTHONS = supported_pythons()[1:]


def python_tag(version: str) -> str:
    return "py" + version.replace(".", "")


# Every variant on the newest Python; each Python in between on one variant, in turn (the
# variants' code differs in drivers, not in what a newer target-version checks).
RENDERS = [
    (variant, python)
    for index, python in enumerate(NEWER_PYTHONS)
    for variant in VARIANTS
    if python == NEWER_PYTHONS[-1] or variant == list(VARIANTS)[index % len(VARIANTS)]
]


@pytest.mark.parametrize(("variant", "python_version"), RENDERS)
def test_newer_python_render_is_clean(
    variant: str,
    python_version: str,
    template_repo: Path,
    service: Callable[[str], Path],
    tmp_path: Path,
) -> None:
    project = render(
        template_repo,
        tmp_path / "svc",
        project_name=f"{variant.title()} Service",
        python_version=python_version,
        **VARIANTS[variant],
    )
    assert f'requires-python = ">={python_version}"' in (project / "pyproject.toml").read_text()
    assert f"python_version = {python_version}" in (project / "mypy.ini").read_text()
    assert f'target-version = "{python_tag(python_version)}"' in (project / "ruff.toml").read_text()
    python = service(variant) / ".venv/bin/python"
    run([python, "-m", "ruff", "check", "."], cwd=project)
    run([python, "-m", "ruff", "format", "--check", "."], cwd=project)
    run([python, "-m", "mypy", "--python-version", python_version], cwd=project)


@pytest.mark.parametrize("python_version", NEWER_PYTHONS)
def test_python_version_answer_sets_the_image_and_the_ci_matrix(
    python_version: str, template_repo: Path, tmp_path: Path
) -> None:
    variant = "psycopg"
    project = render(
        template_repo,
        tmp_path / "svc",
        project_name=f"{variant.title()} Service",
        python_version=python_version,
        **VARIANTS[variant],
    )
    hadolint(project / "Dockerfile")
    assert_dockerfile(project, f"{variant}_service", python_version, "postgresql")
    check_schema(project / "compose.yaml", "compose-spec")
    newer = supported_pythons()[supported_pythons().index(python_version) :]
    assert_workflow(project, variant, newer)

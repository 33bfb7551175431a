"""Renders for Python 3.12 and 3.13 are lint and type clean.

Only Python 3.11 runs on our machines, so these renders are checked, not run: ruff with their
target-version and mypy with their python_version, using the 3.11 render's tools and
dependencies. CI on GitHub runs them for real.
"""

from collections.abc import Callable
from pathlib import Path

import pytest

from .helpers import VARIANTS, render, run


@pytest.mark.parametrize("python_version", ["3.12", "3.13"])
@pytest.mark.parametrize("variant", VARIANTS)
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
    python = service(variant) / ".venv/bin/python"
    run([python, "-m", "ruff", "check", "."], cwd=project)
    run([python, "-m", "ruff", "format", "--check", "."], cwd=project)
    run([python, "-m", "mypy", "--python-version", python_version], cwd=project)

"""copier.yml's _min_copier_version is the oldest Copier the template works with: that exact
version renders a service, finds the next release with `copier check-update` (which the README
tells users to run, and which the Copier before it lacks) and updates to it cleanly."""

import shutil
from pathlib import Path

import yaml

from .helpers import TEMPLATE_ROOT, VARIANTS, clean_env, commit_all, git, released_versions, run
from .updates import answers, assert_no_conflicts, next_version

MIN_COPIER = yaml.safe_load((TEMPLATE_ROOT / "copier.yml").read_text())["_min_copier_version"]


def copier_at(version: str, *args: str | Path, cwd: Path, check: bool = True) -> str:
    """Copier `version`, from PyPI in a throwaway environment, as a user runs it."""
    uvx = [shutil.which("uvx") or "uvx", "--quiet", "--from", f"copier=={version}", "copier"]
    result = run([*uvx, *args], cwd=cwd, env=clean_env(), check=check, timeout=600)
    return result.stdout + result.stderr


def test_the_minimum_copier_renders_checks_and_updates(
    template_history: Path, tmp_path: Path
) -> None:
    template = tmp_path / "template"
    git("clone", "--quiet", template_history, template, cwd=tmp_path)
    latest = released_versions()[0]
    new = next_version(released_versions())
    git("tag", new, cwd=template)  # the working tree, released

    project = tmp_path / "svc"
    data = [f"--data={key}={value}" for key, value in VARIANTS["sqlite"].items()]
    copier_at(MIN_COPIER, "copy", "--defaults", f"--vcs-ref={latest}", *data, template, project,
              cwd=tmp_path)  # fmt: skip
    commit_all(project, f"rendered from {latest}")

    found = copier_at(MIN_COPIER, "check-update", cwd=project)
    assert f"latest version is {new.removeprefix('v')}" in found, found
    copier_at(MIN_COPIER, "update", "--skip-answered", "--defaults", f"--vcs-ref={new}",
              cwd=project)  # fmt: skip
    assert_no_conflicts(project)
    assert answers(project)["_commit"] == new
    assert (project / "uv.toml").is_file()  # a file this release adds


def test_the_copier_before_the_minimum_lacks_check_update(tmp_path: Path) -> None:
    major, minor, _ = (int(part) for part in MIN_COPIER.split("."))
    before = f"{major}.{minor - 1}.0"
    assert "check-update" in copier_at(MIN_COPIER, "--help", cwd=tmp_path)
    assert "check-update" not in copier_at(before, "--help", cwd=tmp_path)

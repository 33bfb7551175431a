"""A fleet of customised services, one made from each release for each variant, takes the
working tree the way Renovate's copier manager delivers it, and needs no hand edit beyond
what the CHANGELOG asks for, which the service's own suite names.

Releases are the "Release vX.Y.Z" commits (tagged in template_history); the working tree gets
the next version's tag, as a new release would. Releases whose updated services come out
identical (uv.lock included) share the checks after the update: see tests/releases.py.
"""

import re
from pathlib import Path

import pytest

from .helpers import (
    TEMPLATE_ROOT,
    VARIANTS,
    passed_count,
    released_versions,
    run,
)
from .releases import Releases
from .updates import (
    DEPENDENCY,
    DEPENDENCY_MARKER,
    PACKAGE,
    TEAM_OWNED,
    answers,
    assert_no_conflicts,
    next_version,
    run_ci_step,
    wire_plumbing,
)

WIRING_TEST = "tests/loopsafe/test_wiring.py"


# How this module's release x variant services are updated (tests/releases.py).
UPDATE_KIND = "customised"


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("release", released_versions())
def test_a_customised_service_takes_the_next_release_from_renovate(
    release: str, variant: str, releases: Releases
) -> None:
    """The service, rendered from `release` and customised (updates.customise), was updated
    by Renovate's command and checked by after_update, below, side by side with the other
    releases (tests/releases.py): this raises whatever failed there."""
    project = releases.updated(release, variant, "customised")
    assert answers(project)["_commit"] == next_version(released_versions())


def after_update(releases: Releases, release: str, variant: str, project: Path) -> None:
    """What the update left, then (once per distinct updated tree) what the service's CI
    runs, after what whoever merges the update does."""
    env = releases.envs[variant]
    # What customise() left in each file the team owns, as committed before the update.
    show = ["git", "show"]
    kept = {name: run([*show, f"before-update:{name}"], cwd=project).stdout for name in TEAM_OWNED}

    assert answers(project)["_commit"] == releases.tag
    assert_no_conflicts(project)
    assert (project / WIRING_TEST).exists()  # a new template-owned file arrives
    assert run_ci_step(project, "No conflicts left by copier update", env).returncode == 0
    for name, text in kept.items():
        assert (project / name).read_text() == text, f"the update changed the team's {name}"
    assert DEPENDENCY_MARKER + DEPENDENCY in (project / "pyproject.toml").read_text()

    # What whoever merges the update does (CHANGELOG.md), then what the service's CI runs:
    # on this tree, unless a release's update left the very same tree (uv.lock included).
    run(["uv", "lock", "--quiet"], cwd=project, env=env)
    releases.once_per_tree(project, release, lambda: check_the_updated_service(project, env))


def check_the_updated_service(project: Path, env: dict[str, str]) -> None:
    """Install it as locked, make the hand edit the suite names (if any), then run the
    service's CI checks: lint, types, and its suite in one process, in file order, under
    Python's development mode with warnings as errors."""
    run(["uv", "sync", "--locked", "--quiet"], cwd=project, env=env, timeout=600)
    python = project / ".venv/bin/python"
    run([python, "-c", "import tenacity"], cwd=project, env=env)  # the team's dependency
    main = project / f"src/{PACKAGE}/main.py"
    if "plumbing.install(app)" not in main.read_text():
        # A main.py from before plumbing.py: the suite fails, naming the edit, until it is made.
        wiring = run([python, "-m", "pytest", "-q", WIRING_TEST], cwd=project, env=env, check=False)
        assert wiring.returncode == 1 and "1 failed" in wiring.stdout, wiring.stdout
        assert_names_the_edit(wiring.stdout)
        wire_plumbing(main)
    run([python, "-m", "ruff", "check", "."], cwd=project, env=env)
    run([python, "-m", "ruff", "format", "--check", "."], cwd=project, env=env)
    run([python, "-m", "mypy"], cwd=project, env=env)
    suite: list[str | Path] = [python, "-X", "dev", "-W", "error", "-m", "pytest"]
    suite += ["-p", "no:randomly"]
    passed_count(run(suite, cwd=project, env=env))  # every test it collects, in one process


def assert_names_the_edit(output: str) -> None:
    """The failure says what to add, where, and which CHANGELOG entry explains it."""
    for words in ("`from . import plumbing`", "`plumbing.install(app)`", f"src/{PACKAGE}/main.py"):
        assert words in output, f"the failure does not say {words}:\n{output}"
    [entry] = set(re.findall(r"CHANGELOG\.md, (v\d+\.\d+\.\d+)", output))
    assert "plumbing.install(app)" in changelog_entry(entry)


def changelog_entry(version: str) -> str:
    """CHANGELOG.md's entry for `version`; for the next release, until it is cut, the
    Unreleased entry that will become it."""
    changelog = (TEMPLATE_ROOT / "CHANGELOG.md").read_text()
    entries: dict[str, str] = dict(
        re.findall(r"^## (\S+)[^\n]*\n(.*?)(?=^## |\Z)", changelog, re.M | re.S)
    )
    if version in entries:
        return entries[version]
    assert version == next_version(released_versions()), f"CHANGELOG.md has no {version} entry"
    return entries["Unreleased"]

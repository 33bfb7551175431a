"""`copier update`: what platform teams rely on when they pull template releases into
services they have changed since. Every test works on a temporary clone of this repository
(see the template_history fixture) and makes the tags it needs there."""

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from .helpers import (
    TEMPLATE_ROOT,
    VARIANTS,
    changelog_releases,
    clean_env,
    commit_all,
    copier,
    git,
    passed_count,
    released_versions,
    render,
    run,
    uv_sync,
)
from .releases import Releases
from .updates import PACKAGE, assert_no_conflicts, service_files


def team_owned(package: str) -> list[str]:
    """copier.yml's _skip_if_exists, for this package name."""
    patterns = yaml.safe_load((TEMPLATE_ROOT / "copier.yml").read_text())["_skip_if_exists"]
    return [pattern.replace("{{ package_name }}", package) for pattern in patterns]


def update(project: Path, *args: str) -> None:
    copier("update", "--defaults", *args, cwd=project)
    assert_no_conflicts(project)


@pytest.fixture
def template_clone(template_history: Path, tmp_path: Path) -> Path:
    """A clone of template_history this test may add commits and tags to."""
    clone = tmp_path / "template"
    git("clone", "--quiet", template_history, clone, cwd=tmp_path)
    return clone


def make_release(template: Path, version: str, edits: dict[str, tuple[str, str]]) -> None:
    """Commit `edits` (path -> (old text, new text)) to the template and tag the commit."""
    for name, (old, new) in edits.items():
        path = template / name
        text = path.read_text()
        assert old in text, f"{name} no longer contains {old!r}: update this test"
        path.write_text(text.replace(old, new))
    commit_all(template, f"Release {version}")
    git("tag", version, cwd=template)


def test_every_release_commit_has_a_changelog_entry() -> None:
    # The tests find releases from the "Release vX.Y.Z" commits; updaters read CHANGELOG.md.
    assert changelog_releases() == released_versions()


# How this module's release x variant services are updated (tests/releases.py).
UPDATE_KIND = "plain"


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("release", released_versions())
def test_update_from_a_release_equals_a_fresh_copy(
    release: str, variant: str, releases: Releases
) -> None:
    """Template-owned files come out exactly as a fresh copy of the working tree; team-owned
    ones as the release left them. The service, rendered from `release` and committed, was
    updated with `copier update --defaults --vcs-ref=HEAD` side by side with the others
    (tests/releases.py); tests/test_fleet_update.py runs the updated suites."""
    updated = releases.updated(release, variant, "plain")
    assert_no_conflicts(updated)
    before = git("show", "--name-only", "--format=", "before-update", cwd=updated)
    assert before, "the service was committed before the update"

    fresh = service_files(releases.rendered("HEAD", variant))
    # Files seeded once belong to the team: an update leaves them as they were.
    show = ["git", "show"]
    for name in team_owned(PACKAGE):
        if name in before.splitlines():
            fresh[name] = run([*show, f"before-update:{name}"], cwd=updated).stdout
    assert service_files(updated) == fresh


def test_a_customised_service_takes_a_new_release_without_conflicts(
    template_clone: Path, tmp_path: Path
) -> None:
    git("tag", "v1000.0.0", cwd=template_clone)  # test-only versions, above any real release
    project = render(template_clone, tmp_path / "svc", ref="v1000.0.0", project_name="Shop")
    run(["uv", "lock", "--quiet"], cwd=project)  # committed with the service; no venv yet
    commit_all(project, "rendered")

    # The team's changes: a module and its test, the README, a dependency, a route.
    (project / "src/shop/pricing.py").write_text(
        '"""Prices."""\n\n\ndef with_tax(cents: int) -> int:\n    return cents * 6 // 5\n'
    )
    (project / "tests/test_pricing.py").write_text(
        "from shop.pricing import with_tax\n\n\ndef test_tax() -> None:\n    assert with_tax(100) == 120\n"
    )
    readme = project / "README.md"
    readme.write_text(readme.read_text() + "\n## On call\n\nPage the shop team.\n")
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            "    # Your dependencies:\n", '    # Your dependencies:\n    "tenacity>=8",\n'
        )
    )
    health = project / "src/shop/api/health.py"
    health.write_text(
        health.read_text()
        + '\n\n@router.get("/version")\nasync def version() -> dict[str, str]:\n    return {"version": "1.0"}\n'
    )
    (project / "tests/test_version.py").write_text(
        "from httpx import AsyncClient\n\n\nasync def test_version(client: AsyncClient) -> None:\n"
        '    assert (await client.get("/version")).json() == {"version": "1.0"}\n'
    )
    commit_all(project, "the team's changes")

    # A release that changes template-owned files, including pyproject.toml's own lines.
    make_release(
        template_clone,
        "v1000.1.0",
        {
            "template/pyproject.toml.jinja": ('"fastapi>=0.133"', '"fastapi>=0.133.1"'),
            "template/tests/harness/__init__.py": (
                "Where things live:",
                "Where things live (v1000.1.0):",
            ),
            "template/ruff.toml.jinja": ('"RUF"]', '"RUF", "C4"]'),
            "template/README.md.jinja": ("## Run it", "## Run it (template v1000.1.0)"),
        },
    )

    update(project, "--vcs-ref=v1000.1.0")

    text = pyproject.read_text()
    assert '"fastapi>=0.133.1"' in text and '"tenacity>=8"' in text
    assert "(v1000.1.0)" in (project / "tests/harness/__init__.py").read_text()
    assert '"C4"' in (project / "ruff.toml").read_text()
    assert "## On call" in readme.read_text()
    assert "template v1000.1.0" not in readme.read_text()  # README.md belongs to the team
    assert "/version" in health.read_text()
    assert (project / "src/shop/pricing.py").exists()

    uv_sync(project)
    python = project / ".venv/bin/python"
    result = run([python, "-m", "pytest"], cwd=project)
    assert passed_count(result) > 0
    run([python, "-m", "ruff", "check", "."], cwd=project)
    run([python, "-m", "mypy"], cwd=project)


def test_changing_the_driver_on_update(
    service: Callable[[str], Path], postgres_url: str, tmp_path: Path
) -> None:
    project = tmp_path / "svc"
    shutil.copytree(service("asyncpg"), project, ignore=shutil.ignore_patterns(".venv", ".*_cache"))
    commit_all(project, "asyncpg service")

    # --data, not pytest-copie's extra_answers: those are defaults the answers file overrides.
    update(project, "--vcs-ref=HEAD", "--data=postgres_driver=psycopg")

    pyproject = (project / "pyproject.toml").read_text()
    assert '"psycopg[binary]>=' in pyproject and '"asyncpg>=' not in pyproject
    assert "postgres_driver: psycopg" in (project / ".copier-answers.yml").read_text()
    assert (
        'DRIVER_NAME = "postgresql+psycopg"' in next(project.glob("src/*/settings.py")).read_text()
    )
    uv_sync(project)
    result = run(
        [project / ".venv/bin/python", "-X", "dev", "-W", "error", "-m", "pytest"],
        cwd=project,
        env=clean_env(TEST_DATABASE_URL=postgres_url),
    )
    assert passed_count(result) > 0


def test_check_update_reports_a_newer_release(template_clone: Path, tmp_path: Path) -> None:
    git("tag", "v1000.0.0", cwd=template_clone)
    project = render(template_clone, tmp_path / "svc", ref="v1000.0.0")
    commit_all(project, "rendered")
    make_release(
        template_clone, "v1000.1.0", {"template/.gitignore": ("build/", "build/\nwheels/")}
    )

    result = copier("check-update", "--output-format=json", cwd=project)

    report = json.loads(result.stdout)
    assert report["update_available"] is True
    assert report["latest_version"] == "1000.1.0"


def test_pre_commit_refuses_conflict_markers_and_rej_files(
    service: Callable[[str], Path], tmp_path: Path
) -> None:
    project = service("sqlite")
    work = tmp_path / "svc"
    shutil.copytree(project, work, ignore=shutil.ignore_patterns(".venv", ".*_cache"))
    commit_all(work, "rendered")
    env = clean_env(
        PATH=f"{project / '.venv/bin'}:{clean_env()['PATH']}", PRE_COMMIT_HOME=str(tmp_path / "pc")
    )
    pre_commit: list[str | Path] = ["pre-commit", "run", "--all-files"]
    run(pre_commit, cwd=work, env=env)  # a fresh service passes every hook

    readme = work / "README.md"
    readme.write_text(
        readme.read_text()
        + "<<<<<<< before updating\nours\n=======\ntheirs\n>>>>>>> after updating\n"
    )
    git("add", "--all", cwd=work)
    conflict = run(pre_commit, cwd=work, env=env, check=False)
    assert conflict.returncode != 0 and "Merge conflict string" in conflict.stdout

    git("checkout", "README.md", cwd=work)
    (work / "pyproject.toml.rej").write_text("@@ a hunk copier could not apply\n")
    git("add", "--all", cwd=work)
    rejected = run(pre_commit, cwd=work, env=env, check=False)
    assert rejected.returncode != 0 and "copier update" in rejected.stdout

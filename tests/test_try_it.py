"""README.md's "Try it" command, run as written in a checkout of the template, leaves a service
that `copier check-update` and `copier update` work in: it takes the checkout's next commit or
release, and changes its database on the way.

Both kinds of checkout are tried: one with release tags (copier renders the newest) and one
without (copier renders the commit checked out). So is the way out for services made by the
command's earlier form, which recorded a relative path.
"""

import json
import re
from pathlib import Path

import pytest

from .helpers import (
    TEMPLATE_ROOT,
    clean_env,
    commit_all,
    copier,
    git,
    passed_count,
    released_versions,
    run,
)
from .releases import files_digest, tree_files
from .updates import answers, assert_no_conflicts, next_version

# A template-owned change the checkout gains after the service was made.
GITIGNORE_LINE = "wheels/"
# The trees (suite_tree) whose whole PostgreSQL suite passed after the database change.
# Both kinds of checkout render the same working tree, so their services come out file for
# file the same but for where .copier-answers.yml says they came from (_commit and
# _src_path, which this test checks for each, and the suite never reads): the second
# proves its tree is the one that passed, instead of installing and running the same suite
# again. Both cases run on one xdist worker (tests/groups.py).
PASSED_TREES: set[str] = set()


def readme_command() -> str:
    """The line of README.md's "Try it" block that makes the service."""
    readme = (TEMPLATE_ROOT / "README.md").read_text()
    section = readme.split("\n## Try it\n", 1)[1].split("\n## ", 1)[0]
    [block] = re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)
    [line] = [line for line in str(block).splitlines() if "copier copy" in line]
    return line


def move_on(checkout: Path, release: str | None) -> None:
    """The checkout gains a commit (`git pull`) that changes a template-owned file; tagged
    `release`, if given."""
    gitignore = checkout / "template/.gitignore"
    gitignore.write_text(f"{gitignore.read_text()}{GITIGNORE_LINE}\n")
    commit_all(checkout, "Ignore wheels/")
    if release:
        git("tag", release, cwd=checkout)


def suite_tree(service: Path) -> str:
    """A digest of every file the service's suite can read (releases.tree_files: uv.lock
    included), .copier-answers.yml without its _src_path (tree_files leaves out _commit)."""
    files = tree_files(service)
    answers_file = files[".copier-answers.yml"].splitlines()
    kept = [line for line in answers_file if not line.startswith("_src_path:")]
    assert len(kept) == len(answers_file) - 1, answers_file
    return files_digest({**files, ".copier-answers.yml": "\n".join(kept)})


def update_available(service: Path) -> bool:
    report = json.loads(copier("check-update", "--output-format=json", cwd=service).stdout)
    return bool(report["update_available"])


@pytest.mark.parametrize("tagged", [True, False], ids=["release-tags", "no-tags"])
def test_the_try_it_service_takes_updates(
    tagged: bool, template_history: Path, postgres_url: str, tmp_path: Path
) -> None:
    checkout = tmp_path / "loopsafe"
    tags = [] if tagged else ["--no-tags"]
    git("clone", "--quiet", *tags, template_history, checkout, cwd=tmp_path)
    if tagged:  # the working tree, released: what a checkout holds after a release
        git("tag", next_version(released_versions()), cwd=checkout)

    made = run(["bash", "-c", readme_command()], cwd=checkout)

    assert passed_count(made) > 0  # the command's own `uv run pytest`
    service = tmp_path / "my-service"
    recorded = answers(service)
    assert recorded["_src_path"] == str(checkout)  # absolute: valid wherever copier runs
    assert recorded["_commit"] == git("describe", "--tags", "--always", cwd=checkout)
    commit_all(service, "My service, from Loopsafe")
    assert not update_available(service)

    move_on(checkout, next_version([recorded["_commit"]]) if tagged else None)
    assert update_available(service)

    copier("update", "--defaults", cwd=service)

    assert answers(service)["_commit"] == git("describe", "--tags", "--always", cwd=checkout)
    assert GITIGNORE_LINE in (service / ".gitignore").read_text().splitlines()
    assert_no_conflicts(service)
    commit_all(service, "Update to the latest Loopsafe")

    copier("update", "--defaults", "--data", "database=postgresql", cwd=service)

    assert_no_conflicts(service)
    assert answers(service)["database"] == "postgresql"
    assert '"asyncpg>=' in (service / "pyproject.toml").read_text()
    env = clean_env(TEST_DATABASE_URL=postgres_url)
    run(["uv", "lock", "--quiet"], cwd=service, env=env)
    tree = suite_tree(service)
    if tree not in PASSED_TREES:
        run(["uv", "sync", "--locked", "--quiet"], cwd=service, env=env, timeout=600)
        suite = run([service / ".venv/bin/python", "-m", "pytest"], cwd=service, env=env)
        assert passed_count(suite) > 0
        PASSED_TREES.add(tree)
    assert (
        service / "tests/loopsafe/test_production.py"
    ).exists()  # PostgreSQL-only tests came too


def test_a_service_made_from_a_relative_path_updates_from_the_checkout(
    template_history: Path, tmp_path: Path
) -> None:
    """The way out CHANGELOG.md gives services made by v0.1.0's "Try it" (`_src_path: .`):
    run `copier update` in the template checkout, where `.` is the template."""
    checkout = tmp_path / "loopsafe"
    git("clone", "--quiet", template_history, checkout, cwd=tmp_path)
    service = tmp_path / "my-service"
    copier("copy", "--defaults", "--vcs-ref=HEAD", ".", "../my-service", cwd=checkout)
    assert answers(service)["_src_path"] == "."
    commit_all(service, "My service, from Loopsafe")
    failed = copier("update", "--defaults", cwd=service, check=False)
    assert failed.returncode != 0 and "Unknown revision" in failed.stderr

    release = next_version(released_versions())
    move_on(checkout, release)

    copier("update", "--defaults", service, cwd=checkout)

    assert answers(service)["_commit"] == release
    assert GITIGNORE_LINE in (service / ".gitignore").read_text().splitlines()
    assert_no_conflicts(service)

"""What depends on the database is documented in docs/database.md, which the template owns:
switching a service's database with `copier update --data` rewrites it for the new database,
while the team's README, which says nothing database-specific, stays as the team left it."""

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from .helpers import (
    POSTGRES_VARIANTS,
    VARIANTS,
    assert_quiet,
    clean_env,
    commit_all,
    copier,
    passed_count,
    render,
    run,
)
from .postgres import is_root
from .processes import free_port

# Each target is reached from a service on another database.
SWITCHES = {"sqlite": "asyncpg", "asyncpg": "sqlite", "psycopg": "sqlite"}
# Words only the doc of each database says.
SAYS = {
    "sqlite": ["SQLite file", "TEST_DATABASE_URL` is not used"],
    "asyncpg": ["postgresql+asyncpg://", "runuser -u postgres", "TEST_DATABASE_URL="],
    "psycopg": ["postgresql+psycopg://", "runuser -u postgres", "TEST_DATABASE_URL="],
}


@pytest.mark.parametrize("variant", VARIANTS)
def test_switching_the_database_on_update_rewrites_the_database_doc(
    variant: str, template_repo: Path, tmp_path: Path
) -> None:
    before = SWITCHES[variant]
    project = render(template_repo, tmp_path / "svc", project_name="Shop", **VARIANTS[before])
    readme = (project / "README.md").read_text()
    assert "docs/database.md" in readme
    commit_all(project, f"a {before} service")

    data = [f"--data={key}={value}" for key, value in VARIANTS[variant].items()]
    copier("update", "--defaults", "--vcs-ref=HEAD", *data, cwd=project)

    doc = (project / "docs/database.md").read_text()
    fresh = render(template_repo, tmp_path / "fresh", project_name="Shop", **VARIANTS[variant])
    assert doc == (fresh / "docs/database.md").read_text()
    for words in SAYS[variant]:
        assert words in doc, words
    for words in SAYS[before]:
        assert words not in doc, words
    assert (project / "README.md").read_text() == readme  # the team's, and still true


def shell_block_after(doc: str, heading: str) -> str:
    """The first ```sh block after the line starting with `heading`."""
    after = doc.split(heading, 1)[1]
    return after.split("```sh\n", 1)[1].split("```", 1)[0]


@pytest.mark.parametrize("variant", POSTGRES_VARIANTS)
def test_the_database_doc_runs_the_tests_with_a_throwaway_server(
    variant: str, service: Callable[[str], Path]
) -> None:
    """The doc's recipe for whoever runs it: as root, a server started with runuser and
    handed over as TEST_DATABASE_URL (on a free port instead of the doc's 5433)."""
    project = service(variant)
    doc = (project / "docs/database.md").read_text()
    env = clean_env()
    env.pop("TEST_DATABASE_URL", None)
    script = shell_block_after(doc, "As root" if is_root() else "As a non-root user")
    script = re.sub(r"\b5433\b", str(free_port()), script)
    # Not `bash -e`: the recipe's last line stops the server even when the tests fail.
    result = run(["bash", "-c", script], cwd=project, env=env, check=False)
    assert passed_count(result) > 0, result.stdout + result.stderr
    assert_quiet(result)

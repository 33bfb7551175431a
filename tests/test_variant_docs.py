"""What depends on the database is documented in docs/database.md, which the template owns:
switching a service's database with `copier update --data` rewrites it for the new database,
while the team's README, which says nothing database-specific, stays as the team left it.
(The doc's recipe for running the tests with a throwaway server is how
tests/test_variants.py::test_suite_passes runs each PostgreSQL suite.)"""

from pathlib import Path

import pytest

from .helpers import (
    VARIANTS,
    commit_all,
    copier,
    render,
)

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

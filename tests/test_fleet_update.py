"""A fleet of customised services, one made from each release for each variant, takes the
working tree the way Renovate's copier manager delivers it, and needs no hand edit beyond
what the CHANGELOG asks for, which the service's own suite names.

Releases are the "Release vX.Y.Z" commits (tagged in template_history); the working tree gets
the next version's tag, as a new release would.
"""

import re
from pathlib import Path

import pytest

from .helpers import (
    POSTGRES_VARIANTS,
    TEMPLATE_ROOT,
    VARIANTS,
    clean_env,
    commit_all,
    copier,
    git,
    passed_count,
    released_versions,
    render,
    run,
)
from .updates import answers, assert_no_conflicts, next_version, run_ci_step, wire_plumbing

PACKAGE = "shop"
DEPENDENCY_MARKER = "    # Your dependencies:\n"
DEPENDENCY = '    "tenacity>=8",\n'
# The team's own files: a module and its test, a model's migration and its test.
TEAM_FILES = {
    f"src/{PACKAGE}/pricing.py": '''"""Prices, with tax."""


def with_tax(cents: int) -> int:
    return cents * 6 // 5
''',
    "tests/test_pricing.py": f"""from {PACKAGE}.pricing import with_tax


def test_tax_is_a_fifth() -> None:
    assert with_tax(100) == 120
""",
    f"src/{PACKAGE}/migrations/versions/0002_create_customers.py": '''"""Create the customers table.

Revision ID: 0002
Revises: {down_revision}
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "{down_revision}"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "customers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
        sa.UniqueConstraint("email", name=op.f("uq_customers_email")),
    )


def downgrade() -> None:
    op.drop_table("customers")
''',
    "tests/test_customers.py": f"""from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from {PACKAGE}.models import Customer


async def test_a_customer_is_stored(db_session: AsyncSession) -> None:
    db_session.add(Customer(email="ada@example.com"))
    await db_session.flush()

    assert await db_session.scalar(select(Customer.email)) == "ada@example.com"
""",
}
MODEL = """

class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), unique=True)
"""
README_SECTION = "\n## On call\n\nPage the shop team; runbook in docs/oncall.md.\n"
WIRING_TEST = "tests/test_wiring.py"


@pytest.fixture(scope="module")
def fleet_template(template_history: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clone of template_history whose HEAD (the working tree) is tagged as the next
    release: Renovate proposes tags only."""
    clone = tmp_path_factory.mktemp("fleet") / "loopsafe"
    git("clone", "--quiet", template_history, clone, cwd=clone.parent)
    git("tag", next_version(released_versions()), cwd=clone)
    return clone


def customise(project: Path) -> dict[str, str]:
    """The team's changes to a freshly rendered service; returns what each touched file
    must still hold after updates."""
    versions = project / f"src/{PACKAGE}/migrations/versions"
    [head] = re.findall(
        r'^revision: str = "(\w+)"', (versions / "0001_create_items.py").read_text(), re.M
    )
    for name, text in TEAM_FILES.items():
        (project / name).write_text(text.replace("{down_revision}", head))
    models = project / f"src/{PACKAGE}/models.py"
    models.write_text(models.read_text() + MODEL)
    readme = project / "README.md"
    readme.write_text(readme.read_text() + README_SECTION)
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    assert DEPENDENCY_MARKER in text, "pyproject.toml lost its '# Your dependencies:' line"
    pyproject.write_text(text.replace(DEPENDENCY_MARKER, DEPENDENCY_MARKER + DEPENDENCY))
    team_owned = [*TEAM_FILES, f"src/{PACKAGE}/models.py", f"src/{PACKAGE}/main.py", "README.md"]
    return {name: (project / name).read_text() for name in team_owned}


def renovate_update(project: Path, tag: str) -> None:
    """The command Renovate's copier manager runs (hosted Renovate never adds --trust)."""
    copier(
        "update",
        "--skip-answered",
        "--defaults",
        "--answers-file",
        ".copier-answers.yml",
        "--vcs-ref",
        tag,
        cwd=project,
    )


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("release", released_versions())
def test_a_customised_service_takes_the_next_release_from_renovate(
    release: str, variant: str, fleet_template: Path, postgres_url: str, tmp_path: Path
) -> None:
    tag = next_version(released_versions())
    env = clean_env(TEST_DATABASE_URL=postgres_url) if variant in POSTGRES_VARIANTS else clean_env()
    project = render(
        fleet_template, tmp_path / "shop", ref=release, project_name="Shop", **VARIANTS[variant]
    )
    kept = customise(project)
    run(["uv", "lock", "--quiet"], cwd=project, env=env)
    commit_all(project, f"the shop service, from Loopsafe {release}, customised")

    renovate_update(project, tag)

    assert answers(project)["_commit"] == tag
    assert_no_conflicts(project)
    assert (project / WIRING_TEST).exists()  # a new template-owned file arrives
    assert run_ci_step(project, "No conflicts left by copier update", env).returncode == 0
    for name, text in kept.items():
        assert (project / name).read_text() == text, f"the update changed the team's {name}"
    assert DEPENDENCY_MARKER + DEPENDENCY in (project / "pyproject.toml").read_text()

    # What whoever merges the update does (CHANGELOG.md), then what the service's CI runs.
    run(["uv", "lock", "--quiet"], cwd=project, env=env)
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
    suite = run([python, "-m", "pytest", "-q"], cwd=project, env=env)
    assert passed_count(suite) > 0


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

"""What the update tests share: a service's files, the leftovers of a failed merge, the
service's own CI steps, a team's changes to its service, and the hand edit that services
made from v0.1.0 need."""

import ast
import re
import subprocess
import tempfile
from pathlib import Path

import yaml

from .helpers import run

# The lines git and copier's inline conflicts start with (`<<<<<<< before updating`, ...).
CONFLICT_MARKER = re.compile(r"^(<<<<<<<|>>>>>>>)( |$)", re.MULTILINE)


# What a service's tools write next to Copier's files (all in its .gitignore).
NOT_WRITTEN = {
    ".git",
    ".venv",
    ".hypothesis",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    "__pycache__",
}


def service_files(project: Path) -> dict[str, str]:
    """Every file copier wrote, by relative path (the answers file without its _commit)."""
    files = {}
    for path in sorted(project.rglob("*")):
        relative = path.relative_to(project).as_posix()
        if path.is_file() and relative != "uv.lock" and not NOT_WRITTEN.intersection(path.parts):
            text = path.read_text()
            if relative == ".copier-answers.yml":
                text = "\n".join(
                    line for line in text.splitlines() if not line.startswith("_commit:")
                )
            files[relative] = text
    return files


def assert_no_conflicts(project: Path) -> None:
    rejects = [p.relative_to(project) for p in project.rglob("*.rej")]
    assert rejects == [], f"copier update left .rej files: {rejects}"
    for path, text in service_files(project).items():
        assert not CONFLICT_MARKER.search(text), f"conflict in {path}"


def answers(project: Path) -> dict[str, str]:
    document = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert isinstance(document, dict)
    return document


def next_version(versions: list[str]) -> str:
    """A version above all of `versions` ("v0.1.0", ...): the next minor release."""
    major, minor, _ = max(tuple(int(part) for part in v[1:].split(".")) for v in versions)
    return f"v{major}.{minor + 1}.0"


def ci_step(project: Path, name: str) -> str:
    """The shell script of the step of .github/workflows/ci.yml (any job) whose name starts
    with `name`."""
    workflow = yaml.safe_load((project / ".github/workflows/ci.yml").read_text())
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    scripts = [step["run"] for step in steps if step.get("name", "").startswith(name)]
    assert len(scripts) == 1, f"ci.yml has {len(scripts)} steps named {name!r}..."
    return str(scripts[0])


def run_ci_step(project: Path, name: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run that step as GitHub Actions does (`bash -e {0}`), from a script file kept outside
    the checkout (an untracked file there would be part of what the step inspects)."""
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "step.sh"
        script.write_text(ci_step(project, name))
        return run(["bash", "-e", script], cwd=project, env=env, check=False)


def wire_plumbing(main: Path) -> None:
    """The hand edit CHANGELOG.md (v0.2.0, "Updating") asks of a service whose main.py does
    not call plumbing.install(app): import plumbing, call it right after `app = FastAPI(...)`."""
    text = main.read_text()
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    [app] = [
        node
        for node in tree.body
        if isinstance(node, ast.Assign)
        and any(isinstance(target, ast.Name) and target.id == "app" for target in node.targets)
    ]
    assert app.end_lineno is not None
    lines.insert(app.end_lineno, "plumbing.install(app)\n")
    relative = [
        node
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module is None
    ]
    if relative:  # `from . import database` -> `from . import database, plumbing`
        names = sorted([alias.name for alias in relative[0].names] + ["plumbing"])
        lines[relative[0].lineno - 1] = f"from . import {', '.join(names)}\n"
    else:
        first = min(
            node.lineno for node in tree.body if isinstance(node, ast.ImportFrom) and node.level
        )
        lines.insert(first - 1, "from . import plumbing\n")
    main.write_text("".join(lines))


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
# The files customise() leaves as the team wants them: no update may change them.
TEAM_OWNED = [*TEAM_FILES, f"src/{PACKAGE}/models.py", f"src/{PACKAGE}/main.py", "README.md"]
# The team's README, written over the one the release seeded: a team describes its own
# service. (The release's README as rendered, kept through updates, is test_update.py's.)
# Every release's customised service then holds the same README, so two releases whose
# updates leave the same template-owned files have identical trees (tests/releases.py).
README = (
    "# Shop\n\nThe shop service.\n\n## On call\n\nPage the shop team; runbook in docs/oncall.md.\n"
)
WIRING_TEST = "tests/loopsafe/test_wiring.py"


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
    (project / "README.md").write_text(README)
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    assert DEPENDENCY_MARKER in text, "pyproject.toml lost its '# Your dependencies:' line"
    pyproject.write_text(text.replace(DEPENDENCY_MARKER, DEPENDENCY_MARKER + DEPENDENCY))
    return {name: (project / name).read_text() for name in TEAM_OWNED}

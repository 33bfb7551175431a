"""What the update tests share: a service's files, the leftovers of a failed merge, the
service's own CI steps, and the hand edit that services made from v0.1.0 need."""

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

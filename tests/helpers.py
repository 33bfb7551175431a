"""The few helpers the template's tests are built on: run, render, sync, and what a suite
must (not) print. Those bench/ shares live in standard-library-only modules (processes,
variants) and are re-exported here, so that a test imports its helpers from one place.

A command that fails raises processes.CommandFailed, whose message (its output) is the
test's failure report."""

import os
import re
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from .processes import clean_env as clean_env
from .processes import free_port as free_port
from .processes import on_server as on_server
from .processes import run as run
from .processes import served as served
from .variants import POSTGRES_VARIANTS as POSTGRES_VARIANTS
from .variants import VARIANTS as VARIANTS

TEMPLATE_ROOT = Path(__file__).resolve().parents[1]

# What a suite prints when connections outlive their loop, even if pytest exits 0.
COMPLAINTS = re.compile(
    r"Event loop is closed|attached to a different loop|another operation is in progress"
    r"|[Uu]nclosed|ResourceWarning|never awaited|Task was destroyed|Exception ignored"
)


def copier(*args: str | Path, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    """The copier command line, as a user types it (no --trust)."""
    return run([sys.executable, "-m", "copier", *args], cwd=cwd, check=check)


def render(template: Path, dest: Path, ref: str = "HEAD", **answers: str) -> Path:
    """Render the template at `ref` (HEAD: the working tree, see conftest) with these answers."""
    data = [f"--data={key}={value}" for key, value in answers.items()]
    dest.parent.mkdir(parents=True, exist_ok=True)
    copier("copy", "--defaults", f"--vcs-ref={ref}", *data, template, dest, cwd=dest.parent)
    return dest


def git(*args: str | Path, cwd: Path) -> str:
    return run(["git", *args], cwd=cwd, env=clean_env()).stdout.strip()


def commit_all(repo: Path, message: str) -> None:
    """Commit everything in `repo` (creating the repository if needed)."""
    if not (repo / ".git").exists():
        git("init", "--quiet", cwd=repo)
    git("add", "--all", cwd=repo)
    git("commit", "--quiet", "--allow-empty", "--message", message, cwd=repo)


def release_commits(repo: Path = TEMPLATE_ROOT) -> dict[str, str]:
    """{version: commit} for each commit whose subject is "Release vX.Y.Z", newest first.

    Releases are found from these commits, not from tags: a fresh clone may carry none.
    """
    log = git("log", "--format=%H %s", "--extended-regexp", "--grep=^Release v", cwd=repo)
    releases: dict[str, str] = {}
    for line in log.splitlines():
        commit, subject = line.split(" ", 1)
        match = re.fullmatch(r"Release (v\d+\.\d+\.\d+)", subject)
        if match:
            releases.setdefault(match.group(1), commit)
    assert releases, f"no 'Release vX.Y.Z' commit in {repo}'s history: a shallow clone?"
    return releases


def released_versions() -> list[str]:
    """The template's releases, newest first (see release_commits)."""
    return list(release_commits())


def changelog_releases() -> list[str]:
    """The releases CHANGELOG.md has an entry for ("## v0.1.0 - ..."), newest first."""
    changelog = (TEMPLATE_ROOT / "CHANGELOG.md").read_text()
    return re.findall(r"^## (v\d+\.\d+\.\d+)\b", changelog, flags=re.MULTILINE)


def supported_pythons() -> list[str]:
    """copier.yml's python_version choices, oldest first: the Pythons a service may require,
    each newer one included in its CI matrix."""
    config: dict[str, Any] = yaml.safe_load((TEMPLATE_ROOT / "copier.yml").read_text())
    choices: list[str] = config["python_version"]["choices"]
    return sorted(choices, key=lambda version: tuple(int(part) for part in version.split(".")))


def uv_sync(project: Path, **env: str) -> None:
    run(["uv", "sync", "--quiet"], cwd=project, env=clean_env(**env), timeout=600)


def own_mypy_cache(name: str) -> dict[str, str]:
    """clean_env for a mypy run with settings of its own (another config file): a cache of
    its own, `name`, next to the run's shared one (MYPY_CACHE_DIR, tests/conftest.py).
    mypy drops every cached module whose settings or plugins differ from its own, so two
    configurations taking turns on one cache would each start cold every time."""
    return clean_env(MYPY_CACHE_DIR=f"{os.environ['MYPY_CACHE_DIR']}-{name}")


def assert_quiet(result: subprocess.CompletedProcess[str]) -> None:
    """The run printed none of the async-teardown complaints this template exists to prevent."""
    output = result.stdout + result.stderr
    found = COMPLAINTS.search(output)
    assert found is None, f"suite output mentions {found.group(0)!r}:\n{output}"


# pytest's header: "collected 122 items" (one process) or "2 workers [122 items]" (xdist).
# A run with -q prints neither: run without it wherever the count is checked.
COLLECTED = re.compile(r"^(?:collected (\d+) items?|\d+ workers \[(\d+) items?\])$", re.M)
# pytest's closing line: "=== 122 passed in 3.21s ===", every outcome counted in it.
CLOSING = re.compile(r"^=+ (.*) in [\d.]+s(?: \([\d:]+\))? =+$", re.M)


def passed_count(result: subprocess.CompletedProcess[str]) -> int:
    """How many tests the run passed, which must be exactly as many as it collected: nothing
    failed, errored, was skipped, xfailed, xpassed, deselected or warned, and nothing fell out
    of the run between collection and the end (a worker that died, a test never run)."""
    output = f"{result.stdout}\n--- stderr ---\n{result.stderr}"
    collected = COLLECTED.findall(result.stdout)
    assert len(collected) == 1, f"no single 'collected N items' line (was -q given?):\n{output}"
    count = int(collected[0][0] or collected[0][1])
    closing = CLOSING.findall(result.stdout)
    assert closing, f"no closing summary line:\n{output}"
    assert closing[-1] == f"{count} passed", (
        f"collected {count}, closed with {closing[-1]!r}: every test must pass, none skipped:"
        f"\n{output}"
    )
    return count


def collected_count(project: Path, env: dict[str, str]) -> int:
    """How many tests the service's suite has: `pytest --collect-only` in one process."""
    python = project / ".venv/bin/python"
    result = run([python, "-m", "pytest", "--collect-only", "-q"], cwd=project, env=env)
    match = re.search(r"^(\d+) tests? collected in ", result.stdout, re.M)
    assert match, result.stdout + result.stderr
    return int(match.group(1))


SUITE_SIZES: dict[Path, int] = {}


def suite_size(project: Path, env: dict[str, str]) -> int:
    """collected_count of a project no test changes (a `service` fixture's install),
    counted once per worker: its suite, and a copy of it installed at other versions
    (tests/test_lowest_floors.py), must pass exactly that many tests."""
    if project not in SUITE_SIZES:
        SUITE_SIZES[project] = collected_count(project, env)
    return SUITE_SIZES[project]


@contextmanager
def new_databases(
    postgres_url: str | Callable[[], str], folder: Path
) -> Iterator[Callable[[str, Path], str]]:
    """Yield new(variant, project) -> the URL of a new, empty database for that variant: a
    SQLite file in `folder`/data, or a database on the PostgreSQL server, created with
    `project`'s psycopg and dropped at the end. `postgres_url` may be a function, called
    only when a PostgreSQL database is asked for: a SQLite test starts no server."""
    created: list[tuple[Path, str]] = []
    server: list[str] = []

    def server_url() -> str:
        if not server:
            server.append(postgres_url if isinstance(postgres_url, str) else postgres_url())
        return server[0]

    def new(variant: str, project: Path) -> str:
        if variant not in POSTGRES_VARIANTS:
            (folder / "data").mkdir(exist_ok=True)
            return f"sqlite+aiosqlite:///{folder / 'data' / f'{uuid.uuid4().hex[:8]}.db'}"
        name = f"loopsafe_new_{uuid.uuid4().hex[:8]}"
        on_server(project, server_url(), f"CREATE DATABASE {name}")
        created.append((project, name))
        return server_url().rsplit("/", 1)[0] + f"/{name}"

    try:
        yield new
    finally:
        for project, name in created:
            on_server(project, server_url(), f"DROP DATABASE {name} WITH (FORCE)")

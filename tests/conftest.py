"""Session fixtures: the template as Copier sees it, a PostgreSQL server, rendered services."""

import os
import pwd
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from .helpers import (
    POSTGRES_VARIANTS,
    TEMPLATE_ROOT,
    VARIANTS,
    clean_env,
    git,
    new_databases,
    release_commits,
    released_versions,
    render,
    uv_sync,
)
from .postgres import find_server_binary, is_root, throwaway_cluster
from .releases import Releases, releases_fixture
from .updates import next_version
from .worktree import commit_working_tree


def missing_prerequisites() -> list[str]:
    """What the suite needs on this machine and does not find, with how to install it."""
    missing = []
    if find_server_binary("initdb") is None or find_server_binary("pg_ctl") is None:
        missing.append(
            "the PostgreSQL server binaries initdb and pg_ctl (Debian/Ubuntu: "
            "apt-get install postgresql; macOS: brew install postgresql)"
        )
    if shutil.which("pgbouncer") is None and shutil.which("pgbouncer", path="/usr/sbin") is None:
        missing.append(
            "pgbouncer (Debian/Ubuntu: apt-get install pgbouncer; macOS: brew install pgbouncer)"
        )
    if shutil.which("git") is None:
        missing.append("git (Debian/Ubuntu: apt-get install git)")
    if shutil.which("uv") is None:
        missing.append("uv (python3 -m pip install uv)")
    if is_root():  # initdb and pgbouncer refuse root: their servers run as `postgres`
        if shutil.which("runuser") is None:
            missing.append("runuser, to start servers as the postgres user (util-linux)")
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            missing.append("a `postgres` user to run servers as (apt-get install postgresql)")
    return missing


def pytest_sessionstart(session: pytest.Session) -> None:
    """Stop at once, naming every missing prerequisite, instead of minutes into the run."""
    if session.config.option.collectonly:
        return
    missing = missing_prerequisites()
    if missing:
        pytest.exit(
            "The template's tests need, and this machine lacks:\n  - " + "\n  - ".join(missing),
            returncode=4,
        )


@pytest.hookimpl(optionalhook=True)  # an xdist hook: `-p no:xdist` runs without it
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Side by side (pyproject.toml's addopts: pytest-xdist), the tests of a group run on
    one worker (tests/groups.py), so that each variant is rendered, installed and updated
    once per run."""
    from .groups import ByGroup

    return ByGroup(config, log)


@pytest.fixture(scope="session", autouse=True)
def isolated_copier_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep the user's Copier settings (defaults, trusted repos) out of every render."""
    settings = tmp_path_factory.mktemp("copier") / "settings.yml"
    settings.write_text("defaults: {}\n")
    previous = os.environ.get("COPIER_SETTINGS_PATH")
    os.environ["COPIER_SETTINGS_PATH"] = str(settings)
    yield
    if previous is None:
        del os.environ["COPIER_SETTINGS_PATH"]
    else:
        os.environ["COPIER_SETTINGS_PATH"] = previous


@contextmanager
def child_environment(**values: str | None) -> Iterator[None]:
    """Set (None: unset) these variables in os.environ, which the children this session
    starts inherit (clean_env), for as long as the context lasts. This process keeps the
    settings it started with (Python reads its bytecode settings at startup)."""
    previous = {name: os.environ.get(name) for name in values}

    def apply(settings: dict[str, str | None]) -> None:
        for name, value in settings.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    apply(values)
    try:
        yield
    finally:
        apply(previous)


def run_folder(config: pytest.Config, tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """A folder of this run's, the same for every pytest-xdist worker: in the controller's
    base temporary folder, of which each worker's is a subfolder."""
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if hasattr(config, "workerinput") else base) / name
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture(scope="session", autouse=True)
def shared_mypy_cache(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """One mypy cache for every rendered service's mypy (MYPY_CACHE_DIR, which their
    processes inherit through clean_env), shared by the run's xdist workers: the
    third-party packages, the bulk of the work, are the same files in every render's .venv
    (uv links them from its cache), so each is analysed once per run (and Python version)
    instead of once per render. mypy checks each cached module against its source's hash,
    so a cache shared across projects changes no result; it keeps the cache in SQLite
    (WAL), where processes side by side read while one writes, and a write that finds the
    database locked is skipped, not an error. A mypy with other settings or plugins (the
    benchmark suite's) keeps its own cache: see `mypy_cache`."""
    cache = run_folder(request.config, tmp_path_factory, "mypy-cache")
    with child_environment(MYPY_CACHE_DIR=str(cache)):
        yield


@pytest.fixture(scope="session", autouse=True)
def shared_bytecode_cache(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """Compiled bytecode for every Python process the run starts, kept in one folder of
    the run's (PYTHONPYCACHEPREFIX) instead of next to the sources: each rendered service's
    venv is imported by dozens of processes (copier, alembic, uvicorn, pytest and its
    workers, mypy's Python parts), and without bytecode (PYTHONDONTWRITEBYTECODE, set on
    some machines) each one compiled every module it imports from source again: importing
    a service's app costs 2.5 s of CPU that way, 1 s with bytecode. No file is written into
    any rendered tree (the prefix mirrors the sources' absolute paths); Python re-validates
    each cached module against its source's size and mtime, as it does for any developer,
    and writes each one atomically (the xdist workers share the folder)."""
    prefix = str(run_folder(request.config, tmp_path_factory, "bytecode"))
    with child_environment(PYTHONDONTWRITEBYTECODE=None, PYTHONPYCACHEPREFIX=prefix):
        yield


@pytest.fixture(scope="session")
def template_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The working tree committed in a temporary repository (see commit_working_tree)."""
    return commit_working_tree(tmp_path_factory.mktemp("template") / "loopsafe")


@pytest.fixture(scope="session")
def template_history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clone of this repository with a tag on each "Release vX.Y.Z" commit (a fresh
    clone may carry no tags), and the working tree committed on top as HEAD."""
    repo = tmp_path_factory.mktemp("history") / "loopsafe"
    git("clone", "--quiet", TEMPLATE_ROOT, repo, cwd=repo.parent)
    for version, commit in release_commits(repo).items():
        git("tag", "--force", version, commit, cwd=repo)
    git("rm", "-r", "--quiet", ".", cwd=repo)
    return commit_working_tree(repo)


@pytest.fixture(scope="session")
def release_template(template_history: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clone of template_history whose HEAD (the working tree) is tagged as the next
    release: Renovate proposes tags only."""
    clone = tmp_path_factory.mktemp("fleet") / "loopsafe"
    git("clone", "--quiet", template_history, clone, cwd=clone.parent)
    git("tag", next_version(released_versions()), cwd=clone)
    return clone


@pytest.fixture(scope="session")
def releases(
    request: pytest.FixtureRequest,
    release_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Releases]:
    """Every release x variant the selected tests update, each rendered once and updated,
    side by side (tests/releases.py)."""
    tag = next_version(released_versions())
    root = tmp_path_factory.mktemp("releases")
    yield from releases_fixture(request, release_template, tag, root)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """TEST_DATABASE_URL if set (GitHub's workflow gives a service container), else a
    throwaway cluster of our own, started when a test first needs it (tests/postgres.py)."""
    given = os.environ.get("TEST_DATABASE_URL")
    if given:
        yield given
        return
    with throwaway_cluster() as cluster:
        yield cluster.url


@pytest.fixture(scope="session")
def service(template_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """Render and install a variant once per session: service("asyncpg") -> its folder."""
    rendered: dict[str, Path] = {}

    def get(variant: str) -> Path:
        if variant not in rendered:
            dest = tmp_path_factory.mktemp(variant) / f"{variant}-service"
            render(
                template_repo, dest, project_name=f"{variant.title()} Service", **VARIANTS[variant]
            )
            uv_sync(dest)
            rendered[variant] = dest
        return rendered[variant]

    return get


@pytest.fixture
def fresh_database(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[[str, Path], str]]:
    """fresh_database(variant, project) -> the URL of a new, empty database (dropped after).
    The PostgreSQL server (postgres_url) is asked for only by a PostgreSQL variant."""
    with new_databases(lambda: str(request.getfixturevalue("postgres_url")), tmp_path) as new:
        yield new


@pytest.fixture
def suite_env(request: pytest.FixtureRequest) -> Callable[[str], dict[str, str]]:
    """suite_env(variant) -> the environment a rendered service's suite runs in: with
    TEST_DATABASE_URL (postgres_url) for a PostgreSQL variant only, so that a SQLite test
    starts no server."""

    def env(variant: str) -> dict[str, str]:
        if variant in POSTGRES_VARIANTS:
            return clean_env(TEST_DATABASE_URL=str(request.getfixturevalue("postgres_url")))
        return clean_env()

    return env

"""Session fixtures: the template as Copier sees it, a PostgreSQL server, rendered services."""

import os
import pwd
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .helpers import (
    TEMPLATE_ROOT,
    VARIANTS,
    git,
    new_databases,
    release_commits,
    render,
    uv_sync,
)
from .postgres import find_server_binary, is_root, throwaway_cluster
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
def postgres_url() -> Iterator[str]:
    """TEST_DATABASE_URL if set (CI starts a server), else a throwaway cluster of our own."""
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
def fresh_database(postgres_url: str, tmp_path: Path) -> Iterator[Callable[[str, Path], str]]:
    """fresh_database(variant, project) -> the URL of a new, empty database (dropped after)."""
    with new_databases(postgres_url, tmp_path) as new:
        yield new

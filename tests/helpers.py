"""The few helpers the template's tests are built on: run, render, sync."""

import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

TEMPLATE_ROOT = Path(__file__).resolve().parents[1]

VARIANTS: dict[str, dict[str, str]] = {
    "sqlite": {"database": "sqlite"},
    "asyncpg": {"database": "postgresql", "postgres_driver": "asyncpg"},
    "psycopg": {"database": "postgresql", "postgres_driver": "psycopg"},
}
POSTGRES_VARIANTS = [name for name, answers in VARIANTS.items() if answers["database"] != "sqlite"]

# What a suite prints when connections outlive their loop, even if pytest exits 0.
COMPLAINTS = re.compile(
    r"Event loop is closed|attached to a different loop|another operation is in progress"
    r"|[Uu]nclosed|ResourceWarning|never awaited|Task was destroyed|Exception ignored"
)


GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Loopsafe tests",
    "GIT_AUTHOR_EMAIL": "tests@loopsafe.invalid",
    "GIT_COMMITTER_NAME": "Loopsafe tests",
    "GIT_COMMITTER_EMAIL": "tests@loopsafe.invalid",
}


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without the template venv's settings, plus `extra`.

    Git gets an identity: CI machines have none, and copier update commits internally.
    """
    env = {
        k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV" and not k.startswith("PYTEST_")
    }
    env.update(GIT_IDENTITY)
    env.update(extra)
    return env


def run(
    args: list[str | Path],
    cwd: Path,
    *,
    timeout: float = 300,
    env: dict[str, str] | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run a command under a wall-clock limit; fail the test with its output if it fails.

    The limit covers the whole process group, so a child that hangs at interpreter exit
    (a connection left open keeps aiosqlite's thread alive) fails the test instead of CI.
    """
    command = [str(arg) for arg in args]
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=env if env is not None else clean_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        pytest.fail(f"{' '.join(command)} still running after {timeout}s\n{stdout}\n{stderr}")
    result = subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
    if check and result.returncode != 0:
        pytest.fail(
            f"{' '.join(command)} exited {result.returncode} in {cwd}\n"
            f"--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}"
        )
    return result


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


def released_versions() -> list[str]:
    """The releases CHANGELOG.md lists ("## v0.1.0 - ..."), newest first."""
    changelog = (TEMPLATE_ROOT / "CHANGELOG.md").read_text()
    return re.findall(r"^## (v\d+\.\d+\.\d+)\b", changelog, flags=re.MULTILINE)


def uv_sync(project: Path, **env: str) -> None:
    run(["uv", "sync", "--quiet"], cwd=project, env=clean_env(**env), timeout=600)


def assert_quiet(result: subprocess.CompletedProcess[str]) -> None:
    """The run printed none of the async-teardown complaints this template exists to prevent."""
    output = result.stdout + result.stderr
    found = COMPLAINTS.search(output)
    assert found is None, f"suite output mentions {found.group(0)!r}:\n{output}"


def passed_count(result: subprocess.CompletedProcess[str]) -> int:
    match = re.search(r"(\d+) passed", result.stdout)
    assert match, f"no tests passed:\n{result.stdout}\n{result.stderr}"
    assert " failed" not in result.stdout and " error" not in result.stdout, result.stdout
    return int(match.group(1))


def on_server(project: Path, server_url: str, statement: str) -> None:
    """Run one autocommit statement with psycopg, which every PostgreSQL render installs
    (pytest-postgresql needs it)."""
    code = (
        f"import psycopg; psycopg.connect({server_url!r}, autocommit=True).execute({statement!r})"
    )
    run([project / ".venv/bin/python", "-c", code], cwd=project)


@contextmanager
def served(project: Path, env: dict[str, str], log: list[str] | None = None) -> Iterator[str]:
    """Serve a rendered service with uvicorn; yield its base URL; stop it with SIGTERM and
    check it shut down cleanly (lifespan complete, no traceback). Its output goes into
    `log`, if given, once it has stopped.

    The socket is bound here and handed to uvicorn (--fd): requests wait in its backlog
    until the app is up, so nothing polls for readiness.
    """
    package = next(project.glob("src/*/main.py")).parent.name
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = subprocess.Popen(
        [project / ".venv/bin/uvicorn", f"{package}.main:app", "--fd", str(listener.fileno())],
        cwd=project,
        env=env,
        pass_fds=[listener.fileno()],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    listener.close()  # uvicorn has its own copy
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            output, _ = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            output, _ = server.communicate()
            pytest.fail(f"uvicorn did not stop within 30 s of SIGTERM:\n{output}")
    if log is not None:
        log.extend(output.splitlines())
    assert server.returncode in (0, -signal.SIGTERM), output  # uvicorn re-raises SIGTERM
    assert "Application shutdown complete" in output and "Traceback" not in output, output

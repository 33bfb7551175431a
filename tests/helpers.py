"""The few helpers the template's tests are built on: run, render, sync."""

import os
import re
import signal
import subprocess
import sys
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


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without the template venv's settings, plus `extra`."""
    env = {
        k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV" and not k.startswith("PYTEST_")
    }
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


def render(template: Path, dest: Path, **answers: str) -> Path:
    """Render the template's HEAD (the working tree, see conftest) with these answers."""
    data = [f"--data={key}={value}" for key, value in answers.items()]
    copier("copy", "--defaults", "--vcs-ref=HEAD", *data, template, dest, cwd=dest.parent)
    return dest


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

"""The processes the template's tests and bench/ start: the environment they run in, a
command under a time limit, SQL on a PostgreSQL server, a rendered service's app served.

Standard library only: bench/'s scripts import it outside the tests' environment.
"""

import os
import signal
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

# Commits need an identity and CI machines have none: the working tree's snapshot is
# committed, and `copier update` commits internally.
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Loopsafe tests",
    "GIT_AUTHOR_EMAIL": "tests@loopsafe.invalid",
    "GIT_COMMITTER_NAME": "Loopsafe tests",
    "GIT_COMMITTER_EMAIL": "tests@loopsafe.invalid",
}


class CommandFailed(RuntimeError):
    """A command exited non-zero or outlived its time limit; the message has its output."""


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment, plus the git identity and `extra`, without what would make
    a child use our Python's settings: every child runs its own (a rendered service's venv)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("VIRTUAL_ENV", "PYTHONPATH") and not key.startswith("PYTEST_")
    }
    env.update(GIT_IDENTITY)
    env.update(extra)
    return env


def run(
    args: Sequence[str | Path],
    cwd: Path,
    *,
    timeout: float = 300,
    env: dict[str, str] | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run a command under a wall-clock limit; raise CommandFailed, with its output, if it
    fails (unless `check` is false) or outlives the limit.

    The limit covers the whole process group, so a child that hangs at interpreter exit
    (a connection left open keeps aiosqlite's thread alive) fails instead of hanging CI.
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
        raise CommandFailed(
            f"{' '.join(command)} still running after {timeout}s\n{stdout}\n{stderr}"
        ) from None
    if check and process.returncode != 0:
        raise CommandFailed(
            f"{' '.join(command)} exited {process.returncode} in {cwd}\n"
            f"--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}"
        )
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def on_server(project: Path, server_url: str, *statements: str) -> None:
    """Run `statements`, in order and autocommitted, on the PostgreSQL server at `server_url`
    with the psycopg of `project`, a PostgreSQL render (pytest-postgresql, a development
    dependency of every one, needs psycopg)."""
    code = (
        "import sys, psycopg\n"
        "with psycopg.connect(sys.argv[1], autocommit=True) as connection:\n"
        "    for statement in sys.argv[2:]:\n"
        "        connection.execute(statement)\n"
    )
    run([project / ".venv/bin/python", "-c", code, server_url, *statements], cwd=project)


@contextmanager
def served(
    project: Path, env: dict[str, str], *options: str, log: list[str] | None = None
) -> Iterator[str]:
    """Serve a rendered service with uvicorn (`options` added to its command line); yield its
    base URL; stop it with SIGTERM and check that it shut down cleanly (lifespan complete, no
    traceback). Its output goes into `log`, if given, once it has stopped.

    The socket is bound here and handed to uvicorn (--fd): requests wait in its backlog
    until the app is up, so nothing polls for readiness. The log goes to a file, which,
    unlike a pipe read only at the end, never fills up and blocks the server.
    """
    package = next(project.glob("src/*/main.py")).parent.name
    listener = socket.create_server(("127.0.0.1", 0), backlog=1024)
    port = listener.getsockname()[1]
    uvicorn: list[str | Path] = [project / ".venv/bin/uvicorn", f"{package}.main:app"]
    with tempfile.TemporaryFile("w+") as log_file:
        server = subprocess.Popen(
            [*uvicorn, "--fd", str(listener.fileno()), *options],
            cwd=project,
            env=env,
            pass_fds=[listener.fileno()],
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        listener.close()  # uvicorn has its own copy
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
                log_file.seek(0)
                raise CommandFailed(
                    f"uvicorn did not stop within 30 s of SIGTERM:\n{log_file.read()}"
                ) from None
        log_file.seek(0)
        output = log_file.read()
    if log is not None:
        log.extend(output.splitlines())
    # uvicorn shuts down cleanly on SIGTERM, then re-raises it (exit status -15).
    clean = server.returncode in (0, -signal.SIGTERM)
    if not clean or "Application shutdown complete" not in output or "Traceback" in output:
        raise CommandFailed(f"uvicorn exited {server.returncode}, not cleanly:\n{output}")


def stop_group(server: "subprocess.Popen[str]") -> None:
    """Kill what is left of a server started with start_new_session=True: its process group
    (a reloader's worker too), which also closes its end of the log's pipe."""
    try:
        os.killpg(server.pid, signal.SIGKILL)
    except ProcessLookupError:  # the group is gone: every process in it has exited
        pass
    server.wait()


class ServerLog:
    """A served process's output (its stdout, a text pipe with stderr merged), read as it
    comes by a thread, so that a test waits for what the server says instead of sleeping."""

    @classmethod
    def start(cls, command: Sequence[str | Path], cwd: Path, env: dict[str, str]) -> "ServerLog":
        """Start `command` in a process group of its own (stop_group ends it, a reloader's
        worker too), its output read by a ServerLog; the process is `.server`."""
        server = subprocess.Popen(
            [str(word) for word in command],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        return cls(server)

    def __init__(self, server: "subprocess.Popen[str]") -> None:
        self.lines: list[str] = []
        self.server = server
        self.changed = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.server.stdout is not None
        for line in self.server.stdout:
            with self.changed:
                self.lines.append(line)
                self.changed.notify_all()

    def count(self, marker: str) -> int:
        with self.changed:
            return sum(marker in line for line in self.lines)

    def wait_for(self, marker: str, times: int = 1, timeout: float = 60) -> None:
        """Until `marker` has appeared in `times` lines; CommandFailed after `timeout` s."""
        with self.changed:
            if not self.changed.wait_for(lambda: self.count(marker) >= times, timeout):
                raise CommandFailed(f"{marker!r} not seen {times} time(s) in:\n{self.text()}")

    def text(self) -> str:
        with self.changed:
            return "".join(self.lines)

    def close(self) -> None:
        """After the server exited: the rest of its output, then the pipe closed."""
        self.reader.join(timeout=30)
        if self.server.stdout is not None:
            self.server.stdout.close()

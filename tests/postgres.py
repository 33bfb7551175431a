"""A throwaway PostgreSQL cluster for the template's tests, when TEST_DATABASE_URL is unset."""

import os
import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from .helpers import run

MISSING = """\
The template's tests need PostgreSQL (the asyncpg and psycopg variants are never skipped).
Either set TEST_DATABASE_URL to a server they may create databases on, e.g.
    TEST_DATABASE_URL=postgresql://postgres:postgres@localhost:5432/postgres uv run pytest
or install the PostgreSQL server binaries (Debian/Ubuntu: apt-get install postgresql;
macOS: brew install postgresql) so the tests can start a throwaway cluster. {reason}"""


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def find_server_binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(candidates[-1]) if candidates else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def throwaway_cluster(workdir: Path) -> Iterator[str]:
    """Start a cluster on 127.0.0.1 (as the `postgres` user when we are root: initdb refuses
    root), yield its URL, and stop it by its data directory."""
    initdb, pg_ctl = find_server_binary("initdb"), find_server_binary("pg_ctl")
    if initdb is None or pg_ctl is None:
        pytest.exit(MISSING.format(reason="(initdb/pg_ctl not found)"), returncode=4)
    prefix: list[str] = []
    if is_root():
        if shutil.which("runuser") is None:
            pytest.exit(MISSING.format(reason="(running as root, and no runuser)"), returncode=4)
        prefix = ["runuser", "-u", "postgres", "--"]
        shutil.chown(workdir, user="postgres")
    data, port = workdir / "data", free_port()
    run([*prefix, initdb, "-D", data, "-U", "postgres", "--auth=trust"], cwd=workdir, timeout=120)
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={workdir} -c fsync=off"
    )
    start = [
        *prefix,
        pg_ctl,
        "-D",
        data,
        "-l",
        workdir / "server.log",
        "-o",
        options,
        "-w",
        "start",
    ]
    run(start, cwd=workdir, timeout=120)
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        run([*prefix, pg_ctl, "-D", data, "-m", "fast", "-w", "stop"], cwd=workdir, timeout=120)

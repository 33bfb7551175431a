"""A throwaway PostgreSQL cluster for the template's tests, when TEST_DATABASE_URL is unset."""

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from .helpers import free_port, run

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


class Cluster:
    """A PostgreSQL cluster in `workdir`, on 127.0.0.1 only, run as the `postgres` user when
    we are root (initdb refuses root). Stopped by its data directory, never by name."""

    def __init__(self) -> None:
        # Not under pytest's basetemp: only root may enter that, and the server may run as
        # the postgres user.
        workdir = Path(tempfile.mkdtemp(prefix="loopsafe-pg-"))
        workdir.chmod(0o755)
        initdb, pg_ctl = find_server_binary("initdb"), find_server_binary("pg_ctl")
        if initdb is None or pg_ctl is None:
            pytest.exit(MISSING.format(reason="(initdb/pg_ctl not found)"), returncode=4)
        self.as_postgres: list[str] = []
        if is_root():
            if shutil.which("runuser") is None:
                pytest.exit(
                    MISSING.format(reason="(running as root, without runuser)"), returncode=4
                )
            self.as_postgres = ["runuser", "-u", "postgres", "--"]
            shutil.chown(workdir, user="postgres")
        self.workdir, self.pg_ctl, self.data = workdir, pg_ctl, workdir / "data"
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        run(
            [*self.as_postgres, initdb, "-D", self.data, "-U", "postgres", "--auth=trust"],
            cwd=workdir,
            timeout=120,
        )

    def start(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories={self.workdir} -c fsync=off"
        log = self.workdir / "server.log"
        run(
            [
                *self.as_postgres,
                self.pg_ctl,
                "-D",
                self.data,
                "-l",
                log,
                "-o",
                options,
                "-w",
                "start",
            ],
            cwd=self.workdir,
            timeout=120,
        )

    def stop(self) -> None:
        run(
            [*self.as_postgres, self.pg_ctl, "-D", self.data, "-m", "fast", "-w", "stop"],
            cwd=self.workdir,
            timeout=120,
        )


@contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    """A started cluster, stopped and deleted when the block ends."""
    cluster = Cluster()
    try:
        cluster.start()
        yield cluster
    finally:
        if (cluster.data / "postmaster.pid").exists():
            cluster.stop()
        shutil.rmtree(cluster.workdir, ignore_errors=True)

"""The `pgbouncer` answer: a service behind PgBouncer in transaction pooling mode answers
every request, on both drivers, while the engine of a service rendered without it fails
through the same PgBouncer (its prepared statements land on server connections they were
not made on). Uses a real pgbouncer (Debian package) in front of the session's PostgreSQL."""

import asyncio
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from .helpers import VARIANTS, clean_env, free_port, on_server, render, run, served, uv_sync
from .postgres import is_root

REQUESTS, CONCURRENCY = 300, 20


@contextmanager
def pgbouncer(server_url: str) -> Iterator[str]:
    """PgBouncer in transaction mode in front of `server_url`; yields its URL (same user and
    database). As root it runs as the postgres user: pgbouncer refuses root."""
    binary = shutil.which("pgbouncer") or shutil.which("pgbouncer", path="/usr/sbin")
    if binary is None:
        pytest.fail(
            "pgbouncer is not installed: apt-get install pgbouncer (or brew install pgbouncer)"
        )
    workdir = Path(tempfile.mkdtemp(prefix="loopsafe-pgbouncer-"))
    workdir.chmod(0o755)
    host_port, port = server_url.split("@", 1)[1].split("/", 1)[0], free_port()
    host, server_port = host_port.rsplit(":", 1)
    (workdir / "users.txt").write_text('"postgres" ""\n')
    (workdir / "pgbouncer.ini").write_text(
        f"""[databases]
* = host={host} port={server_port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {workdir / "users.txt"}
pool_mode = transaction
default_pool_size = 3
max_client_conn = 200
; what a service rendered without the pgbouncer answer sends; ignoring it here keeps the
; comparison about prepared statements alone
ignore_startup_parameters = extra_float_digits, statement_timeout, options
server_reset_query = DISCARD ALL
server_reset_query_always = 1
"""
    )
    command: list[str | Path] = [binary, workdir / "pgbouncer.ini"]
    if is_root():
        shutil.chown(workdir, user="postgres")
        for path in workdir.iterdir():
            shutil.chown(path, user="postgres")
        command = ["runuser", "-u", "postgres", "--", *command]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    watchdog = threading.Timer(30, process.kill)  # a pgbouncer that never comes up
    watchdog.start()
    try:
        assert process.stderr is not None
        for line in process.stderr:  # ready once it logs "process up" (it listens by then)
            if "process up" in line:
                break
        else:
            pytest.fail(f"pgbouncer exited with {process.wait()} before it was up")
        watchdog.cancel()
        yield server_url.replace(host_port, f"127.0.0.1:{port}")
    finally:
        watchdog.cancel()
        process.terminate()
        process.communicate(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)


async def load(base_url: str) -> list[int]:
    """REQUESTS requests, CONCURRENCY at a time: creates, reads and lists."""
    limit = asyncio.Semaphore(CONCURRENCY)

    async def one(http: httpx.AsyncClient, n: int) -> int:
        async with limit:
            if n % 3 == 0:
                response = await http.post("/items", json={"name": f"item-{n}"})
            elif n % 3 == 1:
                response = await http.get("/items", params={"limit": 5})
            else:
                response = await http.get("/health")
            return response.status_code

    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        return list(await asyncio.gather(*(one(http, n) for n in range(REQUESTS))))


# The service's own engine (database.create_engine, production settings), many concurrent
# connections through PgBouncer, each running the same statement in several transactions
# (psycopg prepares a statement server-side from its 5th execution on one connection).
SAME_STATEMENT_MANY_TIMES = """
import asyncio
from sqlalchemy import text
from {package} import database

async def main() -> None:
    engine = database.create_engine()
    async def one(n: int) -> None:
        async with engine.connect() as connection:
            for _ in range(8):  # one transaction each: PgBouncer may switch servers between
                await connection.execute(text("SELECT CAST(:n AS text)"), {{"n": str(n)}})
                await connection.commit()
    try:
        await asyncio.wait_for(asyncio.gather(*(one(n) for n in range(60))), 60)
    finally:
        await engine.dispose()

asyncio.run(main())
"""


def through_pgbouncer(project: Path, bouncer_url: str) -> subprocess.CompletedProcess[str]:
    package = next(project.glob("src/*/main.py")).parent.name
    env = clean_env(ENVIRONMENT="production", DATABASE_URL=bouncer_url)
    code = SAME_STATEMENT_MANY_TIMES.format(package=package)
    return run([project / ".venv/bin/python", "-c", code], cwd=project, env=env, check=False)


@pytest.mark.parametrize("driver", ["asyncpg", "psycopg"])
def test_pgbouncer_transaction_mode(
    driver: str,
    template_repo: Path,
    service: Callable[[str], Path],
    postgres_url: str,
    tmp_path: Path,
) -> None:
    answers = {"project_name": f"Bounced {driver}", **VARIANTS[driver], "pgbouncer": "true"}
    bounced = render(template_repo, tmp_path / "bounced" / "svc", **answers)
    uv_sync(bounced)
    assert "pgbouncer: true" in (bounced / ".copier-answers.yml").read_text()

    name = f"bounced_{driver}"
    on_server(bounced, postgres_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    on_server(bounced, postgres_url, f"CREATE DATABASE {name}")
    direct = clean_env(DATABASE_URL=postgres_url.rsplit("/", 1)[0] + f"/{name}")
    run([bounced / ".venv/bin/alembic", "upgrade", "head"], cwd=bounced, env=direct)
    try:
        with pgbouncer(postgres_url) as bouncer_url:
            bouncer_url = bouncer_url.rsplit("/", 1)[0] + f"/{name}"
            assert through_pgbouncer(bounced, bouncer_url).returncode == 0

            # Rendered without the answer, the same engine breaks on the same work.
            plain = through_pgbouncer(service(driver), bouncer_url)
            assert plain.returncode != 0 and "prepared statement" in plain.stderr, plain.stderr

            env = clean_env(ENVIRONMENT="production", DATABASE_URL=bouncer_url)
            with served(bounced, env) as url:
                statuses = asyncio.run(load(url))
            assert statuses.count(201) == REQUESTS // 3
            assert set(statuses) <= {200, 201}, sorted(set(statuses))
    finally:
        on_server(bounced, postgres_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

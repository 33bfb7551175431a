"""Concurrency check of a served PostgreSQL service: bounded load, connection ceiling, and
pool exhaustion. A script, not a test: it prints figures for docs/benchmarks.md.

    TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
        uv run python bench/load.py [--driver asyncpg|psycopg] [--requests 2000] [--concurrency 50]

It renders the service from the working tree, migrates a database of its own on the server,
serves the app with uvicorn (ENVIRONMENT=production, pool 5 + overflow 10) and drives it from
a client that runs in the service's own environment (bench/load_client.py). The database's
CONNECTION LIMIT is set to pool size + overflow (+1 for the client's sampler), so a service
that ever opened more connections would see errors, not just a higher peak.
"""

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# bench/run.py's helpers: the working tree as the template's tests commit it, and commands.
from run import ROOT, clean_env, commit_working_tree, sh

POOL_SIZE, MAX_OVERFLOW = 5, 10


def render(driver: str, workdir: Path) -> Path:
    """The working tree, committed in a temporary repository, rendered and installed."""
    template = commit_working_tree(workdir / "template")
    service = workdir / "service"
    data = ["--data=database=postgresql", f"--data=postgres_driver={driver}"]
    copier = [sys.executable, "-m", "copier", "copy", "--defaults", "--vcs-ref=HEAD", "--quiet"]
    settings = clean_env(COPIER_SETTINGS_PATH=str(workdir / "no-settings.yml"))
    sh([*copier, *data, template, service], cwd=workdir, env=settings)
    sh(["uv", "sync", "--quiet"], cwd=service)
    return service


def on_server(service: Path, server_url: str, *statements: str) -> None:
    code = (
        "import sys, psycopg\n"
        "with psycopg.connect(sys.argv[1], autocommit=True) as c:\n"
        "    for s in sys.argv[2:]: c.execute(s)\n"
    )
    sh([service / ".venv/bin/python", "-c", code, server_url, *statements], cwd=service)


@contextmanager
def served(service: Path, env: dict[str, str]) -> Iterator[str]:
    """uvicorn on a socket bound here (--fd): requests queue until the app is up."""
    package = next(service.glob("src/*/main.py")).parent.name
    listener = socket.create_server(("127.0.0.1", 0), backlog=1024)
    port = listener.getsockname()[1]
    command = [service / ".venv/bin/uvicorn", f"{package}.main:app", "--fd", str(listener.fileno())]
    command += ["--no-access-log", "--backlog", "1024"]
    server = subprocess.Popen(
        command,
        cwd=service,
        env=env,
        pass_fds=[listener.fileno()],
        stderr=subprocess.PIPE,
        text=True,
    )
    listener.close()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.send_signal(signal.SIGTERM)
        _, log = server.communicate(timeout=60)
        problems = [line for line in log.splitlines() if "Traceback" in line or "ERROR" in line]
        print(f"  server stopped (exit {server.returncode}); log problems: {problems or 'none'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--driver", choices=["asyncpg", "psycopg"], default="asyncpg")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url:
        sys.exit(
            "Set TEST_DATABASE_URL to a PostgreSQL server this script may create a database on."
        )

    with tempfile.TemporaryDirectory(prefix="loopsafe-load-") as tmp:
        service = render(args.driver, Path(tmp))
        # A role that is not a superuser: CONNECTION LIMIT does not apply to superusers.
        database = role = f"bench_load_{args.driver}"
        server = server_url.split("://", 1)[1].split("@", 1)[1].rsplit("/", 1)[0]
        database_url = f"postgresql://{role}@{server}/{database}"
        on_server(
            service,
            server_url,
            f"DROP DATABASE IF EXISTS {database} WITH (FORCE)",
            f"DROP ROLE IF EXISTS {role}",
            f"CREATE ROLE {role} LOGIN",
            f"CREATE DATABASE {database} OWNER {role}",
        )
        try:
            base = {**os.environ, "ENVIRONMENT": "production", "DATABASE_URL": database_url}
            sh([service / ".venv/bin/alembic", "upgrade", "head"], cwd=service, env=base)
            limit = POOL_SIZE + MAX_OVERFLOW + 1  # +1: the client's pg_stat_activity sampler
            on_server(service, server_url, f"ALTER DATABASE {database} CONNECTION LIMIT {limit}")
            client = [service / ".venv/bin/python", ROOT / "bench/load_client.py", database_url]

            print(
                f"{args.driver}: {args.requests} requests, {args.concurrency} concurrent, "
                f"pool {POOL_SIZE} + overflow {MAX_OVERFLOW}, database connection limit {limit}"
            )
            pool = {
                "DATABASE_POOL_SIZE": str(POOL_SIZE),
                "DATABASE_MAX_OVERFLOW": str(MAX_OVERFLOW),
            }
            with served(service, {**base, **pool}) as url:
                load = [*client, url, "load", str(args.requests), str(args.concurrency)]
                print(sh(load, cwd=service).stdout)

            print(f"{args.driver}: pool exhaustion (pool 1 + overflow 0, DATABASE_POOL_TIMEOUT=2)")
            tiny = {
                "DATABASE_POOL_SIZE": "1",
                "DATABASE_MAX_OVERFLOW": "0",
                "DATABASE_POOL_TIMEOUT": "2",
            }
            with served(service, {**base, **tiny}) as url:
                print(sh([*client, url, "exhaust"], cwd=service).stdout)
        finally:
            on_server(
                service,
                server_url,
                f"DROP DATABASE IF EXISTS {database} WITH (FORCE)",
                f"DROP ROLE IF EXISTS {role}",
            )


if __name__ == "__main__":
    main()

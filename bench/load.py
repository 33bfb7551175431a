"""Concurrency check of a served PostgreSQL service: bounded load, connection ceiling, and
pool exhaustion. A script, not a test: it prints figures for docs/benchmarks.md.

    TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
        uv run python bench/load.py [--driver asyncpg|psycopg] [--requests 2000] [--concurrency 50]

It renders the service from the working tree, migrates a database of its own on the server,
serves the app with uvicorn (ENVIRONMENT=production, pool 5 + overflow 10) and drives it from
a client that runs in the service's own environment (bench/suite/load_client.py). The
database's CONNECTION LIMIT is set to pool size + overflow (+1 for the client's sampler), so
a service that ever opened more connections would see errors, not just a higher peak.
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

# Run as a script, from the repository root, bench/ and tests/ are packages; from bench/,
# the script's own folder, bench's modules would also be importable as top-level ones.
sys.path[0] = str(Path(__file__).resolve().parents[1])
from tests.processes import clean_env, on_server, run, served  # noqa: E402
from tests.worktree import ROOT, commit_working_tree  # noqa: E402

POOL_SIZE, MAX_OVERFLOW = 5, 10
CLIENT = ROOT / "bench/suite/load_client.py"


def render(driver: str, workdir: Path) -> Path:
    """The working tree, committed in a temporary repository, rendered and installed."""
    template = commit_working_tree(workdir / "template")
    service = workdir / "service"
    data = ["--data=database=postgresql", f"--data=postgres_driver={driver}"]
    copier = [sys.executable, "-m", "copier", "copy", "--defaults", "--vcs-ref=HEAD", "--quiet"]
    settings = clean_env(COPIER_SETTINGS_PATH=str(workdir / "no-settings.yml"))
    run([*copier, *data, template, service], cwd=workdir, env=settings)
    run(["uv", "sync", "--quiet"], cwd=service, timeout=600)
    return service


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
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
            run([service / ".venv/bin/alembic", "upgrade", "head"], cwd=service, env=base)
            limit = POOL_SIZE + MAX_OVERFLOW + 1  # +1: the client's pg_stat_activity sampler
            on_server(service, server_url, f"ALTER DATABASE {database} CONNECTION LIMIT {limit}")
            client: list[str | Path] = [service / ".venv/bin/python", CLIENT, database_url]
            # No access log (a line per request costs the server time under load); room in
            # the listen queue for every concurrent client.
            options = ("--no-access-log", "--backlog", "1024")

            print(
                f"{args.driver}: {args.requests} requests, {args.concurrency} concurrent, "
                f"pool {POOL_SIZE} + overflow {MAX_OVERFLOW}, database connection limit {limit}"
            )
            pool = {
                "DATABASE_POOL_SIZE": str(POOL_SIZE),
                "DATABASE_MAX_OVERFLOW": str(MAX_OVERFLOW),
            }
            with served(service, {**base, **pool}, *options) as url:
                load = [*client, url, "load", str(args.requests), str(args.concurrency)]
                print(run(load, cwd=service).stdout)
            print("  server stopped cleanly (lifespan complete, no traceback)")

            print(f"{args.driver}: pool exhaustion (pool 1 + overflow 0, DATABASE_POOL_TIMEOUT=2)")
            tiny = {
                "DATABASE_POOL_SIZE": "1",
                "DATABASE_MAX_OVERFLOW": "0",
                "DATABASE_POOL_TIMEOUT": "2",
            }
            with served(service, {**base, **tiny}, *options) as url:
                print(run([*client, url, "exhaust"], cwd=service).stdout)
            print("  server stopped cleanly (lifespan complete, no traceback)")
        finally:
            on_server(
                service,
                server_url,
                f"DROP DATABASE IF EXISTS {database} WITH (FORCE)",
                f"DROP ROLE IF EXISTS {role}",
            )


if __name__ == "__main__":
    main()

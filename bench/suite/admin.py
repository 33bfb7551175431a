"""Server chores for the benchmark, run with a PostgreSQL render's Python (psycopg is there).

    python bench_suite/admin.py version           # and how connections authenticate
    python bench_suite/admin.py create NAME       # NAME must start with bench_
    python bench_suite/admin.py drop NAME
    python bench_suite/admin.py drop-like PATTERN  # leftovers of this run's harness databases

The server is TEST_DATABASE_URL.
"""

import os
import sys

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url


def connect() -> psycopg.Connection[tuple[object, ...]]:
    url = make_url(os.environ["TEST_DATABASE_URL"]).set(drivername="postgresql")
    return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)


def main(command: str, *args: str) -> None:
    with connect() as connection:
        if command == "version":
            row = connection.execute("SHOW server_version").fetchone()
            tls = connection.execute(
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
            ).fetchone()
            info = connection.info
            # What a new connection costs depends on these: NullPool pays them every test.
            print(
                f"{row[0] if row else 'unknown'} at {info.host}:{info.port}; "
                f"{'password' if connection.pgconn.used_password else 'no password'} "
                f"authentication; TLS {'on' if tls and tls[0] else 'off'}"
            )
        elif command == "create":
            (name,) = args
            if not name.startswith("bench_"):
                raise SystemExit(
                    f"refusing to create {name!r}: benchmark databases start with bench_"
                )
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        elif command == "drop":
            (name,) = args
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        elif command == "drop-like":
            (pattern,) = args
            rows = connection.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s", (pattern,)
            ).fetchall()
            for (leftover,) in rows:
                print(f"dropping leftover database {leftover}", file=sys.stderr)
                connection.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(str(leftover))
                    )
                )
        else:
            raise SystemExit(__doc__)


if __name__ == "__main__":
    main(*sys.argv[1:])

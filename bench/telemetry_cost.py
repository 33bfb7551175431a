"""What logs, metrics and traces cost under load (issue #19, item 7): bench/load.py's load
against a render of a baseline commit (default `main`) and renders of the working tree with
telemetry off, with its defaults (request log lines and metrics) and with tracing exported
over OTLP, interleaved round by round on one server, in one run. A script, not a test.

    TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
        uv run python bench/telemetry_cost.py [--driver asyncpg] [--rounds 5] [--requests 2000]

Tracing exports to a stand-in collector in this process (it answers every OTLP/HTTP export
with 200), so the cost measured is the app's: spans, their encoding and the exports.
"""

import argparse
import os
import re
import statistics
import sys
import tempfile
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])
from bench.load import CLIENT, MAX_OVERFLOW, POOL_SIZE  # noqa: E402
from tests.processes import clean_env, on_server, run, served  # noqa: E402
from tests.worktree import ROOT, commit_working_tree  # noqa: E402

OFF = {"METRICS_ENABLED": "false", "LOG_REQUESTS": "false"}
MIDDLEWARE = ROOT / "bench/suite/middleware_cost.py"


class Collector(BaseHTTPRequestHandler):
    exports = 0

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Collector.exports += 1
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


def render(template: Path, ref: str, driver: str, service: Path) -> Path:
    """`template` at `ref`, rendered as "Bench Service" (bench/suite/ imports bench_service)
    and installed."""
    data = ["--data=database=postgresql", f"--data=postgres_driver={driver}"]
    data.append("--data=project_name=Bench Service")
    copier = [sys.executable, "-m", "copier", "copy", "--defaults", f"--vcs-ref={ref}", "--quiet"]
    settings = clean_env(COPIER_SETTINGS_PATH=str(service.parent / "no-settings.yml"))
    run([*copier, *data, template, service], cwd=service.parent, env=settings)
    run(["uv", "sync", "--quiet"], cwd=service, timeout=600)
    return service


def cpu_seconds(service: Path) -> float:
    """CPU time (user + system) the served app's process has used: unlike throughput on a
    shared machine, what other processes do barely changes it."""
    uvicorn = str(service / ".venv/bin/uvicorn").encode()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if uvicorn in (entry / "cmdline").read_bytes():
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            except OSError:  # it ended meanwhile
                continue
    raise RuntimeError(f"no running {uvicorn.decode()}")


def figures(output: str) -> tuple[float, float, float]:
    throughput = float(re.search(r"throughput: (\d+)", output).group(1))  # type: ignore[union-attr]
    p50, p95 = re.search(r"p50 ([\d.]+) ms, p95 ([\d.]+) ms", output).groups()  # type: ignore[union-attr]
    if "errors: 0" not in output:
        raise RuntimeError(f"requests failed:\n{output}")
    return throughput, float(p50), float(p95)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--driver", choices=["asyncpg", "psycopg"], default="asyncpg")
    parser.add_argument("--baseline", default="main")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url:
        sys.exit(
            "Set TEST_DATABASE_URL to a PostgreSQL server this script may create a database on."
        )

    collector = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    threading.Thread(target=collector.serve_forever, daemon=True).start()
    otlp = {
        "OTEL_TRACES_EXPORTER": "otlp",
        "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{collector.server_port}",
        "OTEL_SERVICE_NAME": "bench",
    }
    with tempfile.TemporaryDirectory(prefix="loopsafe-telemetry-") as tmp:
        workdir = Path(tmp)
        baseline = render(ROOT, args.baseline, args.driver, workdir / "baseline")
        template = commit_working_tree(workdir / "template")
        branch = render(template, "HEAD", args.driver, workdir / "service")
        configurations = {
            f"{args.baseline} (today)": (baseline, {}),
            "telemetry off": (branch, OFF),
            "logs + metrics (defaults)": (branch, {}),
            "logs + metrics + traces (OTLP)": (branch, otlp),
        }
        database = role = f"bench_telemetry_{args.driver}"
        server = server_url.split("://", 1)[1].split("@", 1)[1].rsplit("/", 1)[0]
        database_url = f"postgresql://{role}@{server}/{database}"
        own_database = server_url.rsplit("/", 1)[0] + f"/{database}"
        on_server(
            branch,
            server_url,
            f"DROP DATABASE IF EXISTS {database} WITH (FORCE)",
            f"DROP ROLE IF EXISTS {role}",
            f"CREATE ROLE {role} LOGIN",
            f"CREATE DATABASE {database} OWNER {role}",
        )
        results: dict[str, list[tuple[float, float, float, float]]] = {
            name: [] for name in configurations
        }
        try:
            base = {
                **clean_env(),
                "ENVIRONMENT": "production",
                "DATABASE_URL": database_url,
                "DATABASE_POOL_SIZE": str(POOL_SIZE),
                "DATABASE_MAX_OVERFLOW": str(MAX_OVERFLOW),
            }
            run([branch / ".venv/bin/alembic", "upgrade", "head"], cwd=branch, env=base)
            options = ("--no-access-log", "--backlog", "1024")
            for round_number in range(1, args.rounds + 1):
                for name, (service, extra) in configurations.items():
                    # Each run starts from the same empty table (the client creates items).
                    on_server(branch, own_database, "TRUNCATE items RESTART IDENTITY")
                    client: list[str | Path] = [service / ".venv/bin/python", CLIENT, database_url]
                    with served(service, {**base, **extra}, *options) as url:
                        urllib.request.urlopen(f"{url}/items?limit=1", timeout=60).close()  # up
                        load = [*client, url, "load", str(args.requests), str(args.concurrency)]
                        before = cpu_seconds(service)
                        output = run(load, cwd=service).stdout
                        spent = cpu_seconds(service) - before
                    # Per request, the client's 50 seeding requests included.
                    cpu = spent / (args.requests + 50) * 1000
                    results[name].append((*figures(output), cpu))
                    throughput, p50, p95, cpu = results[name][-1]
                    print(
                        f"round {round_number} {name}: {cpu:.2f} ms CPU/request, "
                        f"{throughput:.0f} requests/s, p50 {p50:.0f} ms, p95 {p95:.0f} ms",
                        flush=True,
                    )
            middleware: list[str] = []
            for label, extra in (("telemetry off", OFF), ("logs + metrics (defaults)", {})):
                env = {**base, **extra}
                command: list[str | Path] = [branch / ".venv/bin/python", MIDDLEWARE, label]
                middleware.append(run(command, cwd=branch, env=env).stdout.rstrip())
        finally:
            on_server(
                branch,
                server_url,
                f"DROP DATABASE IF EXISTS {database} WITH (FORCE)",
                f"DROP ROLE IF EXISTS {role}",
            )
            collector.shutdown()

    today = results[f"{args.baseline} (today)"]
    reference = statistics.median(r[0] for r in today)
    cpu_reference = statistics.median(r[3] for r in today)
    print(
        f"\n{args.driver}: {args.rounds} rounds of {args.requests} requests, {args.concurrency} concurrent; medians"
    )
    print(
        "| configuration | app CPU per request | vs today | throughput | vs today | p50 / p95 latency |"
    )
    print("|---|---|---|---|---|---|")
    for name, rows in results.items():
        throughput = statistics.median(r[0] for r in rows)
        p50 = statistics.median(r[1] for r in rows)
        p95 = statistics.median(r[2] for r in rows)
        cpu = statistics.median(r[3] for r in rows)
        print(
            f"| {name} | {cpu:.2f} ms | {cpu / cpu_reference:.2f} | {throughput:.0f} requests/s "
            f"| {throughput / reference:.2f} | {p50:.0f} / {p95:.0f} ms |"
        )
    print(f"(OTLP exports received by the stand-in collector: {Collector.exports})")
    print("The request middleware alone, in-process (bench/suite/middleware_cost.py):")
    print("\n".join(middleware))


if __name__ == "__main__":
    main()

# /// script
# requires-python = ">=3.11"
# dependencies = ["copier>=9.19"]
# ///
"""Benchmark the rendered services' test harness against the usual alternatives.

    TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres uv run bench/run.py

Renders each variant from the working tree (a temporary git copy, `--vcs-ref=HEAD`, as the
template's tests do), installs it, adds the suites of bench/suite/ and times, side by side
on the same server and interleaved so that background load hits every strategy alike:

  empty       N empty async tests: pytest's own cost per test, subtracted from the others
  ours        the service's `db_session` (the harness: one connection, rollback per test)
  nullpool    a new connection per test (NullPool), the test commits, DELETE afterwards
  dropcreate  create the tables before each test, drop them afterwards
  plain       the same body with no isolation (a plain session on a held connection)
  pooled      the same, each session from the service-style pool (pre-ping per checkout)
  floor       raw driver, one open connection: BEGIN, SAVEPOINT, INSERT, SELECT, ROLLBACK

Per-test cost = (T(N) - T(N empty tests)) / N, where T is measured inside pytest from the
start of the second test to the start of the last one (so process start-up, collection
and session fixtures are left out of both); medians over --repeats runs. Then the service's
own harness runs a --parallel-tests suite in one process and with `-n 2` (a database per
worker), timed wall clock, start to exit.

Not part of the test suite: nothing here asserts on time. See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.worktree import commit_working_tree  # noqa: E402  the tests' own copy, stdlib only

SUITE = Path(__file__).resolve().parent / "suite"
PACKAGE = "bench_service"  # every variant is rendered as "Bench Service"

VARIANTS: dict[str, dict[str, str]] = {
    "sqlite": {"database": "sqlite"},
    "asyncpg": {"database": "postgresql", "postgres_driver": "asyncpg"},
    "psycopg": {"database": "postgresql", "postgres_driver": "psycopg"},
}
STRATEGIES = ("ours", "nullpool", "dropcreate", "plain", "pooled")
LABELS = {
    "empty": "empty test",
    "ours": "(1) ours",
    "nullpool": "(2) NullPool",
    "dropcreate": "(3) drop/create",
    "plain": "(4) no isolation",
    "pooled": "(4b) no isolation, pooled",
    "floor": "(5) driver floor",
}

# Targets from the issue (PostgreSQL on loopback, 2 cores).
MAX_ISOLATION_OVERHEAD_MS = 0.5
MIN_NULLPOOL_RATIO = 4.0
MAX_WORKER_SETUP_S = 0.5


RENDER_ONLY = """\
Rendered services are in {workdir}. Run one suite by hand from a service's folder, e.g.
    BENCH_TESTS=502 BENCH_OUT=/tmp/bench LOOPSAFE_TEST_RUN=benchmanual \\
    BENCH_DATABASE_URL=<a bench_ database or SQLite file> TEST_DATABASE_URL=$TEST_DATABASE_URL \\
    .venv/bin/python -m pytest -q -p no:randomly -p bench_suite.clock bench_suite/ours
(the benchmark's own databases are dropped on exit; create one with
`.venv/bin/python bench_suite/admin.py create bench_manual`), then profile it, e.g. with
`uv pip install --python .venv/bin/python pyinstrument` and
`.venv/bin/python -m pyinstrument -m pytest ...`, or watch the SQL with
`-o log_cli=true --log-cli-level=INFO` and the `sqlalchemy.engine` logger at INFO."""


class BenchError(RuntimeError):
    """A step failed; the message carries its output."""


# --- Processes ---------------------------------------------------------------------------


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without the benchmark's own venv and pytest settings, plus `extra`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("VIRTUAL_ENV", "PYTHONPATH") and not key.startswith("PYTEST_")
    }
    env.update(extra)
    return env


def sh(
    args: Sequence[str | Path],
    cwd: Path,
    *,
    env: dict[str, str] | None = None,
    timeout: float = 600,
) -> subprocess.CompletedProcess[str]:
    command = [str(arg) for arg in args]
    try:
        result = subprocess.run(
            command,
            cwd=cwd,
            env=env if env is not None else clean_env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"{' '.join(command)} still running after {timeout}s") from exc
    if result.returncode != 0:
        raise BenchError(
            f"{' '.join(command)} exited {result.returncode} in {cwd}\n"
            f"--- stdout ---\n{result.stdout[-6000:]}\n--- stderr ---\n{result.stderr[-6000:]}"
        )
    return result


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- Rendering ---------------------------------------------------------------------------


@dataclass
class Variant:
    name: str
    path: Path
    run_id: str  # names the harness's databases (LOOPSAFE_TEST_RUN) and ours
    server_url: str | None  # TEST_DATABASE_URL, for PostgreSQL variants
    bench_database: str | None = None  # bench_<run id>, for strategies 2-5
    bench_url: str = ""

    @property
    def python(self) -> Path:
        return self.path / ".venv/bin/python"

    @property
    def postgres(self) -> bool:
        return self.server_url is not None

    def env(self, **extra: str) -> dict[str, str]:
        values = {"LOOPSAFE_TEST_RUN": self.run_id, "BENCH_DATABASE_URL": self.bench_url}
        if self.server_url:
            values["TEST_DATABASE_URL"] = self.server_url
        return clean_env(**values, **extra)

    def admin(self, *args: str) -> str:
        return sh(
            [self.python, "bench_suite/admin.py", *args], cwd=self.path, env=self.env()
        ).stdout


def prepare_variant(
    name: str, template: Path, workdir: Path, server_url: str | None, settings: Path
) -> Variant:
    dest = workdir / f"{name}-service"
    data = [f"--data={key}={value}" for key, value in VARIANTS[name].items()]
    say(f"[{name}] rendering and installing")
    sh(
        [
            *(sys.executable, "-m", "copier", "copy", "--defaults", "--vcs-ref=HEAD", "--quiet"),
            *("--data=project_name=Bench Service", *data, template, dest),
        ],
        cwd=workdir,
        env=clean_env(COPIER_SETTINGS_PATH=str(settings)),
    )
    sh(["uv", "sync", "--quiet"], cwd=dest)
    suite = dest / "bench_suite"
    shutil.copytree(SUITE, suite, ignore=shutil.ignore_patterns("__pycache__"))
    for strategy in STRATEGIES:
        shutil.copy(SUITE / "test_db.py", suite / strategy / "test_db.py")
    (suite / "test_db.py").unlink()
    (suite / "empty").mkdir()
    (suite / "test_empty.py").rename(suite / "empty" / "test_empty.py")

    run_id = f"bench{uuid.uuid4().hex[:6]}{name[:2]}"
    is_postgres = VARIANTS[name]["database"] == "postgresql"
    variant = Variant(name, dest, run_id, server_url if is_postgres else None)
    if variant.postgres:
        assert server_url is not None
        variant.bench_database = f"bench_{run_id}"
        variant.bench_url = urlunsplit(
            urlsplit(server_url)._replace(path=f"/{variant.bench_database}")
        )
        variant.admin("create", variant.bench_database)
    else:
        variant.bench_url = f"sqlite+aiosqlite:///{workdir / f'bench_{run_id}.db'}"
    return variant


def cleanup_variant(variant: Variant) -> None:
    if not variant.postgres:
        return
    try:
        if variant.bench_database:
            variant.admin("drop", variant.bench_database)
        # The harness drops its own databases; this catches those of an interrupted run.
        variant.admin("drop-like", f"test_{PACKAGE}_{variant.run_id}_%")
    except BenchError as exc:
        say(f"[{variant.name}] cleanup failed: {exc}")


# --- Measuring ---------------------------------------------------------------------------


@dataclass
class Run:
    """One timed invocation: wall-clock seconds and what each process reported."""

    wall: float
    processes: list[dict[str, Any]] = field(default_factory=list)
    started_at: float = 0.0  # time.time() when the process was started

    @property
    def startup_s(self) -> float:
        """From start to the first test, in the first process (worker) to get there."""
        firsts = [p["first_test_at"] for p in self.processes if p.get("first_test_at")]
        return min(firsts) - self.started_at

    @property
    def cpu_s(self) -> float:
        return sum(p["cpu_s"] for p in self.processes)

    @property
    def per_test_ms(self) -> float:
        (process,) = [p for p in self.processes if p.get("measured")]
        return float(process["window"]) / int(process["measured"]) * 1000

    @property
    def per_test_cpu_ms(self) -> float:
        (process,) = [p for p in self.processes if p.get("measured")]
        return float(process["window_cpu"]) / int(process["measured"]) * 1000

    @property
    def peak_rss_mib(self) -> float:
        return max(p["maxrss_kib"] for p in self.processes) / 1024

    @property
    def total_rss_mib(self) -> float:
        return sum(p["maxrss_kib"] for p in self.processes) / 1024

    @property
    def worker_setup_s(self) -> list[float]:
        return [p["db_setup"] for p in self.processes if p.get("db_setup") is not None]


def run_pytest(variant: Variant, suite: str, tests: int, outdir: Path, *, workers: int = 0) -> Run:
    out = outdir / f"{variant.name}-{suite}-{uuid.uuid4().hex[:8]}"
    command: list[str | Path] = [variant.python, "-m", "pytest", "-q", "-p", "no:randomly"]
    command += ["-p", "no:cacheprovider", "-p", "bench_suite.clock"]
    if workers:
        command += ["-n", str(workers)]
    command.append(f"bench_suite/{suite}")
    env = variant.env(BENCH_TESTS=str(tests), BENCH_OUT=str(out), BENCH_PREFIX=out.name)
    started_at, start = time.time(), time.perf_counter()
    sh(command, cwd=variant.path, env=env)
    wall = time.perf_counter() - start
    processes = [json.loads(path.read_text()) for path in sorted(outdir.glob(f"{out.name}.*.json"))]
    for process in processes:
        if process["failed"]:
            raise BenchError(f"{variant.name}/{suite}: {process['failed']} tests failed")
    return Run(wall, processes, started_at)


def run_floor(variant: Variant, tests: int) -> Run:
    env = variant.env(BENCH_TESTS=str(tests))
    start = time.perf_counter()
    result = sh([variant.python, "bench_suite/floor.py"], cwd=variant.path, env=env)
    return Run(time.perf_counter() - start, [json.loads(result.stdout)])


@dataclass
class Results:
    per_test: dict[str, dict[str, list[float]]] = field(default_factory=dict)  # variant->suite
    cpu: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    rss: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    serial: dict[str, list[Run]] = field(default_factory=dict)
    parallel: dict[str, list[Run]] = field(default_factory=dict)

    def add(self, variant: str, suite: str, run: Run, empty: Run | None = None) -> None:
        """Record `run`, net of the `empty` run's per-test cost if given."""
        wall, cpu = run.per_test_ms, run.per_test_cpu_ms
        if empty is not None:
            wall, cpu = wall - empty.per_test_ms, cpu - empty.per_test_cpu_ms
        self.per_test.setdefault(variant, {}).setdefault(suite, []).append(wall)
        self.cpu.setdefault(variant, {}).setdefault(suite, []).append(cpu)
        self.rss.setdefault(variant, {}).setdefault(suite, []).append(run.peak_rss_mib)

    def ms(self, variant: str, suite: str) -> float:
        return statistics.median(self.per_test[variant][suite])

    def cpu_ms(self, variant: str, suite: str) -> float:
        return statistics.median(self.cpu[variant][suite])


def measure_strategies(
    variants: list[Variant], args: argparse.Namespace, outdir: Path, results: Results
) -> None:
    for repeat in range(1, args.repeats + 1):
        for variant in variants:
            say(f"[{variant.name}] strategies, run {repeat}/{args.repeats}")
            empty = run_pytest(variant, "empty", args.tests + 2, outdir)
            results.add(variant.name, "empty", empty)
            for strategy in STRATEGIES:
                n = args.slow_tests if strategy == "dropcreate" else args.tests
                # T(N) - T(empty), per test: the empty run's per-test cost is subtracted.
                results.add(
                    variant.name, strategy, run_pytest(variant, strategy, n + 2, outdir), empty
                )
            results.add(variant.name, "floor", run_floor(variant, args.tests))


def measure_parallel(
    variants: list[Variant], args: argparse.Namespace, outdir: Path, results: Results
) -> None:
    for repeat in range(1, args.repeats + 1):
        for variant in variants:
            say(f"[{variant.name}] {args.parallel_tests} tests, 1 process vs -n 2, run {repeat}")
            serial = run_pytest(variant, "ours", args.parallel_tests, outdir)
            parallel = run_pytest(variant, "ours", args.parallel_tests, outdir, workers=2)
            results.serial.setdefault(variant.name, []).append(serial)
            results.parallel.setdefault(variant.name, []).append(parallel)


# --- Reporting ---------------------------------------------------------------------------


def machine(variants: list[Variant]) -> list[str]:
    lines = [f"- date: {datetime.date.today().isoformat()}"]
    lines.append(f"- CPUs (`nproc`): {os.cpu_count()}; {platform.platform()}")
    if shutil.which("free"):
        memory = sh(["free", "-h"], cwd=ROOT).stdout.splitlines()
        lines.append(f"- memory (`free -h`): {' '.join(memory[1].split()[:2])} total")
    for variant in variants[:1]:
        version = sh([variant.python, "-VV"], cwd=ROOT).stdout.strip()
        lines.append(f"- services' Python: {version}")
    for variant in variants:
        if variant.postgres:
            lines.append(f"- PostgreSQL server: {variant.admin('version').strip()}")
            break
    return lines


def fmt(value: float, digits: int = 2) -> str:
    return f"{value:.{digits}f}"


def ratio(value: float, base: float) -> str:
    return f"{value / base:.1f}" if base > 0 else "n/a"


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def report(variants: list[Variant], args: argparse.Namespace, results: Results) -> str:
    names = [variant.name for variant in variants]
    lines = ["## Machine", "", *machine(variants), ""]
    lines += [
        "## Per test",
        "",
        f"Milliseconds per test, medians of {args.repeats} runs; N = {args.tests} "
        f"(drop/create: N = {args.slow_tests}). (1)-(4b) are net of the empty test, "
        "(T(N) - T(N empty tests)) / N; the empty test column is pytest's own cost per test; "
        "(5) is a plain loop.",
        "",
    ]

    def rows(ms: Callable[[str, str], float], *, with_ratios: bool) -> list[list[str]]:
        """One row per variant: each strategy's cost per test, the overheads, the ratios."""
        out = []
        for name in names:
            ours = ms(name, "ours")
            row = [name, *(fmt(ms(name, suite)) for suite in ("empty", *STRATEGIES, "floor"))]
            row += [fmt(ours - ms(name, "plain")), fmt(ours - ms(name, "pooled"))]
            if with_ratios:
                ratios = [ratio(ms(name, suite), ours) for suite in (*STRATEGIES[1:3], "floor")]
                row.append(" : ".join(["1", *ratios]))
            out.append(row)
        return out

    header = ["variant", *(LABELS[s] for s in ("empty", *STRATEGIES, "floor"))]
    overheads = ["overhead (1)-(4)", "overhead (1)-(4b)"]
    lines += table(
        [*header, *overheads, "ours : NullPool : drop/create : floor"],
        rows(results.ms, with_ratios=True),
    )
    lines += [
        "",
        "The same runs in CPU time of the test process (all its threads; the database "
        "server's own work is not included): less sensitive to other load on the machine.",
        "",
    ]
    lines += table([*header, *overheads], rows(results.cpu_ms, with_ratios=False))

    lines += ["", "Spread of (1) ours and (4) no isolation over the runs (min-max, ms):", ""]
    for name in names:
        ours_runs, plain_runs = results.per_test[name]["ours"], results.per_test[name]["plain"]
        lines.append(
            f"- {name}: ours {fmt(min(ours_runs))}-{fmt(max(ours_runs))}, "
            f"no isolation {fmt(min(plain_runs))}-{fmt(max(plain_runs))}"
        )

    lines += [
        "",
        f"## {args.parallel_tests} tests: one process vs `-n 2`",
        "",
        "Wall clock from start to exit, medians; the service's harness with a database per "
        "worker (SQLite: a file per worker). Worker setup = the `db_engine` fixture: on "
        "PostgreSQL one worker builds the template database (migrations) while the other "
        "waits for it, then each clones its own; SQLite: a file and the migrations. The "
        "service's modules are imported at collection, as its own test modules do.",
        "",
    ]
    rows = []
    for name in names:
        serial = statistics.median(run.wall for run in results.serial[name])
        parallel = statistics.median(run.wall for run in results.parallel[name])
        fastest = statistics.median(min(run.worker_setup_s) for run in results.parallel[name])
        slowest = statistics.median(max(run.worker_setup_s) for run in results.parallel[name])
        rows.append(
            [
                name,
                fmt(serial),
                fmt(parallel),
                f"{serial / parallel:.2f}x",
                " / ".join(
                    fmt(statistics.median(run.startup_s for run in runs[name]))
                    for runs in (results.serial, results.parallel)
                ),
                " / ".join(
                    fmt(statistics.median(run.cpu_s for run in runs[name]), 1)
                    for runs in (results.serial, results.parallel)
                ),
                f"{fmt(fastest)} / {fmt(slowest)}",
                fmt(statistics.median(run.peak_rss_mib for run in results.serial[name]), 0),
                fmt(statistics.median(run.total_rss_mib for run in results.parallel[name]), 0),
            ]
        )
    lines += table(
        [
            "variant",
            "1 process (s)",
            "-n 2 (s)",
            "speed-up",
            "start to first test, 1 process / -n 2 (s)",
            "CPU time, 1 process / -n 2 all processes (s)",
            "worker DB setup, fastest / slowest worker (s)",
            "peak RSS, 1 process (MiB)",
            "peak RSS, -n 2 all processes (MiB)",
        ],
        rows,
    )

    lines += ["", "Every run, 1 process | -n 2 (s):", ""]
    for name in names:
        serial_runs = ", ".join(fmt(run.wall) for run in results.serial[name])
        parallel_runs = ", ".join(fmt(run.wall) for run in results.parallel[name])
        lines.append(f"- {name}: {serial_runs} | {parallel_runs}")

    lines += ["", "## Peak memory per process (MiB, medians)", ""]
    rows = [
        [name, *(fmt(statistics.median(results.rss[name][s]), 0) for s in LABELS)] for name in names
    ]
    lines += table(["variant", *LABELS.values()], rows)

    lines += ["", "## Targets", ""]
    lines += targets(names, variants, results)
    return "\n".join(lines) + "\n"


def targets(names: list[str], variants: list[Variant], results: Results) -> list[str]:
    lines = []

    def check(ok: bool, text: str) -> None:
        lines.append(f"- {'met' if ok else 'MISSED'}: {text}")

    postgres = {variant.name for variant in variants if variant.postgres}
    for name in names:
        ours, plain = results.ms(name, "ours"), results.ms(name, "plain")
        nullpool, dropcreate = results.ms(name, "nullpool"), results.ms(name, "dropcreate")
        pooled = results.ms(name, "pooled")
        check(
            ours - plain <= MAX_ISOLATION_OVERHEAD_MS,
            f"{name}: isolation overhead (1)-(4) = {fmt(ours - plain)} ms "
            f"<= {MAX_ISOLATION_OVERHEAD_MS} ms (against the app-style session (4b): "
            f"{fmt(ours - pooled)} ms)",
        )
        check(
            ours < nullpool and ours < dropcreate,
            f"{name}: ours {fmt(ours)} ms < NullPool {fmt(nullpool)} ms and "
            f"< drop/create {fmt(dropcreate)} ms",
        )
        text = (
            f"{name}: NullPool / ours = {ratio(nullpool, ours)} >= {MIN_NULLPOOL_RATIO} "
            f"(with free isolation, NullPool / (4), it would be {ratio(nullpool, plain)})"
        )
        if name in postgres:
            check(nullpool >= MIN_NULLPOOL_RATIO * ours, text)
        else:
            lines.append(f"- (PostgreSQL target, for information) {text}")
    for name in names:
        serial = statistics.median(run.wall for run in results.serial[name])
        parallel = statistics.median(run.wall for run in results.parallel[name])
        check(
            parallel <= serial,
            f"{name}: -n 2 passes, {fmt(parallel)} s vs {fmt(serial)} s in one process",
        )
        if name in postgres:
            slowest = [max(run.worker_setup_s) for run in results.parallel[name]]
            setup = statistics.median(slowest)
            check(
                setup <= MAX_WORKER_SETUP_S,
                f"{name}: per-worker database setup (slowest worker, median) {fmt(setup)} s "
                f"<= {MAX_WORKER_SETUP_S} s (worst run {fmt(max(slowest))} s)",
            )
    return lines


# --- Main --------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--tests", type=int, default=200, help="N, tests per timed run")
    parser.add_argument(
        "--slow-tests", type=int, default=100, help="N for drop/create (its tests are slow)"
    )
    parser.add_argument("--repeats", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument(
        "--parallel-tests", type=int, default=1200, help="suite size for 1 process vs -n 2"
    )
    parser.add_argument(
        "--variants", nargs="+", choices=list(VARIANTS), default=list(VARIANTS), metavar="VARIANT"
    )
    parser.add_argument("--markdown", type=Path, help="also write the report to this file")
    parser.add_argument(
        "--keep", action="store_true", help="keep the rendered services (for profiling)"
    )
    parser.add_argument(
        "--render-only",
        action="store_true",
        help="render, install and add the suites, measure nothing, keep them (for profiling)",
    )
    args = parser.parse_args(argv)
    if min(args.tests, args.slow_tests, args.repeats) < 1 or args.parallel_tests < 3:
        parser.error("--tests, --slow-tests and --repeats must be >= 1, --parallel-tests >= 3")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    server_url = os.environ.get("TEST_DATABASE_URL")
    if server_url is None and any(VARIANTS[v]["database"] == "postgresql" for v in args.variants):
        say(
            "Set TEST_DATABASE_URL to a PostgreSQL server the benchmark may create databases "
            "on (e.g. postgresql://postgres@127.0.0.1:5432/postgres), or pass --variants sqlite."
        )
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="loopsafe-bench-"))
    variants: list[Variant] = []
    started = time.perf_counter()
    try:
        settings = workdir / "copier-settings.yml"
        settings.write_text("defaults: {}\n")
        template = commit_working_tree(workdir / "template")
        for name in args.variants:
            variants.append(prepare_variant(name, template, workdir, server_url, settings))
        if args.render_only:
            say(RENDER_ONLY.format(workdir=workdir, url=variants[0].bench_url))
            return 0
        results = Results()
        outdir = workdir / "results"
        outdir.mkdir()
        measure_strategies(variants, args, outdir, results)
        measure_parallel(variants, args, outdir, results)
        text = report(variants, args, results)
    except BenchError as exc:
        say(f"benchmark failed: {exc}")
        return 1
    finally:
        for variant in variants:
            cleanup_variant(variant)
        if args.keep or args.render_only:
            say(f"rendered services kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    elapsed = time.perf_counter() - started
    text += f"\nWhole benchmark: {elapsed / 60:.1f} min.\n"
    print(text)
    if args.markdown:
        args.markdown.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

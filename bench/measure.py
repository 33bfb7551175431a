"""Timing the suites: each strategy's per-test cost, and the harness's suite in one process
against `-n 2`. The clock is inside pytest (bench/suite/clock.py): each process writes what
it measured to a JSON file, read back here."""

import json
import logging
import statistics
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.processes import CommandFailed, run

from .render import STRATEGIES, Variant

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sizes:
    """How much to measure (the command line's options)."""

    tests: int  # N, tests per timed run
    slow_tests: int  # N for drop/create, whose tests are slow
    repeats: int  # runs per measurement; the report shows medians
    parallel_tests: int  # the suite run in one process and with -n 2


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
        return float(min(firsts)) - self.started_at

    @property
    def cpu_s(self) -> float:
        return float(sum(p["cpu_s"] for p in self.processes))

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
        return float(max(p["maxrss_kib"] for p in self.processes)) / 1024

    @property
    def total_rss_mib(self) -> float:
        return float(sum(p["maxrss_kib"] for p in self.processes)) / 1024

    @property
    def worker_setup_s(self) -> list[float]:
        return [float(p["db_setup"]) for p in self.processes if p.get("db_setup") is not None]


@dataclass
class Results:
    """Every run, by variant and suite (a strategy, "empty" or "floor")."""

    per_test: dict[str, dict[str, list[float]]] = field(default_factory=dict)
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


def run_pytest(variant: Variant, suite: str, tests: int, outdir: Path, *, workers: int = 0) -> Run:
    """Run bench_suite/<suite> with `tests` tests (-n `workers` if given), timed."""
    out = outdir / f"{variant.name}-{suite}-{uuid.uuid4().hex[:8]}"
    command: list[str | Path] = [variant.python, "-m", "pytest", "-q", "-p", "no:randomly"]
    command += ["-p", "no:cacheprovider", "-p", "bench_suite.clock"]
    if workers:
        command += ["-n", str(workers)]
    command.append(f"bench_suite/{suite}")
    env = variant.env(BENCH_TESTS=str(tests), BENCH_OUT=str(out), BENCH_PREFIX=out.name)
    started_at, start = time.time(), time.perf_counter()
    run(command, cwd=variant.path, env=env)
    wall = time.perf_counter() - start
    processes = [json.loads(path.read_text()) for path in sorted(outdir.glob(f"{out.name}.*.json"))]
    for process in processes:
        if process["failed"]:
            raise CommandFailed(f"{variant.name}/{suite}: {process['failed']} tests failed")
    return Run(wall, processes, started_at)


def run_floor(variant: Variant, tests: int) -> Run:
    """The driver floor (bench_suite/floor.py): `tests` round trips on the raw driver."""
    env = variant.env(BENCH_TESTS=str(tests))
    start = time.perf_counter()
    result = run([variant.python, "bench_suite/floor.py"], cwd=variant.path, env=env)
    return Run(time.perf_counter() - start, [json.loads(result.stdout)])


def measure_strategies(
    variants: list[Variant], sizes: Sizes, outdir: Path, results: Results
) -> None:
    """Each repeat runs every strategy of every variant once, interleaved, so that background
    load hits them alike."""
    for repeat in range(1, sizes.repeats + 1):
        for variant in variants:
            log.info("[%s] strategies, run %d/%d", variant.name, repeat, sizes.repeats)
            # Two more tests than measured: the clock leaves out the first and the last.
            empty = run_pytest(variant, "empty", sizes.tests + 2, outdir)
            results.add(variant.name, "empty", empty)
            for strategy in STRATEGIES:
                n = sizes.slow_tests if strategy == "dropcreate" else sizes.tests
                # T(N) - T(empty), per test: the empty run's per-test cost is subtracted.
                results.add(
                    variant.name, strategy, run_pytest(variant, strategy, n + 2, outdir), empty
                )
            results.add(variant.name, "floor", run_floor(variant, sizes.tests))


def measure_parallel(variants: list[Variant], sizes: Sizes, outdir: Path, results: Results) -> None:
    """The harness's suite of `parallel_tests` tests in one process, then with -n 2."""
    for repeat in range(1, sizes.repeats + 1):
        for variant in variants:
            log.info(
                "[%s] %d tests, 1 process vs -n 2, run %d",
                variant.name,
                sizes.parallel_tests,
                repeat,
            )
            serial = run_pytest(variant, "ours", sizes.parallel_tests, outdir)
            parallel = run_pytest(variant, "ours", sizes.parallel_tests, outdir, workers=2)
            results.serial.setdefault(variant.name, []).append(serial)
            results.parallel.setdefault(variant.name, []).append(parallel)

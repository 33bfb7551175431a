"""The benchmark's report, in Markdown: the machine, each strategy's cost per test, one
process against `-n 2`, peak memory, and the targets met or missed."""

import datetime
import os
import platform
import shutil
import statistics
from collections.abc import Callable

from tests.processes import run
from tests.worktree import ROOT

from .markdown import fmt, ratio, table
from .measure import Results, Sizes
from .render import STRATEGIES, Variant
from .targets import targets

LABELS = {
    "empty": "empty test",
    "ours": "(1) ours",
    "nullpool": "(2) NullPool",
    "dropcreate": "(3) drop/create",
    "plain": "(4) no isolation",
    "pooled": "(4b) no isolation, pooled",
    "floor": "(5) driver floor",
}
SUITES = ("empty", *STRATEGIES, "floor")  # the per-test tables' columns, in LABELS' order


def report(variants: list[Variant], sizes: Sizes, results: Results) -> str:
    names = [variant.name for variant in variants]
    lines = ["## Machine", "", *machine(variants), ""]
    lines += per_test(names, sizes, results)
    lines += one_process_against_two(names, sizes, results)
    lines += ["", "## Peak memory per process (MiB, medians)", ""]
    rows = [
        [name, *(fmt(statistics.median(results.rss[name][s]), 0) for s in LABELS)] for name in names
    ]
    lines += table(["variant", *LABELS.values()], rows)
    lines += ["", "## Targets", ""]
    lines += targets(names, variants, results)
    return "\n".join(lines) + "\n"


def machine(variants: list[Variant]) -> list[str]:
    lines = [f"- date: {datetime.date.today().isoformat()}"]
    lines.append(f"- CPUs (`nproc`): {os.cpu_count()}; {platform.platform()}")
    if shutil.which("free"):
        memory = run(["free", "-h"], cwd=ROOT).stdout.splitlines()
        lines.append(f"- memory (`free -h`): {' '.join(memory[1].split()[:2])} total")
    for variant in variants[:1]:
        version = run([variant.python, "-VV"], cwd=ROOT).stdout.strip()
        lines.append(f"- services' Python: {version}")
    for variant in variants:
        if variant.postgres:
            lines.append(f"- PostgreSQL server: {variant.admin('version').strip()}")
            break
    return lines


def per_test(names: list[str], sizes: Sizes, results: Results) -> list[str]:
    lines = [
        "## Per test",
        "",
        f"Milliseconds per test, medians of {sizes.repeats} runs; N = {sizes.tests} "
        f"(drop/create: N = {sizes.slow_tests}). (1)-(4b) are net of the empty test, "
        "(T(N) - T(N empty tests)) / N; the empty test column is pytest's own cost per test; "
        "(5) is a plain loop.",
        "",
    ]
    header = ["variant", *(LABELS[suite] for suite in SUITES)]
    overheads = ["overhead (1)-(4)", "overhead (1)-(4b)"]
    lines += table(
        [*header, *overheads, "ours : NullPool : drop/create : floor"],
        per_test_rows(names, results.ms, with_ratios=True),
    )
    lines += [
        "",
        "The same runs in CPU time of the test process (all its threads; the database "
        "server's own work is not included): less sensitive to other load on the machine.",
        "",
    ]
    lines += table([*header, *overheads], per_test_rows(names, results.cpu_ms, with_ratios=False))

    lines += ["", "Spread of (1) ours and (4) no isolation over the runs (min-max, ms):", ""]
    for name in names:
        ours_runs, plain_runs = results.per_test[name]["ours"], results.per_test[name]["plain"]
        lines.append(
            f"- {name}: ours {fmt(min(ours_runs))}-{fmt(max(ours_runs))}, "
            f"no isolation {fmt(min(plain_runs))}-{fmt(max(plain_runs))}"
        )
    return lines


def per_test_rows(
    names: list[str], ms: Callable[[str, str], float], *, with_ratios: bool
) -> list[list[str]]:
    """One row per variant: each suite's cost per test, the overheads, the ratios."""
    rows = []
    for name in names:
        ours = ms(name, "ours")
        row = [name, *(fmt(ms(name, suite)) for suite in SUITES)]
        row += [fmt(ours - ms(name, "plain")), fmt(ours - ms(name, "pooled"))]
        if with_ratios:
            ratios = [ratio(ms(name, suite), ours) for suite in ("nullpool", "dropcreate", "floor")]
            row.append(" : ".join(["1", *ratios]))
        rows.append(row)
    return rows


def one_process_against_two(names: list[str], sizes: Sizes, results: Results) -> list[str]:
    lines = [
        "",
        f"## {sizes.parallel_tests} tests: one process vs `-n 2`",
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
        serial = statistics.median(timed.wall for timed in results.serial[name])
        parallel = statistics.median(timed.wall for timed in results.parallel[name])
        fastest = statistics.median(min(timed.worker_setup_s) for timed in results.parallel[name])
        slowest = statistics.median(max(timed.worker_setup_s) for timed in results.parallel[name])
        rows.append(
            [
                name,
                fmt(serial),
                fmt(parallel),
                f"{serial / parallel:.2f}x",
                " / ".join(
                    fmt(statistics.median(timed.startup_s for timed in runs[name]))
                    for runs in (results.serial, results.parallel)
                ),
                " / ".join(
                    fmt(statistics.median(timed.cpu_s for timed in runs[name]), 1)
                    for runs in (results.serial, results.parallel)
                ),
                f"{fmt(fastest)} / {fmt(slowest)}",
                fmt(statistics.median(timed.peak_rss_mib for timed in results.serial[name]), 0),
                fmt(statistics.median(timed.total_rss_mib for timed in results.parallel[name]), 0),
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
        serial_runs = ", ".join(fmt(timed.wall) for timed in results.serial[name])
        parallel_runs = ", ".join(fmt(timed.wall) for timed in results.parallel[name])
        lines.append(f"- {name}: {serial_runs} | {parallel_runs}")
    return lines

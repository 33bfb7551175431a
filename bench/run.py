# /// script
# requires-python = ">=3.11"
# dependencies = ["copier>=9.19"]
# ///
"""Benchmark the rendered services' test harness against the usual alternatives.

    TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres uv run bench/run.py

Renders each variant from the working tree (bench/render.py), adds the suites of
bench/suite/ and times, side by side on the same server and interleaved so that background
load hits every strategy alike (bench/measure.py):

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
worker), timed wall clock, start to exit. The report (bench/report.py) goes to stdout.

Not part of the test suite: nothing here asserts on time. See docs/benchmarks.md.
"""

import argparse
import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

# Run as a script, from the repository root, bench/ and tests/ are packages; from bench/,
# the script's own folder, bench's modules would also be importable as top-level ones.
sys.path[0] = str(Path(__file__).resolve().parents[1])
from bench.measure import Results, Sizes, measure_parallel, measure_strategies  # noqa: E402
from bench.render import Variant, cleanup_variant, prepare_variant  # noqa: E402
from bench.report import report  # noqa: E402
from tests.processes import CommandFailed  # noqa: E402
from tests.variants import VARIANTS  # noqa: E402
from tests.worktree import commit_working_tree  # noqa: E402

log = logging.getLogger("bench")

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
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    sizes = Sizes(args.tests, args.slow_tests, args.repeats, args.parallel_tests)
    server_url = os.environ.get("TEST_DATABASE_URL")
    if server_url is None and any(VARIANTS[v]["database"] == "postgresql" for v in args.variants):
        log.error(
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
            log.info(RENDER_ONLY.format(workdir=workdir))
            return 0
        results = Results()
        outdir = workdir / "results"
        outdir.mkdir()
        measure_strategies(variants, sizes, outdir, results)
        measure_parallel(variants, sizes, outdir, results)
        text = report(variants, sizes, results)
    except CommandFailed as exc:
        log.error("benchmark failed: %s", exc)
        return 1
    finally:
        for variant in variants:
            cleanup_variant(variant)
        if args.keep or args.render_only:
            log.info("rendered services kept in %s", workdir)
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

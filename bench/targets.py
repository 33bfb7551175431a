"""The targets the report checks the measurements against (docs/benchmarks.md, Targets, says
what each means and where the harness stands)."""

import statistics

from .markdown import fmt, ratio
from .measure import Results
from .render import Variant

# What the harness promises, on PostgreSQL on loopback with 2 cores: isolation costs at most
# this much per test over no isolation at all...
MAX_ISOLATION_OVERHEAD_MS = 0.5
# ...the usual alternative, a connection per test (NullPool), costs at least this many
# times as much...
MIN_NULLPOOL_RATIO = 4.0
# ...and a worker's own database is ready within this time under `-n 2`.
MAX_WORKER_SETUP_S = 0.5


def targets(names: list[str], variants: list[Variant], results: Results) -> list[str]:
    """One line per target and variant: met or MISSED, with the measurements."""
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
        serial = statistics.median(timed.wall for timed in results.serial[name])
        parallel = statistics.median(timed.wall for timed in results.parallel[name])
        check(
            parallel <= serial,
            f"{name}: -n 2 passes, {fmt(parallel)} s vs {fmt(serial)} s in one process",
        )
        if name in postgres:
            slowest = [max(timed.worker_setup_s) for timed in results.parallel[name]]
            setup = statistics.median(slowest)
            check(
                setup <= MAX_WORKER_SETUP_S,
                f"{name}: per-worker database setup (slowest worker, median) {fmt(setup)} s "
                f"<= {MAX_WORKER_SETUP_S} s (worst run {fmt(max(slowest))} s)",
            )
    return lines

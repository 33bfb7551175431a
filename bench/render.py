"""The benchmark's services: each variant rendered from the working tree (a temporary git
copy, `--vcs-ref=HEAD`, as the template's tests do), installed, given the suites of
bench/suite/ and a database of its own for the strategies that do not use the harness."""

import logging
import shutil
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from tests.processes import CommandFailed, clean_env, run
from tests.variants import VARIANTS

SUITE = Path(__file__).resolve().parent / "suite"
PACKAGE = "bench_service"  # every variant is rendered as "Bench Service"
# The isolation strategies: each is a folder of bench/suite/ whose conftest.py gives the
# same test body (test_db.py) its `db_session`.
STRATEGIES = ("ours", "nullpool", "dropcreate", "plain", "pooled")

log = logging.getLogger(__name__)


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
        """Run bench_suite/admin.py (server chores) with the service's Python."""
        return run(
            [self.python, "bench_suite/admin.py", *args], cwd=self.path, env=self.env()
        ).stdout


def add_suites(service: Path) -> None:
    """Copy bench/suite/ into `service` as the bench_suite package: test_db.py into each
    strategy's folder, test_empty.py into its own (empty/), the rest as they are."""
    suite = service / "bench_suite"
    shutil.copytree(SUITE, suite, ignore=shutil.ignore_patterns("__pycache__"))
    for strategy in STRATEGIES:
        shutil.copy(SUITE / "test_db.py", suite / strategy / "test_db.py")
    (suite / "test_db.py").unlink()
    (suite / "empty").mkdir()
    (suite / "test_empty.py").rename(suite / "empty" / "test_empty.py")


def prepare_variant(
    name: str, template: Path, workdir: Path, server_url: str | None, settings: Path
) -> Variant:
    """Render, install and add the suites to variant `name`; create its benchmark database
    (PostgreSQL: bench_<run id> on the server; SQLite: a file in `workdir`)."""
    dest = workdir / f"{name}-service"
    data = [f"--data={key}={value}" for key, value in VARIANTS[name].items()]
    log.info("[%s] rendering and installing", name)
    copier = [sys.executable, "-m", "copier", "copy", "--defaults", "--vcs-ref=HEAD", "--quiet"]
    answers = ["--data=project_name=Bench Service", *data]
    run(
        [*copier, *answers, template, dest],
        cwd=workdir,
        env=clean_env(COPIER_SETTINGS_PATH=str(settings)),
    )
    run(["uv", "sync", "--quiet"], cwd=dest, timeout=600)
    add_suites(dest)

    run_id = f"bench{uuid.uuid4().hex[:6]}{name[:2]}"
    is_postgres = VARIANTS[name]["database"] == "postgresql"
    variant = Variant(name, dest, run_id, server_url if is_postgres else None)
    if variant.server_url is not None:
        variant.bench_database = f"bench_{run_id}"
        variant.bench_url = urlunsplit(
            urlsplit(variant.server_url)._replace(path=f"/{variant.bench_database}")
        )
        variant.admin("create", variant.bench_database)
    else:
        variant.bench_url = f"sqlite+aiosqlite:///{workdir / f'bench_{run_id}.db'}"
    return variant


def cleanup_variant(variant: Variant) -> None:
    """Drop the variant's databases on the server, logging (not raising) a failure."""
    if not variant.postgres:
        return
    try:
        if variant.bench_database:
            variant.admin("drop", variant.bench_database)
        # The harness drops its own databases; this catches those of an interrupted run.
        variant.admin("drop-like", f"test_{PACKAGE}_{variant.run_id}_%")
    except CommandFailed as exc:
        log.warning("[%s] cleanup failed: %s", variant.name, exc)

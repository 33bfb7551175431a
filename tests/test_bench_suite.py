"""bench/suite/ runs inside a rendered service, on its package and its driver, so it is
type-checked there: mypy --strict in a "Bench Service", laid out as the benchmark lays it
out (bench/render.py)."""

from pathlib import Path

import pytest

from bench.render import add_suites

from .helpers import VARIANTS, own_mypy_cache, render, run, uv_sync


# asyncpg ships no type information, and the asyncpg variant installs psycopg too: it would
# check nothing the psycopg variant does not.
@pytest.mark.parametrize("variant", ["sqlite", "psycopg"])
def test_bench_suite_is_type_clean_in_a_rendered_service(
    variant: str, template_repo: Path, tmp_path: Path
) -> None:
    project = render(
        template_repo, tmp_path / "bench-service", project_name="Bench Service", **VARIANTS[variant]
    )
    uv_sync(project)
    add_suites(project)
    mypy: list[str | Path] = [project / ".venv/bin/python", "-m", "mypy"]
    mypy += ["--config-file", "bench_suite/mypy.ini"]
    run(mypy, cwd=project, env=own_mypy_cache("bench-suite"))  # its settings: not mypy.ini's

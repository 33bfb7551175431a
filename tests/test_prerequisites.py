"""A machine without the suite's prerequisites stops it within seconds, naming each one."""

import sys
import time
from pathlib import Path

from .helpers import TEMPLATE_ROOT, clean_env, run


def test_missing_tools_stop_the_suite_at_once_naming_them(tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    started = time.monotonic()

    result = run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "tests/test_questions.py"],
        cwd=TEMPLATE_ROOT,
        # No git or uv on PATH. (pgbouncer and the PostgreSQL binaries are also looked for
        # where Debian installs them off PATH, so they cannot be hidden this way.)
        env=clean_env(PATH=str(empty)),
        timeout=60,
        check=False,
    )

    seconds = time.monotonic() - started
    output = result.stdout + result.stderr
    assert result.returncode == 4, output
    assert "passed" not in output and "failed" not in output, output
    for tool in ("- git (", "- uv ("):
        assert tool in output, output
    assert seconds < 30, f"took {seconds:.0f} s"

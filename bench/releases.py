"""What one more release costs the template's suite (docs/benchmarks.md, "The cost of a
release").

    uv run python -m bench.releases --extra 7

Clones this repository (its working tree committed on top), adds `--extra` synthetic
releases after the real ones, each a "Release vX.Y.Z" commit with its CHANGELOG entry and
a change to a template-owned file (`--team-owned`: to a test module each service owns after
its first render, so that no two releases' updated services are alike and nothing is grouped),
then runs, in that clone, the tests that run once per release x variant and times them,
wall clock, from start to exit. Run it twice, with `--extra 0` and with `--extra 7`: the
difference over 7 is the cost of one release.

Not part of the test suite: nothing here asserts on time.
"""

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.processes import clean_env, run
from tests.worktree import commit_working_tree

ROOT = Path(__file__).resolve().parents[1]
# The tests whose cases are one per release x variant.
PER_RELEASE = ["tests/test_fleet_update.py", "tests/test_update.py", "-k", "renovate or fresh_copy"]
TEMPLATE_OWNED = "template/.gitignore"  # no service edits it: updates replace it
# copier.yml's _skip_if_exists: the service's own, and a file its checks read (a README that
# differs does not set two updated services apart: tests/updates.py's customise writes its own)
TEAM_OWNED = "template/tests/test_health.py"


def git(*args: str, cwd: Path) -> str:
    return run(["git", *args], cwd=cwd, env=clean_env()).stdout.strip()


def add_releases(repo: Path, extra: int, team_owned: bool) -> list[str]:
    """Commit `extra` releases after the newest real one; returns their versions."""
    log = git("log", "--format=%s", "--extended-regexp", "--grep=^Release v", cwd=repo)
    newest = max(
        tuple(int(part) for part in match.groups())
        for match in re.finditer(r"Release v(\d+)\.(\d+)\.(\d+)", log)
    )
    versions = []
    for n in range(1, extra + 1):
        version = f"v{newest[0]}.{newest[1] + n}.0"
        changed = repo / (TEAM_OWNED if team_owned else TEMPLATE_OWNED)
        changed.write_text(f"{changed.read_text()}\n\n# synthetic release {version}\n")
        changelog = repo / "CHANGELOG.md"
        text = changelog.read_text()
        first = text.index("\n## v")
        changelog.write_text(f"{text[:first]}\n## {version} - synthetic\n{text[first:]}")
        git("add", "--all", cwd=repo)
        git("commit", "--quiet", "--message", f"Release {version}", cwd=repo)
        versions.append(version)
    return versions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--extra", type=int, default=7, help="synthetic releases to add")
    parser.add_argument("--team-owned", action="store_true", help="change a team-owned file")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="loopsafe-releases-") as folder:
        repo = Path(folder) / "loopsafe"
        git("clone", "--quiet", str(ROOT), str(repo), cwd=Path(folder))
        git("rm", "-r", "--quiet", ".", cwd=repo)
        commit_working_tree(repo)
        added = add_releases(repo, options.extra, options.team_owned)
        started = time.monotonic()
        result = subprocess.run(
            ["uv", "run", "pytest", "-p", "no:randomly", "--durations=5", *PER_RELEASE],
            cwd=repo,
            env=clean_env(),
            check=False,
        )
        seconds = time.monotonic() - started
    print(f"extra releases: {added or 'none'}; per-release tests: {seconds:.0f} s wall")
    sys.exit(result.returncode)


if __name__ == "__main__":
    main()

"""The harness against the test code people actually write, on every variant.

Each bad test (tests/harness_scenarios.py) is a mistake users make. All run in the rendered
service's own pytest process, each followed by a canary that checks that no row, table or
session state survived and that `db_session`, `client` and `/health` still work: a bad test
must fail alone, once, with a message that says what to do, and never break or slow the next.
"""

import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from .harness_scenarios import EXPECTED, probe
from .helpers import VARIANTS, run

CANARY_SECONDS = 5.0  # a canary is a few queries: anything slower is the harness recovering


def outcomes(report: Path) -> dict[str, tuple[set[str], str, float]]:
    """junit XML -> {test name: ({"failure", "error"} or {"passed"}, messages, seconds)}.
    Parametrized cases and a test's call failure and teardown error are merged."""
    results: dict[str, tuple[set[str], str, float]] = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        name = str(case.get("name")).split("[")[0]
        tags, text, seconds = results.get(name, (set(), "", 0.0))
        for child in case:
            if child.tag in ("failure", "error"):
                tags.add(child.tag)
                text += (child.get("message") or "") + (child.text or "")
        results[name] = (tags, text, seconds + float(case.get("time") or 0))
    return {name: (tags or {"passed"}, text, s) for name, (tags, text, s) in results.items()}


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_bad_test_fails_alone_and_says_what_to_do(
    variant: str,
    service: Callable[[str], Path],
    suite_env: Callable[[str], dict[str, str]],
    tmp_path: Path,
) -> None:
    project = service(variant)
    database = VARIANTS[variant]["database"]
    probe_file = project / "tests" / "scenarios_probe.py"  # not test_*.py: other runs skip it
    probe_file.write_text(probe(f"{variant}_service"))
    report = tmp_path / "report.xml"
    try:
        result = run(
            [
                *(project / ".venv/bin/python", "-X", "dev", "-W", "error", "-m", "pytest"),
                *("-p", "no:randomly", f"--junitxml={report}", probe_file),
            ],
            cwd=project,
            env=suite_env(variant),
            check=False,
            timeout=600,
        )
    finally:
        probe_file.unlink()
    found = outcomes(report)
    output = result.stdout + result.stderr
    canaries = [name for name in found if name.startswith("test_canary_")]
    assert len(canaries) == len(EXPECTED), output
    for name in canaries:
        tags, text, seconds = found[name]
        assert tags == {"passed"}, f"{name}: {text}\n{output}"
        assert seconds < CANARY_SECONDS, f"{name} took {seconds:.1f} s\n{output}"
    for name, by_database in EXPECTED.items():
        outcome, words = by_database.get(database, by_database.get("any", ("?", "?")))
        tags, text, _ = found[name]
        allowed = [{outcome}, {"failure", "error"}] if outcome == "error" else [{outcome}]
        assert tags in allowed, f"{name}: {tags} {text}\n{output}"
        assert words in text, f"{name}: {text}"

"""Both repositories' workflows pin every action to a commit, grant only `contents: read` and
pass zizmor (the check the pre-commit hooks and CI run); a service's uv.lock waits out a
cooldown that its Renovate configuration matches; its CI's audit of uv.lock fails on a known
vulnerability unless audit-accepted.txt accepts it (docs/supply-chain.md)."""

import json
import re
import shutil
import sys
import threading
import tomllib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from .helpers import TEMPLATE_ROOT, VARIANTS, clean_env, commit_all, run
from .shipping.documents import check_schema
from .updates import run_ci_step

ZIZMOR = Path(sys.executable).parent / "zizmor"
# owner/repo@<40 hex digits> # vX.Y.Z: the commit, and the release it is, for a reader.
PINNED = re.compile(r"^\s*(- )?uses: [\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")
AUDIT = "Audit uv.lock"
FINDING = "GHSA-loop-safe-test"  # what the stand-in vulnerability database reports


def workflows(variant: str, service: Callable[[str], Path]) -> list[Path]:
    """This repository's workflows ("template"), or a variant's service's."""
    if variant == "template":
        return sorted((TEMPLATE_ROOT / ".github/workflows").glob("*.yml"))
    return [service(variant) / ".github/workflows/ci.yml"]


@pytest.mark.parametrize("variant", ["template", *VARIANTS])
def test_every_action_is_pinned_to_a_commit_with_least_privilege(
    variant: str, service: Callable[[str], Path]
) -> None:
    for path in workflows(variant, service):
        lines = [line for line in path.read_text().splitlines() if "uses:" in line]
        assert lines, path
        unpinned = [line for line in lines if not PINNED.match(line)]
        assert not unpinned, f"{path}: not pinned to a commit with its version: {unpinned}"
        workflow = yaml.safe_load(path.read_text())
        assert workflow["permissions"] == {"contents": "read"}, path
        for job in workflow["jobs"].values():
            assert "permissions" not in job, path  # nothing more than the workflow's
            for step in job["steps"]:
                if step.get("uses", "").startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False, path


def test_renovate_keeps_the_template_repositorys_pins_current() -> None:
    config_file = TEMPLATE_ROOT / ".github/renovate.json"
    check_schema(config_file, "renovate")
    config = json.loads(config_file.read_text())
    assert "helpers:pinGitHubActionDigests" in config["extends"]
    assert days(config["minimumReleaseAge"]) == days(template_cooldown())
    # Its github-actions manager also reads the service's workflow, a Jinja file.
    patterns = [p.strip("/") for p in config["github-actions"]["managerFilePatterns"]]
    for path in (".github/workflows/template.yml", "template/.github/workflows/ci.yml.jinja"):
        assert any(re.search(pattern, path) for pattern in patterns), path


def template_cooldown() -> str:
    age: str = tomllib.loads((TEMPLATE_ROOT / "template/uv.toml").read_text())["exclude-newer"]
    return age


@pytest.mark.parametrize("variant", ["template", *VARIANTS])
def test_zizmor_reports_nothing(variant: str, service: Callable[[str], Path]) -> None:
    root = TEMPLATE_ROOT if variant == "template" else service(variant)
    result = run([ZIZMOR, "--offline", ".github/workflows"], cwd=root, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout + result.stderr


def test_zizmor_runs_in_pre_commit_and_ci(service: Callable[[str], Path]) -> None:
    project = service("sqlite")
    for config in (TEMPLATE_ROOT, project):
        hooks = yaml.safe_load((config / ".pre-commit-config.yaml").read_text())["repos"][0]
        [hook] = [hook for hook in hooks["hooks"] if hook["id"] == "zizmor"]
        assert hook["entry"].startswith("uv run") and "zizmor --offline" in hook["entry"]
    assert "uv run zizmor --offline .github/workflows" in (TEMPLATE_ROOT / ".ci/run").read_text()
    service_ci = yaml.safe_load((project / ".github/workflows/ci.yml").read_text())
    steps = service_ci["jobs"]["supply-chain"]["steps"]
    assert any("zizmor .github/workflows" in step.get("run", "") for step in steps)


def days(age: str) -> int:
    number, unit = age.split()
    assert unit in ("day", "days"), age
    return int(number)


def test_the_lock_waits_out_the_cooldown_renovate_waits_too(
    service: Callable[[str], Path],
) -> None:
    project = service("psycopg")
    settings = tomllib.loads((project / "uv.toml").read_text())
    cooldown = days(settings["exclude-newer"])
    assert cooldown >= 3
    renovate = json.loads((project / "renovate.json").read_text())
    [rule] = [rule for rule in renovate["packageRules"] if "minimumReleaseAge" in rule]
    assert rule["matchDatasources"] == ["pypi"] and days(rule["minimumReleaseAge"]) == cooldown

    lock = tomllib.loads((project / "uv.lock").read_text())
    assert lock["options"]["exclude-newer-span"] == f"P{cooldown}D"
    # Every file uv.lock pins was on PyPI before the cooldown began.
    cutoff = datetime.now(UTC) - timedelta(days=cooldown)
    for package in lock["package"]:
        for file in [package.get("sdist", {}), *package.get("wheels", [])]:
            if "upload-time" in file:
                uploaded = datetime.fromisoformat(file["upload-time"].replace("Z", "+00:00"))
                assert uploaded < cutoff, f"{package['name']} {package['version']}"


class OsvStandIn(BaseHTTPRequestHandler):
    """The OSV API as uv audit reads it: every locked `idna` has FINDING, nothing else has."""

    def do_POST(self) -> None:
        queries = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["queries"]
        hit = {"vulns": [{"id": FINDING, "modified": "2026-01-01T00:00:00Z"}]}
        self.reply({"results": [hit if q["package"]["name"] == "idna" else {} for q in queries]})

    def do_GET(self) -> None:
        events = [{"introduced": "0"}, {"fixed": "9999"}]
        affected = {
            "package": {"ecosystem": "PyPI", "name": "idna"},
            "ranges": [{"type": "ECOSYSTEM", "events": events}],
        }
        modified = "2026-01-01T00:00:00Z"
        self.reply(
            {"id": FINDING, "summary": "a stand-in", "modified": modified, "affected": [affected]}
        )

    def reply(self, document: dict[str, Any]) -> None:
        body = json.dumps(document).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass


@pytest.fixture
def osv_url() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), OsvStandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_ci_audit_fails_on_a_known_vulnerability_unless_accepted(
    service: Callable[[str], Path], osv_url: str, tmp_path: Path
) -> None:
    project = tmp_path / "svc"
    shutil.copytree(service("sqlite"), project, ignore=shutil.ignore_patterns(".venv", ".*_cache"))
    commit_all(project, "rendered")
    assert "idna" in (project / "uv.lock").read_text()  # locked (through httpx)
    # The step's own `uv audit`, pointed at the stand-in database (CI asks OSV itself).
    shim = tmp_path / "bin/uv"
    shim.parent.mkdir()
    uv = shutil.which("uv")
    shim.write_text(f'#!/bin/sh\nexec {uv} "$@" --service-url {osv_url}\n')
    shim.chmod(0o755)
    env = clean_env()
    env["PATH"] = f"{shim.parent}:{env['PATH']}"

    found = run_ci_step(project, AUDIT, env)
    assert found.returncode != 0 and FINDING in found.stdout + found.stderr

    accepted = project / "audit-accepted.txt"
    accepted.write_text(accepted.read_text() + f"{FINDING}  # never reached here; until 2027\n")
    passed = run_ci_step(project, AUDIT, env)
    assert passed.returncode == 0, passed.stdout + passed.stderr

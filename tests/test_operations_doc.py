"""Each variant's docs/operations.md (template-owned) explains the probes and the draining
shutdown, and its Kubernetes Deployment is valid by Kubernetes' own schema (strict: no unknown
field) and agrees with the service: the probes' paths, the image's port and settings, and a
grace period longer than the drain plus the in-flight limit."""

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from .helpers import VARIANTS, run
from .shipping.dockerfile import arguments_of, stages

SECTIONS = ["## Probes", "## Draining shutdown", "## Kubernetes"]


def deployment(doc: str) -> dict[str, Any]:
    """The YAML block of the doc's Kubernetes section."""
    section = doc.split("## Kubernetes", 1)[1].split("\n## ", 1)[0]  # up to the next section
    [block] = re.findall(r"^```yaml\n(.*?)^```$", section, re.S | re.M)
    document = yaml.safe_load(block)
    assert isinstance(document, dict)
    return document


def validate(manifest: dict[str, Any], folder: Path) -> subprocess.CompletedProcess[str]:
    """kubernetes-validate (Kubernetes' JSON schemas, bundled: no network), strict: unknown
    fields are errors. Returns the finished command; check=False, so a test reads why."""
    path = folder / "deployment.yaml"
    path.write_text(yaml.safe_dump(manifest))
    command: list[str | Path] = [sys.executable, "-m", "kubernetes_validate", "--strict", path]
    return run(command, cwd=folder, check=False)


def setting_defaults(project: Path) -> dict[str, float]:
    package = next(project.glob("src/*/main.py")).parent.name
    code = (
        f"import json; from {package}.settings import Settings; s = Settings(_env_file=None); "
        "print(json.dumps({'DRAIN_SECONDS': s.drain_seconds, "
        "'SHUTDOWN_TIMEOUT': s.shutdown_timeout}))"
    )
    output = run([project / ".venv/bin/python", "-c", code], cwd=project).stdout
    defaults: dict[str, float] = json.loads(output)
    return defaults


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_kubernetes_deployment_is_valid_and_matches_the_service(
    variant: str, service: Callable[[str], Path], tmp_path: Path
) -> None:
    project = service(variant)
    doc = (project / "docs/operations.md").read_text()
    positions = [doc.index(heading) for heading in SECTIONS]
    assert positions == sorted(positions), doc
    assert "docs/operations.md" in (project / "README.md").read_text()

    manifest = deployment(doc)
    checked = validate(manifest, tmp_path)
    assert checked.returncode == 0 and "passed" in checked.stdout, checked.stdout + checked.stderr

    pod = manifest["spec"]["template"]["spec"]
    [container] = pod["containers"]
    _, runtime = stages(project / "Dockerfile")
    [exposed] = arguments_of(runtime, "EXPOSE")
    assert [port["containerPort"] for port in container["ports"]] == [int(exposed)]
    assert container["livenessProbe"]["httpGet"]["path"] == "/livez"
    assert container["startupProbe"]["httpGet"]["path"] == "/livez"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert "preStop" not in container.get("lifecycle", {})  # the service drains by itself

    env = {variable["name"]: variable.get("value") for variable in container["env"]}
    defaults = setting_defaults(project)
    assert {name: float(env[name]) for name in defaults} == defaults
    assert pod["terminationGracePeriodSeconds"] > sum(defaults.values())
    if variant == "sqlite":
        assert manifest["spec"]["replicas"] == 1
        assert manifest["spec"]["strategy"]["type"] == "Recreate"
    else:
        assert "DATABASE_URL" in env and env["DATABASE_URL"] is None  # from a Secret


def test_a_wrong_field_fails_the_schema_check(tmp_path: Path) -> None:
    """The check can tell: a misspelt field is refused."""
    manifest = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "x"},
        "spec": {
            "selector": {"matchLabels": {"app": "x"}},
            "template": {
                "metadata": {"labels": {"app": "x"}},
                "spec": {
                    "terminationGracePeriodSecond": 35,
                    "containers": [{"name": "x", "image": "x"}],
                },
            },
        },
    }
    refused = validate(manifest, tmp_path)
    assert refused.returncode != 0
    assert "terminationGracePeriodSecond" in refused.stdout + refused.stderr

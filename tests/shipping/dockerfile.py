"""A rendered service's Dockerfile and .dockerignore: read into stages of instructions,
linted with hadolint, and checked against what the service needs in production."""

import fnmatch
import json
import shlex
import sys
from pathlib import Path

from ..helpers import run

# The template repo's own tools (its dev dependency group): console scripts next to Python.
HADOLINT = Path(sys.executable).with_name("hadolint")

Instruction = tuple[str, str]  # ("COPY", "pyproject.toml uv.lock ./")


def stages(dockerfile: Path) -> list[list[Instruction]]:
    """The Dockerfile's instructions per build stage, continuation lines joined."""
    result: list[list[Instruction]] = []
    pending = ""
    for line in dockerfile.read_text().splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        keyword, _, arguments = (pending + stripped).partition(" ")
        pending = ""
        if keyword.upper() == "FROM":
            result.append([])
        assert result, f"{dockerfile}: an instruction before the first FROM"
        result[-1].append((keyword.upper(), arguments.strip()))
    return result


def arguments_of(stage: list[Instruction], keyword: str) -> list[str]:
    return [arguments for name, arguments in stage if name == keyword]


def env_values(arguments: str) -> dict[str, str]:
    """ENV KEY=value KEY2="value 2" -> {"KEY": "value", "KEY2": "value 2"}."""
    pairs = [token.split("=", 1) for token in shlex.split(arguments)]
    assert all(len(pair) == 2 for pair in pairs), f"ENV {arguments}: use the KEY=value form"
    return dict(pairs)


def context_copies(stage: list[Instruction]) -> list[tuple[list[str], str]]:
    """The stage's COPY instructions from the build context: (sources, destination)."""
    copies = []
    for arguments in arguments_of(stage, "COPY"):
        words = shlex.split(arguments)
        if not any(word.startswith("--from=") for word in words):
            *sources, destination = [word for word in words if not word.startswith("--")]
            copies.append((sources, destination))
    return copies


def healthcheck_probe(stage: list[Instruction]) -> list[str]:
    """HEALTHCHECK [--options] CMD ["python", "-c", "..."] -> the exec-form command."""
    healthcheck = arguments_of(stage, "HEALTHCHECK")[-1]
    probe = json.loads(healthcheck.split(" CMD ", 1)[1])
    assert isinstance(probe, list), healthcheck
    return [str(word) for word in probe]


def dockerignore(project: Path) -> list[str]:
    lines = (project / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def ignored(name: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatch(name, pattern.removeprefix("**/")) for pattern in patterns)


def hadolint(dockerfile: Path) -> None:
    """Lint with every rule at every level: a style finding fails too."""
    run([HADOLINT, "--no-color", "--failure-threshold", "style", dockerfile], cwd=dockerfile.parent)


def assert_dockerfile(project: Path, package: str, python_version: str, database: str) -> None:
    """Two stages on python:<version>-slim: the builder installs the locked runtime
    dependencies with uv; the runtime image copies only the venv, runs as a user other
    than root, in production, serving the app, with a health check on /health."""
    builder, runtime = stages(project / "Dockerfile")
    image = f"python:{python_version}-slim"
    assert builder[0] == ("FROM", f"{image} AS builder")
    assert runtime[0] == ("FROM", image)

    installs = arguments_of(builder, "RUN")
    assert installs[0].startswith("pip install --no-cache-dir") and '"uv==' in installs[0]
    assert installs[-1] == "uv sync --locked --no-dev --no-editable"
    assert all("--locked --no-dev" in step for step in installs[1:])
    builder_env: dict[str, str] = {}
    for arguments in arguments_of(builder, "ENV"):
        builder_env.update(env_values(arguments))
    assert builder_env["UV_PYTHON"] == f"python{python_version}"
    assert builder_env["UV_PYTHON_DOWNLOADS"] == "never"

    copied = arguments_of(runtime, "COPY")
    assert "--from=builder /app/.venv /app/.venv" in copied
    users = arguments_of(runtime, "USER")
    assert users, "the image must not run as root"
    assert users[-1].split(":")[0] not in ("root", "0")
    runtime_env: dict[str, str] = {}
    for arguments in arguments_of(runtime, "ENV"):
        runtime_env.update(env_values(arguments))
    assert runtime_env["ENVIRONMENT"] == "production"
    assert runtime_env["PATH"].startswith("/app/.venv/bin:")
    if database == "sqlite":
        assert runtime_env["DATABASE_URL"].startswith("sqlite+aiosqlite:////data/")
    else:
        assert "DATABASE_URL" not in runtime_env  # production refuses to start without one

    command = json.loads(arguments_of(runtime, "CMD")[-1])
    # uvicorn with a draining shutdown (docs/operations.md), not the bare uvicorn command.
    assert command == ["python", "-m", f"{package}.serve", "--host", "0.0.0.0", "--port", "8000"]
    probe = healthcheck_probe(runtime)
    assert probe[:2] == ["python", "-c"]
    assert "urllib.request" in probe[2] and "http://127.0.0.1:8000/health" in probe[2]

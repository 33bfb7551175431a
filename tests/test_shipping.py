"""Each variant's shipping files are valid and say what the service needs: the Dockerfile
lints clean with hadolint, compose.yaml and the CI workflow validate against their published
schemas (check-jsonschema's vendored copies: no network), and their content is checked.

There is no Docker engine on our machines, so no image is built here. The closest we get:
the Dockerfile's build and run steps are replayed outside Docker, on this machine's Python.
"""

import fnmatch
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from .helpers import (
    POSTGRES_VARIANTS,
    TEMPLATE_ROOT,
    VARIANTS,
    assert_quiet,
    clean_env,
    render,
    run,
)

# The template repo's own tools (its dev dependency group): console scripts next to Python.
HADOLINT = Path(sys.executable).with_name("hadolint")
# The python_version choices, oldest first: the CI matrix runs from the answer to the newest.
SUPPORTED_PYTHONS = sorted(
    yaml.safe_load((TEMPLATE_ROOT / "copier.yml").read_text())["python_version"]["choices"],
    key=lambda version: tuple(int(part) for part in version.split(".")),
)
CI_COMMANDS = [
    "uv sync --locked",
    "uv run ruff check .",
    "uv run ruff format --check .",
    "uv run mypy",
    "uv run pytest -n 2",
]
CI_DATABASE_URL = "postgresql://postgres:postgres@localhost:5432/postgres"

Instruction = tuple[str, str]  # ("COPY", "pyproject.toml uv.lock ./")


# --- reading the files ------------------------------------------------------------------------


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


def dockerignore(project: Path) -> list[str]:
    lines = (project / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def ignored(name: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatch(name, pattern.removeprefix("**/")) for pattern in patterns)


def healthcheck_probe(stage: list[Instruction]) -> list[str]:
    """HEALTHCHECK [--options] CMD ["python", "-c", "..."] -> the exec-form command."""
    healthcheck = arguments_of(stage, "HEALTHCHECK")[-1]
    probe = json.loads(healthcheck.split(" CMD ", 1)[1])
    assert isinstance(probe, list), healthcheck
    return [str(word) for word in probe]


def load_yaml(path: Path) -> dict[Any, Any]:
    document = yaml.safe_load(path.read_text())
    assert isinstance(document, dict), path
    return document


# --- the tools ----------------------------------------------------------------------------------


def hadolint(dockerfile: Path) -> None:
    """Lint with every rule at every level: a style finding fails too."""
    run([HADOLINT, "--no-color", "--failure-threshold", "style", dockerfile], cwd=dockerfile.parent)


def check_schema(document: Path, schema: str) -> None:
    check_jsonschema = [sys.executable, "-m", "check_jsonschema"]
    run([*check_jsonschema, "--builtin-schema", f"vendor.{schema}", document], cwd=document.parent)


# --- the Dockerfile ------------------------------------------------------------------------------


def assert_dockerfile(project: Path, package: str, python_version: str, database: str) -> None:
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
    assert command == ["uvicorn", f"{package}.main:app", "--host", "0.0.0.0", "--port", "8000"]
    probe = healthcheck_probe(runtime)
    assert probe[:2] == ["python", "-c"]
    assert "urllib.request" in probe[2] and "http://127.0.0.1:8000/health" in probe[2]


@pytest.mark.parametrize("variant", VARIANTS)
def test_dockerfile_lints_clean_and_describes_the_production_image(
    variant: str, service: Callable[[str], Path]
) -> None:
    project = service(variant)
    hadolint(project / "Dockerfile")
    assert_dockerfile(
        project, f"{variant}_service", SUPPORTED_PYTHONS[0], VARIANTS[variant]["database"]
    )

    # Everything the build copies from the context exists and is not in .dockerignore.
    patterns = dockerignore(project)
    for pattern in (".git", ".venv", ".env", "tests", "**/*.db"):
        assert pattern in patterns
    for stage in stages(project / "Dockerfile"):
        for sources, _ in context_copies(stage):
            for source in sources:
                assert (project / source).exists(), source
                assert not ignored(source, patterns), source


# --- compose.yaml ---------------------------------------------------------------------------------


@pytest.mark.parametrize("variant", VARIANTS)
def test_compose_file_is_valid_and_migrates_before_the_app_starts(
    variant: str, service: Callable[[str], Path]
) -> None:
    project = service(variant)
    check_schema(project / "compose.yaml", "compose-spec")
    compose = load_yaml(project / "compose.yaml")
    services = compose["services"]
    app, migrate = services["app"], services["migrate"]
    slug, package = f"{variant}-service", f"{variant}_service"

    for one in (app, migrate):  # one image, one configuration
        assert one["build"] == "."
        assert one["image"] == f"{slug}:latest"
        assert one["environment"]["ENVIRONMENT"] == "production"
    assert app["environment"] == migrate["environment"]
    assert migrate["command"] == ["alembic", "upgrade", "head"]
    assert migrate["healthcheck"] == {"disable": True}
    assert app["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert app["ports"] == ["8000:8000"]
    url = app["environment"]["DATABASE_URL"]

    if variant in POSTGRES_VARIANTS:
        postgres = services["postgres"]
        assert postgres["image"] == "postgres:16"
        assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
        for one in (app, migrate):
            assert one["depends_on"]["postgres"] == {"condition": "service_healthy"}
        assert url == f"postgresql://postgres:postgres@postgres:5432/{package}"
        assert postgres["environment"]["POSTGRES_DB"] == package
        assert "postgres-data:/var/lib/postgresql/data" in postgres["volumes"]
        assert list(compose["volumes"]) == ["postgres-data"]
        expected_driver = f"postgresql+{variant}"
    else:
        assert set(services) == {"app", "migrate"}
        assert url == f"sqlite+aiosqlite:////data/{slug}.db"
        for one in (app, migrate):
            assert one["volumes"] == ["data:/data"]
        assert list(compose["volumes"]) == ["data"]
        expected_driver = "sqlite+aiosqlite"

    # The service's own settings accept the URL in production and pick its driver.
    code = f"from {package}.settings import load_settings; print(load_settings().url.drivername)"
    settings = run(
        [project / ".venv/bin/python", "-c", code],
        cwd=project,
        env=clean_env(ENVIRONMENT="production", DATABASE_URL=url),
    )
    assert settings.stdout.strip() == expected_driver


# --- the CI workflow -------------------------------------------------------------------------------


def assert_workflow(project: Path, variant: str, pythons: list[str]) -> None:
    workflow_file = project / ".github/workflows/ci.yml"
    check_schema(workflow_file, "github-workflows")
    workflow = load_yaml(workflow_file)
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True
    assert set(triggers) == {"push", "pull_request"}
    [job] = workflow["jobs"].values()
    assert job["strategy"]["matrix"]["python-version"] == pythons

    steps = job["steps"]
    assert steps[0]["uses"].startswith("actions/checkout@")
    assert steps[1]["uses"].startswith("astral-sh/setup-uv@")
    assert steps[1]["with"]["python-version"] == "${{ matrix.python-version }}"
    assert [step["run"] for step in steps if "run" in step] == CI_COMMANDS

    if variant in POSTGRES_VARIANTS:
        postgres = job["services"]["postgres"]
        assert postgres["image"] == "postgres:16"
        assert "--health-cmd pg_isready" in postgres["options"]
        assert postgres["ports"] == ["5432:5432"]
        assert job["env"]["TEST_DATABASE_URL"] == CI_DATABASE_URL
    else:
        assert "services" not in job
        assert "TEST_DATABASE_URL" not in json.dumps(workflow)


@pytest.mark.parametrize("variant", VARIANTS)
def test_ci_workflow_is_valid_and_runs_the_checks(
    variant: str, service: Callable[[str], Path]
) -> None:
    assert_workflow(service(variant), variant, SUPPORTED_PYTHONS)


# --- a newer minimum Python ---------------------------------------------------------------------


@pytest.mark.parametrize("python_version", SUPPORTED_PYTHONS[1:])
def test_python_version_answer_sets_the_image_and_the_ci_matrix(
    python_version: str, template_repo: Path, tmp_path: Path
) -> None:
    variant = "psycopg"
    project = render(
        template_repo,
        tmp_path / "svc",
        project_name=f"{variant.title()} Service",
        python_version=python_version,
        **VARIANTS[variant],
    )
    hadolint(project / "Dockerfile")
    assert_dockerfile(project, f"{variant}_service", python_version, "postgresql")
    check_schema(project / "compose.yaml", "compose-spec")
    newer = SUPPORTED_PYTHONS[SUPPORTED_PYTHONS.index(python_version) :]
    assert_workflow(project, variant, newer)


# --- the image's steps, replayed without Docker ---------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def copy_into(project: Path, sources: list[str], destination: Path) -> None:
    """COPY from the build context, leaving out what .dockerignore keeps out of it."""
    leave_out = shutil.ignore_patterns(*(p.removeprefix("**/") for p in dockerignore(project)))
    for source in sources:
        path = project / source
        if path.is_dir():
            shutil.copytree(path, destination / source, ignore=leave_out)
        else:
            shutil.copy2(path, destination / path.name)


@pytest.fixture
def database_for(postgres_url: str, tmp_path: Path) -> Iterator[Callable[[str, Path], str]]:
    """database_for(variant, project) -> the URL of a new, empty database (dropped after)."""
    created: list[tuple[Path, str]] = []

    def on_server(project: Path, statement: str) -> None:
        code = f"import psycopg; psycopg.connect({postgres_url!r}, autocommit=True).execute({statement!r})"
        run([project / ".venv/bin/python", "-c", code], cwd=project)

    def create(variant: str, project: Path) -> str:
        if variant not in POSTGRES_VARIANTS:
            (tmp_path / "data").mkdir()  # the image's /data volume
            return f"sqlite+aiosqlite:///{tmp_path / 'data' / 'service.db'}"
        name = f"loopsafe_shipping_{uuid.uuid4().hex[:8]}"
        on_server(project, f"CREATE DATABASE {name}")
        created.append((project, name))
        return postgres_url.rsplit("/", 1)[0] + f"/{name}"

    yield create
    for project, name in created:
        on_server(project, f"DROP DATABASE {name} WITH (FORCE)")


@pytest.mark.parametrize("variant", VARIANTS)
def test_image_steps_install_migrate_and_serve_outside_docker(
    variant: str,
    service: Callable[[str], Path],
    database_for: Callable[[str, Path], str],
    tmp_path: Path,
) -> None:
    """The builder stage's COPY/ENV/`uv sync` steps run in a folder standing for /app; then
    only .venv and the runtime stage's files are kept, the migrations run as compose's
    `migrate` service runs them, the app starts with the image's CMD and the image's
    HEALTHCHECK probe passes. Not Docker: the OS, the user and the paths differ."""
    project = service(variant)
    builder, runtime = stages(project / "Dockerfile")
    app = tmp_path / "app"
    app.mkdir()

    # Its `pip install uv==...` step is left out: this machine's uv runs the `uv sync` steps.
    env = clean_env()
    for keyword, arguments in builder[1:]:
        if keyword == "ENV":
            env.update(env_values(arguments))
            # The build has no cache to share; here, reuse the one `uv sync` already filled.
            env.pop("UV_NO_CACHE", None)
        elif keyword == "COPY":
            [(sources, _)] = context_copies([(keyword, arguments)])
            copy_into(project, sources, app)
        elif keyword == "RUN" and arguments.startswith("uv "):
            run(shlex.split(arguments), cwd=app, env=env, timeout=600)
    for path in app.iterdir():  # the runtime stage copies only .venv from the builder
        if path.is_dir() and path.name != ".venv":
            shutil.rmtree(path)
        elif not path.is_dir():
            path.unlink()
    assert not (app / "src").exists()

    env = clean_env()
    for keyword, arguments in runtime[1:]:
        if keyword == "ENV":
            env.update(env_values(arguments.replace("${PATH}", env["PATH"])))
        elif keyword == "COPY" and "--from=" not in arguments:
            [(sources, _)] = context_copies([(keyword, arguments)])
            copy_into(project, sources, app)
    env["PATH"] = env["PATH"].replace("/app/.venv", str(app / ".venv"), 1)
    env["DATABASE_URL"] = database_for(variant, project)

    compose = load_yaml(project / "compose.yaml")
    run(compose["services"]["migrate"]["command"], cwd=app, env=env)
    assert "(head)" in run(["alembic", "current"], cwd=app, env=env).stdout

    port = str(free_port())
    assert runtime[-1][0] == "CMD"
    # Listen on loopback only, on a free port.
    local = {"0.0.0.0": "127.0.0.1", "8000": port}
    command = [local.get(word, word) for word in json.loads(runtime[-1][1])]
    probe = [word.replace(":8000/", f":{port}/") for word in healthcheck_probe(runtime)]
    # A server outlives `run`, so this one process is started and stopped by hand.
    log = tmp_path / "server.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            command,
            cwd=app,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            healthy = run(probe, cwd=app, env=env, timeout=10, check=False)
            if healthy.returncode == 0 or time.monotonic() > deadline:
                break
            assert server.poll() is None, log.read_text()
            time.sleep(0.3)
        assert healthy.returncode == 0, healthy.stderr + log.read_text()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    output_text = log.read_text()
    # uvicorn shuts down cleanly on SIGTERM, then re-raises it (exit status -15).
    assert server.returncode in (0, -signal.SIGTERM), output_text
    assert "Application shutdown complete." in output_text
    assert '"GET /health HTTP/1.1" 200' in output_text
    assert_quiet(subprocess.CompletedProcess(command, 0, output_text, ""))

"""Each variant's Dockerfile, replayed outside Docker: the image installs, migrates and serves.

There is no Docker engine on our machines, so no image is built. The closest we get: the
Dockerfile's build and run steps are replayed on this machine's Python, in a folder standing
for /app.
"""

import json
import os
import shlex
import shutil
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from .helpers import VARIANTS, assert_quiet, clean_env, free_port, run
from .processes import ServerLog, stop_group
from .shipping.dockerfile import context_copies, dockerignore, env_values, healthcheck_probe, stages
from .shipping.documents import load_yaml


def copy_into(project: Path, sources: list[str], destination: Path) -> None:
    """COPY from the build context, leaving out what .dockerignore keeps out of it."""
    leave_out = shutil.ignore_patterns(*(p.removeprefix("**/") for p in dockerignore(project)))
    for source in sources:
        path = project / source
        if path.is_dir():
            shutil.copytree(path, destination / source, ignore=leave_out)
        else:
            shutil.copy2(path, destination / path.name)


@pytest.mark.parametrize("variant", VARIANTS)
def test_image_steps_install_migrate_and_serve_outside_docker(
    variant: str,
    service: Callable[[str], Path],
    fresh_database: Callable[[str, Path], str],
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
    env["DATABASE_URL"] = fresh_database(variant, project)

    compose = load_yaml(project / "compose.yaml")
    run(compose["services"]["migrate"]["command"], cwd=app, env=env)
    assert "(head)" in run(["alembic", "current"], cwd=app, env=env).stdout

    port = str(free_port())
    assert runtime[-1][0] == "CMD"
    # Listen on loopback only, on a free port.
    local = {"0.0.0.0": "127.0.0.1", "8000": port}
    command = [local.get(word, word) for word in json.loads(runtime[-1][1])]
    probe = [word.replace(":8000/", f":{port}/") for word in healthcheck_probe(runtime)]
    # A server outlives `run`, so this one process is started and stopped by hand; its log
    # is read as it comes: the probe runs once uvicorn says it is listening.
    log = ServerLog.start(command, cwd=app, env=env)
    server = log.server
    try:
        log.wait_for("Uvicorn running on", timeout=30)
        healthy = run(probe, cwd=app, env=env, timeout=10, check=False)
        assert healthy.returncode == 0, healthy.stderr + log.text()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)  # the drain (DRAIN_SECONDS, 5 s) comes first
        finally:
            stop_group(server)
            log.close()
    output_text = log.text()
    # The image's command drains on SIGTERM, then exits 0 (bare uvicorn would re-raise it).
    assert server.returncode == 0, output_text
    assert "Application shutdown complete." in output_text
    # The service's own request line (JSON in production), not uvicorn's access log.
    requests = [json.loads(line) for line in output_text.splitlines() if line.startswith('{"')]
    assert {"route": "/health", "status": 200} in [
        {"route": line.get("route"), "status": line.get("status")} for line in requests
    ], output_text
    assert '"GET /health HTTP/1.1"' not in output_text  # uvicorn's access log: off
    assert_quiet(subprocess.CompletedProcess(command, 0, output_text, ""))

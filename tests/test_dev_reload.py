"""The README's migration workflow, as written, with its development server running
(`uvicorn --reload`): a new revision is applied by the README's `alembic upgrade head`, once
reviewed, never by the start-up of a reload (issue: "Development start-up never applies a
revision nobody has reviewed"). Editing the revision while reviewing it reloads the app, whose
start-up in development once applied it, so that `alembic upgrade head` then did nothing.
SQLite only: the start-up's choice does not depend on the database."""

import re
import shlex
import signal
from pathlib import Path

import httpx

from .helpers import COMPLAINTS, VARIANTS, clean_env, free_port, render, run, uv_sync
from .processes import ServerLog, stop_group

STARTED = "Application startup complete."


def readme_commands(readme: str, program: str) -> list[list[str]]:
    """The README's `uv run <program> ...` lines (comments dropped), in order."""
    return [
        shlex.split(line.split("  #", 1)[0])[2:]
        for line in readme.splitlines()
        if line.startswith(f"uv run {program} ")
    ]


def test_a_new_revision_waits_for_alembic_upgrade_head(template_repo: Path, tmp_path: Path) -> None:
    project = render(template_repo, tmp_path / "shop", project_name="Shop", **VARIANTS["sqlite"])
    uv_sync(project)
    bin_ = project / ".venv/bin"
    readme = (project / "README.md").read_text()
    [serve] = readme_commands(readme, "uvicorn")
    assert "--reload" in serve
    first, autogenerate, apply, *_ = readme_commands(readme, "alembic")
    assert first == apply == ["alembic", "upgrade", "head"] and "--autogenerate" in autogenerate
    env = clean_env(ENVIRONMENT="development")

    def alembic(words: list[str]) -> str:
        result = run([bin_ / words[0], *words[1:]], cwd=project, env=env)
        return result.stdout + result.stderr

    alembic(first)
    port = free_port()
    log = ServerLog.start([bin_ / serve[0], *serve[1:], "--port", str(port)], cwd=project, env=env)
    server = log.server
    health = f"http://127.0.0.1:{port}/health"
    try:
        log.wait_for(STARTED)
        assert httpx.get(health).status_code == 200

        # "change models.py": the reload starts the app with the new model.
        models = project / "src/shop/models.py"
        models.write_text(
            models.read_text() + "    price: Mapped[int | None] = mapped_column(default=None)\n"
        )
        log.wait_for(STARTED, times=2)
        versions = project / "src/shop/migrations/versions"
        before = set(versions.glob("*.py"))
        alembic(autogenerate)
        [script] = set(versions.glob("*.py")) - before
        match = re.search(r'^revision: str = "(\w+)"', script.read_text(), re.M)
        assert match, script.read_text()
        revision = match[1]
        # Reviewing it: a save reloads the app. (A save of models.py: uvicorn's StatReload
        # notices a file's edits only once a poll has seen the file, which a save made right
        # after autogenerate can beat, while models.py it has seen since the last reload.)
        models.write_text(models.read_text() + "# Reviewed the new revision.\n")
        log.wait_for(STARTED, times=3)

        waiting = httpx.get(health)
        assert waiting.status_code == 503
        assert waiting.json()["pending_migrations"] == [revision]
        assert f"Not applied at start-up: migration(s) {revision}" in log.text()

        applied = alembic(apply)
        assert f"Running upgrade 0001 -> {revision}" in applied, applied
        assert httpx.get(health).status_code == 200
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    finally:
        stop_group(server)
        log.close()
    output = log.text()
    assert "Traceback" not in output and not COMPLAINTS.search(output), output

"""A fresh checkout of each variant, used as a new developer would: `uv sync`, `pre-commit
install`, a plain `git commit` from a shell without the virtualenv (every hook runs, and
refuses what it should), then the README's migration workflow in the order written, its
result committed through the hooks."""

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from .helpers import POSTGRES_VARIANTS, VARIANTS, clean_env, git, run, uv_sync

HOOKS = ["no unresolved merge", "ruff check", "ruff format", "mypy --strict"]


def plain_shell(tmp_path: Path) -> dict[str, str]:
    """A login shell's environment: uv and git on PATH, no virtualenv, none of the tools."""
    uv = shutil.which("uv")
    assert uv, "uv must be on PATH"
    path = f"{Path(uv).parent}:/usr/bin:/bin"
    for tool in ("ruff", "mypy", "check-merge-conflict", "pre-commit"):
        assert shutil.which(tool, path=path) is None, f"{tool} on the plain PATH: {path}"
    return clean_env(PATH=path, PRE_COMMIT_HOME=str(tmp_path / "pre-commit"))


def commit(project: Path, env: dict[str, str], message: str) -> subprocess.CompletedProcess[str]:
    git("add", "--all", cwd=project)
    return run(["git", "commit", "--message", message], cwd=project, env=env, check=False)


def ran_every_hook(result: subprocess.CompletedProcess[str]) -> None:
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    for hook in HOOKS:
        line = next((line for line in output.splitlines() if line.startswith(hook)), "")
        assert line.endswith("Passed"), f"hook {hook!r} did not pass:\n{output}"


def readme_migration_commands(project: Path) -> list[str]:
    """The service README's "Schema changes" code block, line by line, comments dropped
    from command lines (a comment line stays: it says what to do by hand)."""
    section = (project / "README.md").read_text().split("## Schema changes", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    return [
        line if line.startswith("#") else line.split("  #")[0].strip()
        for line in block.splitlines()
    ]


def add_a_column(project: Path) -> None:
    models = next(project.glob("src/*/models.py"))
    models.write_text(
        models.read_text().replace(
            "    description: Mapped[str | None]",
            "    price: Mapped[int] = mapped_column(default=0)\n    description: Mapped[str | None]",
        )
    )


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_fresh_checkout_commits_through_every_hook_and_migrates_in_readme_order(
    variant: str,
    service: Callable[[str], Path],
    suite_env: Callable[[str], dict[str, str]],
    fresh_database: Callable[[str, Path], str],
    tmp_path: Path,
) -> None:
    project = tmp_path / "service"
    shutil.copytree(service(variant), project, ignore=shutil.ignore_patterns(".venv", ".*_cache"))
    git("init", "--quiet", cwd=project)
    uv_sync(project)
    run([project / ".venv/bin/pre-commit", "install"], cwd=project)
    shell = plain_shell(tmp_path)

    ran_every_hook(commit(project, shell, "A new service"))

    broken = next(project.glob("src/*")) / "broken.py"
    broken.write_text('"""A type error."""\n\nCOUNT: int = "three"\n')
    refused = commit(project, shell, "A type error")
    output = refused.stdout + refused.stderr  # git prints the hooks' output on stderr
    assert refused.returncode != 0 and "Incompatible types in assignment" in output, output
    broken.unlink()

    # The README's migration commands, as written, on a checkout with no database yet
    # (SQLite: the default DATABASE_URL, a file that does not exist; PostgreSQL: an empty
    # database). The drift test fails once the model changes, until the revision exists.
    if variant in POSTGRES_VARIANTS:
        shell["DATABASE_URL"] = fresh_database(variant, project)
    else:
        assert not list(project.glob("*.db")), "a fresh checkout has no database yet"
    commands = readme_migration_commands(project)
    assert commands[0] == "uv run alembic upgrade head", commands
    assert any(command.startswith("#") for command in commands), commands
    tests = suite_env(variant)
    python = project / ".venv/bin/python"
    migrations: list[str | Path] = [
        python,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:randomly",
        "tests/loopsafe/test_migrations.py",
    ]
    for command in commands:
        if command.startswith("#"):  # the one step done by hand
            assert "models.py" in command, command
            add_a_column(project)
            drift = run(migrations, cwd=project, env=tests, check=False)
            assert drift.returncode == 1, drift.stdout
            assert "uv run alembic revision --autogenerate" in drift.stdout
        else:
            run(["bash", "-c", command], cwd=project, env=shell)

    revision = next(project.glob("src/*/migrations/versions/*_add_items_price.py"))
    assert "add_column" in revision.read_text()
    run(migrations, cwd=project, env=tests)  # no drift left, and the new revision steps cleanly
    ran_every_hook(commit(project, shell, "Add items.price"))  # the revision is lint clean

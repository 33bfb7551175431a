"""copier.yml: derived defaults, refused answers, and `copier copy` without --trust."""

from pathlib import Path

import pytest
import yaml

from .helpers import copier, render, run


def test_defaults_derive_from_the_project_name(template_repo: Path, tmp_path: Path) -> None:
    project = render(template_repo, tmp_path / "orders", project_name="Orders Service!")
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert (answers["project_slug"], answers["package_name"]) == (
        "orders-service",
        "orders_service",
    )
    assert (answers["database"], answers["python_version"]) == ("sqlite", "3.11")
    assert "postgres_driver" not in answers  # asked only for PostgreSQL
    assert (project / "src/orders_service/database.py").is_file()


def test_plain_copier_copy_needs_no_trust(template_repo: Path, tmp_path: Path) -> None:
    """Exactly what a user types. pytest-copie passes unsafe=True, so it could not catch a
    template that needs --trust (tasks, migrations or Jinja extensions)."""
    result = copier(
        "copy", "--defaults", "--vcs-ref=HEAD", template_repo, tmp_path / "svc", cwd=tmp_path
    )
    assert "trust" not in (result.stdout + result.stderr).lower()
    assert "uv sync && uv run pytest" in result.stdout + result.stderr  # _message_after_copy
    assert (tmp_path / "svc/src/my_service/main.py").is_file()


@pytest.mark.parametrize(
    ("question", "value", "message"),
    [
        ("project_name", " ", "project_name must not be empty"),
        ("project_slug", "Orders_Service", "project_slug must start with a lowercase letter"),
        ("package_name", "9lives", "package_name must be a valid Python identifier"),
        ("package_name", "class", "must not be a Python keyword"),
        ("package_name", "asyncio", "would shadow the standard library"),
        ("package_name", "asynchat", "would shadow the standard library"),  # removed in 3.12
        ("package_name", "sqlalchemy", "would shadow a module the service installs"),
        ("package_name", "tests", "would shadow a module the service installs"),
        ("author_email", "not-an-email", "author_email must be an email address"),
        ("database", "mysql", "database"),
        ("postgres_driver", "psycopg2", "postgres_driver"),
        ("python_version", "3.10", "python_version"),
    ],
)
def test_a_bad_answer_is_refused_naming_the_question(
    template_repo: Path, tmp_path: Path, question: str, value: str, message: str
) -> None:
    data = [f"--data={question}={value}"]
    if question == "postgres_driver":
        data.append("--data=database=postgresql")
    result = copier(
        "copy",
        "--defaults",
        "--vcs-ref=HEAD",
        *data,
        template_repo,
        tmp_path / "svc",
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode != 0
    assert message in result.stdout + result.stderr
    assert not (tmp_path / "svc/pyproject.toml").exists()


def test_the_oldest_supported_copier_renders_the_same(template_repo: Path, tmp_path: Path) -> None:
    """_min_copier_version is a promise: that Copier (from PyPI, via uv) renders what ours does."""
    oldest = yaml.safe_load((template_repo / "copier.yml").read_text())["_min_copier_version"]
    answers = ["--data=database=postgresql", "--data=postgres_driver=psycopg"]
    args: list[str | Path] = ["copy", "--defaults", "--vcs-ref=HEAD", *answers, template_repo]
    run(
        ["uv", "tool", "run", "--from", f"copier=={oldest}", "copier", *args, tmp_path / "old"],
        cwd=tmp_path,
    )
    copier(*args, tmp_path / "new", cwd=tmp_path)
    for new in (tmp_path / "new").rglob("*"):
        if new.is_file():
            old = tmp_path / "old" / new.relative_to(tmp_path / "new")
            assert old.read_text() == new.read_text(), new.relative_to(tmp_path / "new")

"""Who owns what in a rendered service, made visible: every template-owned file says so, the
README's table of who owns what agrees with copier.yml, and the harness stays small and on
public API (issue: "Harness v3")."""

import ast
import fnmatch
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from .helpers import TEMPLATE_ROOT, VARIANTS

HEADER = "Owned by the Loopsafe template"
# Files that cannot carry a comment: JSON, and PEP 561's marker (its text has a meaning).
NO_COMMENTS = {"renovate.json", "py.typed"}
GENERATED = {".copier-answers.yml", "uv.lock"}  # Copier's and uv's, not the template's
NOT_RENDERED = {".venv", ".git", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis"}
HARNESS_CODE_LINES = 500
PACKAGE = "<package>"


def copier_config() -> dict[str, Any]:
    config: dict[str, Any] = yaml.safe_load((TEMPLATE_ROOT / "copier.yml").read_text())
    return config


def team_owned() -> list[str]:
    """copier.yml's _skip_if_exists, with <package> for the package name."""
    return [
        path.replace("{{ package_name }}", PACKAGE) for path in copier_config()["_skip_if_exists"]
    ]


def rendered_files(project: Path, package: str) -> set[str]:
    files = set()
    for path in project.rglob("*"):
        relative = path.relative_to(project)
        if (
            path.is_file()
            and not NOT_RENDERED & set(relative.parts)
            and "__pycache__" not in relative.parts
        ):
            files.add(str(relative).replace(f"/{package}/", f"/{PACKAGE}/"))
    return files


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_template_owned_file_says_so(variant: str, service: Callable[[str], Path]) -> None:
    project = service(variant)
    team = team_owned()
    template_owned = {
        name
        for name in rendered_files(project, f"{variant}_service")
        if name not in GENERATED
        and Path(name).name not in NO_COMMENTS
        and not any(fnmatch.fnmatch(name, pattern) for pattern in team)
    }
    assert template_owned
    unmarked = sorted(
        name
        for name in template_owned
        if HEADER not in (project / name.replace(PACKAGE, f"{variant}_service")).read_text()
    )
    assert not unmarked, f"template-owned files without the line '{HEADER} ...': {unmarked}"


def readme_table() -> tuple[set[str], set[str]]:
    """The backticked paths of README.md's table of who owns what: (template's, team's)."""
    readme = (TEMPLATE_ROOT / "README.md").read_text()
    table = readme.split("### What `copier update` will and will not touch", 1)[1].split("\n\n")[1]
    template: set[str] = set()
    team: set[str] = set()
    for row in table.splitlines()[2:]:
        cells = row.strip("|").split("|")
        for cell, found in zip(cells, (template, team), strict=False):
            found.update(
                path for path in re.findall(r"`([^`#]+)`", cell) if "." in path or "/" in path
            )
    return template, team


def test_the_readme_table_names_copier_yml_s_team_files_and_only_those() -> None:
    _, team = readme_table()
    expected = {path.replace(f"src/{PACKAGE}/", "") for path in team_owned()}
    named = {path.replace(f"src/{PACKAGE}/", "") for path in team}
    # The table names the first migration's folder (your revisions) rather than the file.
    named = {path for path in named if not path.endswith("/*")}
    expected = {path for path in expected if not path.startswith("migrations/versions/")}
    assert named == expected


def code_lines(source: str) -> int:
    """Lines of code: no blank lines, comments or docstrings."""
    tree = ast.parse(source)
    docstrings: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                if isinstance(first.value.value, str):
                    docstrings.update(range(first.lineno, (first.end_lineno or 0) + 1))
    return sum(
        1
        for number, line in enumerate(source.splitlines(), 1)
        if line.strip() and not line.strip().startswith("#") and number not in docstrings
    )


def private_names(source: str) -> list[str]:
    """Imports of private or internal names (a leading _ anywhere but __future__), and the
    internal SQLAlchemy helpers the harness must not use."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.module != "__future__":
            names = [*node.module.split("."), *(alias.name for alias in node.names)]
            found += [f"{node.module}: {name}" for name in names if name.startswith("_")]
            if node.module == "sqlalchemy.util" or "await_" in names:
                found.append(f"{node.module}: {names}")
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if "._" in alias.name]
        if isinstance(node, ast.Global):
            found.append(f"global {', '.join(node.names)}")
    return found


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_harness_is_small_and_on_public_api(
    variant: str, service: Callable[[str], Path]
) -> None:
    sources = {
        path.name: path.read_text() for path in (service(variant) / "tests/harness").glob("*.py")
    }
    lines = {name: code_lines(source) for name, source in sources.items()}
    assert sum(lines.values()) <= HARNESS_CODE_LINES, lines
    private = {name: private_names(source) for name, source in sources.items()}
    assert not any(private.values()), private


def test_the_harness_checks_can_tell() -> None:
    assert private_names("from sqlalchemy.util import await_") != []
    assert private_names("from sqlalchemy.ext.asyncio.engine import _get_sync_engine_or_connection")
    assert private_names("def f() -> None:\n    global x") != []
    assert private_names("from __future__ import annotations\nfrom .errors import A") == []
    assert code_lines('"""doc"""\n\n# note\nx = 1\n') == 1

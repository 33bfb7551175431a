"""A service is ready for a bot: its renovate.json is valid Renovate configuration that
proposes template releases and keeps uv.lock fresh, and its CI fails on what a bot's update
can leave behind (conflict markers, .rej files, a uv.lock that no longer matches
pyproject.toml), each step's own command tried on such a tree."""

import json
import re
import shutil
import sys
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
import yaml

from .helpers import TEMPLATE_ROOT, clean_env, commit_all, git, run
from .updates import ci_step, run_ci_step

LEFTOVERS = "No conflicts left by copier update"
LOCK = "uv.lock matches pyproject.toml"
# check-jsonschema's vendored copy of Renovate's schema (what --builtin-schema reads).
RENOVATE_SCHEMA = json.loads(
    (files("check_jsonschema.builtin_schemas.vendor") / "renovate.json").read_text()
)
CONFLICT = "<<<<<<< before updating\nours\n=======\ntheirs\n>>>>>>> after updating\n"


@pytest.fixture
def checkout(service: Callable[[str], Path], tmp_path: Path) -> Path:
    """A committed copy of the rendered SQLite service, as CI checks it out."""
    project = tmp_path / "svc"
    shutil.copytree(service("sqlite"), project, ignore=shutil.ignore_patterns(".venv", ".*_cache"))
    commit_all(project, "rendered")
    return project


def renovate_config(project: Path) -> dict[str, Any]:
    config = json.loads((project / "renovate.json").read_text())
    assert isinstance(config, dict)
    return config


def test_renovate_config_is_valid(checkout: Path) -> None:
    check_jsonschema = [sys.executable, "-m", "check_jsonschema"]
    run([*check_jsonschema, "--builtin-schema", "vendor.renovate", "renovate.json"], cwd=checkout)
    # The schema lets unknown keys through, and Renovate ignores a misspelt option.
    assert unknown_keys(renovate_config(checkout), RENOVATE_SCHEMA) == []


def unknown_keys(config: dict[str, Any], schema: dict[str, Any], where: str = "") -> list[str]:
    """Keys of `config` (and of the objects and object lists in it) that `schema` does not
    define, each with its path."""
    definitions = RENOVATE_SCHEMA["definitions"]
    known = {key for part in schema.get("allOf", [schema]) for key in part.get("properties", {})}
    unknown = [f"{where}{key}" for key in config if key not in known | {"$schema"}]
    for key, value in config.items():
        definition = definitions.get(key, {})
        if isinstance(value, dict):
            unknown += unknown_keys(value, definition, f"{where}{key}.")
        elif isinstance(value, list) and "items" in definition:
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    unknown += unknown_keys(item, definition["items"], f"{where}{key}[{index}].")
    return unknown


def test_renovate_proposes_template_releases_and_keeps_the_lock_fresh(checkout: Path) -> None:
    config = renovate_config(checkout)
    assert config["copier"]["enabled"] is True
    # Renovate's copier manager finds the answers file with its default pattern.
    [pattern] = RENOVATE_SCHEMA["definitions"]["copier"]["default"]["managerFilePatterns"]
    assert re.search(pattern.strip("/"), ".copier-answers.yml")
    answers = yaml.safe_load((checkout / ".copier-answers.yml").read_text())
    assert {"_src_path", "_commit"} <= set(answers)  # what the manager reads

    assert config["lockFileMaintenance"]["enabled"] is True
    [pep621] = [rule for rule in config["packageRules"] if rule.get("matchManagers") == ["pep621"]]
    assert pep621["rangeStrategy"] == "update-lockfile"  # pyproject.toml's lines stay as written

    # Files Renovate leaves alone exist and are the template's (updates keep them current).
    [hands_off] = [rule for rule in config["packageRules"] if rule.get("enabled") is False]
    skipped = yaml.safe_load((TEMPLATE_ROOT / "copier.yml").read_text())["_skip_if_exists"]
    for name in hands_off["matchFileNames"]:
        assert (checkout / name).is_file() and name not in skipped, name


def test_ci_checks_for_leftovers_and_the_lock_before_installing(checkout: Path) -> None:
    workflow = yaml.safe_load((checkout / ".github/workflows/ci.yml").read_text())
    names = [step.get("name", "") for step in workflow["jobs"]["test"]["steps"]]
    install = names.index("Install")
    assert names.index(LEFTOVERS) < install
    assert [name for name in names if name.startswith(LOCK)] and all(
        index < install for index, name in enumerate(names) if name.startswith(LOCK)
    )
    assert ci_step(checkout, "Install") == "uv sync --locked"


def test_ci_fails_on_conflict_markers(checkout: Path) -> None:
    env = clean_env()
    assert run_ci_step(checkout, LEFTOVERS, env).returncode == 0  # a clean tree passes

    pyproject = checkout / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + CONFLICT)
    commit_all(checkout, "an update merged with conflicts")
    committed = run_ci_step(checkout, LEFTOVERS, env)
    assert committed.returncode != 0 and "pyproject.toml:" in committed.stdout

    git("revert", "--no-edit", "HEAD", cwd=checkout)
    (checkout / "notes.md").write_text(CONFLICT)  # not yet committed
    untracked = run_ci_step(checkout, LEFTOVERS, env)
    assert untracked.returncode != 0 and "notes.md:" in untracked.stdout


def test_ci_fails_on_rej_files(checkout: Path) -> None:
    env = clean_env()
    (checkout / "pyproject.toml.rej").write_text("@@ a hunk copier could not apply\n")
    untracked = run_ci_step(checkout, LEFTOVERS, env)
    assert untracked.returncode != 0 and "pyproject.toml.rej" in untracked.stdout

    commit_all(checkout, "an update that left a .rej file")
    committed = run_ci_step(checkout, LEFTOVERS, env)
    assert committed.returncode != 0 and "pyproject.toml.rej" in committed.stdout


def test_ci_fails_on_a_stale_lock(checkout: Path) -> None:
    env = clean_env()
    assert run_ci_step(checkout, LOCK, env).returncode == 0  # uv.lock as `uv sync` wrote it

    pyproject = checkout / "pyproject.toml"
    marker = "    # Your dependencies:\n"
    pyproject.write_text(pyproject.read_text().replace(marker, f'{marker}    "tenacity>=8",\n'))
    stale = run_ci_step(checkout, LOCK, env)
    assert stale.returncode != 0 and "uv lock" in stale.stderr, stale.stderr

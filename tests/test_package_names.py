"""reserved_package_names.yml, the names copier.yml's package_name validator refuses (a
package of that name would shadow a module the service imports), checked both ways: each
list holds every name of its kind and nothing else. test_questions.py checks that the
validator refuses a name of each kind. A long name renders lint and format clean."""

import keyword
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from .helpers import TEMPLATE_ROOT, VARIANTS, render, run, supported_pythons

RESERVED: dict[str, Any] = yaml.safe_load(
    (TEMPLATE_ROOT / "reserved_package_names.yml").read_text()
)


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def public_modules(project: Path) -> set[str]:
    """The top-level modules a service's environment installs that its package could shadow
    (the validator's rule admits only lowercase names without a leading _)."""
    site_packages = next((project / ".venv/lib").glob("python3*/site-packages"))
    installed = {
        path.name.split(".")[0]
        for path in site_packages.iterdir()
        if not path.name.endswith((".dist-info", ".pth")) and path.name.split(".")[0].isidentifier()
    }
    return {name for name in installed if name.islower() and not name.startswith("_")}


def test_keywords_are_the_lowercase_python_keywords() -> None:
    assert set(RESERVED["keywords"]) == {word for word in keyword.kwlist if word.islower()}


def test_standard_library_lists_are_this_pythons_public_modules() -> None:
    """On the Python running this test (CI runs it on the oldest and the newest supported):
    the modules of every supported version, plus those removed only by a later version, are
    exactly its public standard-library modules."""
    removed_in: dict[str, str] = RESERVED["standard_library_removed"]
    assert set(removed_in.values()) <= set(supported_pythons()[1:])
    running = sys.version_info[:2]
    still_here = {name for name, version in removed_in.items() if running < version_key(version)}
    public = {name for name in sys.stdlib_module_names if name.islower()}
    public = {name for name in public if not name.startswith("_")}
    assert set(RESERVED["standard_library"]) | still_here == public
    assert not set(RESERVED["standard_library"]) & set(removed_in)


def test_installed_and_folders_are_what_the_rendered_services_have(
    service: Callable[[str], Path],
) -> None:
    """Every variant's installed modules (runtime and development dependencies), less the
    service's own package, and its top-level folders."""
    installed: set[str] = set()
    folders: set[str] = set()
    for variant in VARIANTS:
        project = service(variant)
        installed |= public_modules(project) - {f"{variant}_service"}
        folders |= {
            path.name
            for path in project.iterdir()
            if path.is_dir() and path.name.isidentifier() and not path.name.startswith("_")
        }
    assert set(RESERVED["installed"]) == installed
    assert set(RESERVED["folders"]) == folders


# Names of a length where a line holding them once needed ruff to wrap it (24-30: the
# PostgreSQL default URL), and a long one (64: imports, logger names, module paths).
LONG_NAMES = [
    "payments_reconciliation",
    "acme_payments_reconciliation_ledger_service_backend_for_europe_x",
]


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_long_package_name_renders_lint_and_format_clean(
    variant: str, service: Callable[[str], Path], template_repo: Path, tmp_path: Path
) -> None:
    """No line of a service grows past ruff's limit with its names: the service's own ruff
    (its pinned version, from the variant's install) finds nothing to change."""
    ruff = service(variant) / ".venv/bin/ruff"
    for name in LONG_NAMES:
        answers = {"package_name": name, "project_name": name.replace("_", " ")}
        project = render(template_repo, tmp_path / name, **answers, **VARIANTS[variant])
        run([ruff, "format", "--check", "."], cwd=project)
        run([ruff, "check", "."], cwd=project)

"""Fleet drift: the check every service carries (tools/template_drift.py) names exactly the
template-owned files a team changed by hand, heals them and nothing of the team's, keeps the
next update conflict-free, and reports a fleet's releases and drift.

The program needs only Copier (and what Copier installs): it runs here on this repository's
Python, as it would on any machine with the services checked out, without installing them.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import (
    TEMPLATE_ROOT,
    VARIANTS,
    clean_env,
    commit_all,
    copier,
    git,
    released_versions,
    render,
    run,
)
from .updates import CONFLICT_MARKER, assert_no_conflicts, ci_step

PROGRAM = Path("tools/template_drift.py")
TEMPLATE_PROGRAM = TEMPLATE_ROOT / "template" / PROGRAM  # the working tree's, for the fleet
HEAL = f"uv run python {PROGRAM} --fix"
# Hand edits of two template-owned files, as teams make them: a quick fix in the database
# plumbing, a CI step switched off. The next release (see `release`) changes the same lines.
DATABASE = "src/shop/database.py"
WORKFLOW = ".github/workflows/ci.yml"
HOTFIX = ("pool_pre_ping=True", "pool_pre_ping=False")
LINT_OFF = ("      - name: Lint\n", "      # - name: Lint\n")
TEAM_DEPENDENCY = '    # Your dependencies:\n    "tenacity>=8",\n'


def drift(
    project: Path, *args: str, program: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """The check, run by the service's own copy of the program unless told otherwise."""
    return run(
        [sys.executable, program or project / PROGRAM, *args],
        cwd=project,
        env=clean_env(GITHUB_ACTIONS="false"),
        check=False,
    )


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{path.name} no longer contains {old!r}: update this test"
    path.write_text(text.replace(old, new, 1))


def drifted_files(output: str) -> list[str]:
    """The files whose diffs the check printed."""
    return re.findall(r"^\+\+\+ (\S+) \(", output, flags=re.MULTILINE)


@pytest.fixture
def template_clone(template_history: Path, tmp_path: Path) -> Path:
    """A clone of template_history whose HEAD (the working tree) is tagged v1000.0.0, a
    test-only version above any real release; tests add the next release to it."""
    clone = tmp_path / "template"
    git("clone", "--quiet", template_history, clone, cwd=tmp_path)
    git("tag", "v1000.0.0", cwd=clone)
    return clone


def next_release(template: Path) -> str:
    """Release v1000.1.0, which changes the very lines the team edited by hand."""
    edit(
        template / "template/src/{{package_name}}/database.py.jinja",
        f"{HOTFIX[0]},\n",
        f"{HOTFIX[0]},  # v1000.1.0\n",
    )
    edit(template / "template/.github/workflows/ci.yml.jinja", LINT_OFF[0], "      - name: Lint!\n")
    commit_all(template, "Release v1000.1.0")
    git("tag", "v1000.1.0", cwd=template)
    return "v1000.1.0"


@pytest.mark.parametrize("variant", VARIANTS)
def test_drift_is_named_healed_and_the_next_update_merges_cleanly(
    variant: str, template_clone: Path, tmp_path: Path
) -> None:
    project = render(
        template_clone, tmp_path / "shop", ref="v1000.0.0", project_name="Shop", **VARIANTS[variant]
    )
    commit_all(project, "rendered")
    released = {name: (project / name).read_text() for name in (DATABASE, WORKFLOW)}
    edit(project / DATABASE, *HOTFIX)
    edit(project / WORKFLOW, *LINT_OFF)
    # The team's own: a team-owned file, its lines of pyproject.toml, a new module.
    models = project / "src/shop/models.py"
    models.write_text(models.read_text() + "\n# Customers arrive in v2.\n")
    edit(project / "pyproject.toml", "    # Your dependencies:\n", TEAM_DEPENDENCY)
    (project / "src/shop/pricing.py").write_text("RATE = 20\n")
    commit_all(project, "the team's changes, two of them to template-owned files")
    team = {path: path.read_text() for path in (models, project / "pyproject.toml")}

    found = drift(project)
    assert found.returncode == 1, found.stdout + found.stderr
    assert drifted_files(found.stdout) == [WORKFLOW, DATABASE]
    assert f"-            {HOTFIX[0]},\n+            {HOTFIX[1]},\n" in found.stdout
    summary = found.stdout.splitlines()[-1]
    assert f"differ from Loopsafe v1000.0.0: {WORKFLOW}, {DATABASE}." in summary
    assert HEAL in summary

    # Left drifted, the next release conflicts where the team edited.
    unhealed = tmp_path / "unhealed"
    git("clone", "--quiet", project, unhealed, cwd=tmp_path)
    version = next_release(template_clone)
    copier("update", "--defaults", f"--vcs-ref={version}", cwd=unhealed, check=False)
    assert CONFLICT_MARKER.search((unhealed / DATABASE).read_text())

    healed = drift(project, "--fix")
    assert healed.returncode == 0, healed.stdout + healed.stderr
    for name, text in released.items():
        assert (project / name).read_text() == text, f"--fix did not restore {name}"
    for path, text in team.items():
        assert path.read_text() == text, f"--fix changed the team's {path.name}"
    assert (project / "src/shop/pricing.py").read_text() == "RATE = 20\n"
    clean = drift(project)
    assert (clean.returncode, clean.stdout.splitlines()) == (
        0,
        ["No drift: every template-owned file is as Loopsafe v1000.0.0 renders it."],
    )
    commit_all(project, "heal drift from Loopsafe v1000.0.0")

    copier("update", "--defaults", f"--vcs-ref={version}", cwd=project)
    assert_no_conflicts(project)
    assert "# v1000.1.0" in (project / DATABASE).read_text()
    assert "- name: Lint!" in (project / WORKFLOW).read_text()
    for path, text in team.items():
        assert path.read_text() == text
    after = drift(project)  # what the update's pull request runs in CI
    assert after.returncode == 0 and "Loopsafe v1000.1.0" in after.stdout, after.stdout


def test_an_update_pull_request_of_a_drifted_service_fails_naming_files_and_heal(
    template_clone: Path, tmp_path: Path
) -> None:
    project = render(template_clone, tmp_path / "shop", ref="v1000.0.0", project_name="Shop")
    edit(project / "ruff.toml", "line-length = 100", "line-length = 120")
    commit_all(project, "rendered, with a local ruff setting")
    version = next_release(template_clone)
    # The command Renovate's copier manager runs.
    copier("update", "--skip-answered", "--defaults", f"--vcs-ref={version}", cwd=project)
    assert_no_conflicts(project)  # the edit is merged around, and kept

    # The service's CI runs the check, which fails with GitHub's error annotation.
    assert ci_step(project, "No drift from the Loopsafe release") == f"uv run python {PROGRAM}"
    result = run(
        [sys.executable, PROGRAM],
        cwd=project,
        env=clean_env(GITHUB_ACTIONS="true"),
        check=False,
    )
    assert result.returncode == 1
    assert drifted_files(result.stdout) == ["ruff.toml"]
    assert result.stdout.splitlines()[-1].startswith(
        "::error::1 template-owned file(s) differ from Loopsafe v1000.1.0: ruff.toml."
    )
    assert HEAL in result.stdout


def test_an_unreachable_release_is_one_line_and_exit_2(
    template_history: Path, tmp_path: Path
) -> None:
    for src, commit, reason in [
        (tmp_path / "gone", "v0.1.0", "does not exist"),  # _src_path moved or offline
        (template_history, "v9.9.9", "did not match"),  # _commit the template does not have
    ]:
        project = tmp_path / f"svc-{commit}"
        project.mkdir()
        (project / ".copier-answers.yml").write_text(f"_commit: {commit}\n_src_path: {src}\n")
        result = drift(project, program=TEMPLATE_PROGRAM)
        assert result.returncode == 2, result.stdout + result.stderr
        assert result.stdout == ""
        [line] = result.stderr.splitlines()
        assert f"cannot reach release {commit} of the template at {src}" in line
        assert reason in line


def test_fleet_report_shows_each_services_release_and_drift(
    template_history: Path, tmp_path: Path
) -> None:
    """Services from every release and from main, in turn of the variants; main's made from
    a git URL. Old releases carry no drift program: the report renders their release all
    the same, from a current copy of the program (here, the template repository's)."""
    versions = released_versions()  # newest first; template_history's HEAD is untagged main
    fleet: dict[str, tuple[str, str]] = {}
    for index, ref in enumerate([*reversed(versions), "HEAD"]):
        variant = list(VARIANTS)[index % len(VARIANTS)]
        source = f"git+file://{template_history}" if ref == "HEAD" else str(template_history)
        folder = tmp_path / f"svc-{index}"
        copier(
            "copy",
            "--defaults",
            f"--vcs-ref={ref}",
            *(f"--data={key}={value}" for key, value in VARIANTS[variant].items()),
            source,
            folder,
            cwd=tmp_path,
        )
        fleet[str(folder)] = (variant, ref)
    oldest, middle = tmp_path / "svc-0", tmp_path / f"svc-{len(versions) - 1}"
    alembic = (oldest / "alembic.ini").read_text()
    (oldest / "alembic.ini").write_text(alembic + "# tuned by hand\n")  # template-owned
    (middle / "README.md").write_text("# Ours\n")  # team-owned: never reported
    listing = tmp_path / "services.txt"
    listing.write_text("\n".join(list(fleet)[1:]) + "\n")

    report = run(
        [sys.executable, TEMPLATE_PROGRAM, "fleet", next(iter(fleet)), f"@{listing}"],
        cwd=tmp_path,
        check=False,
    )

    assert report.returncode == 1, report.stdout + report.stderr  # one service drifted
    header, *rows = [re.split(r" {2,}", line) for line in report.stdout.splitlines()]
    assert header == [
        "service",
        "variant",
        "release",
        "newest release",
        "behind by",
        "drifted files",
    ]
    assert [row[0] for row in rows] == list(fleet)
    for row in rows:
        variant, ref = fleet[row[0]]
        behind = versions.index(ref) if ref in versions else 0
        expected_release = ref if ref in versions else rf"{versions[0]}-\d+-g[0-9a-f]+"
        assert row[1] == variant
        assert re.fullmatch(expected_release, row[2]), row
        assert row[3:5] == [versions[0], str(behind)], row
        assert row[5] == ("alembic.ini" if row[0] == str(oldest) else "none"), row

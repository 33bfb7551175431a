"""Where has this service drifted from the Loopsafe release it records? (docs/drift.md)

Owned by the Loopsafe template: `copier update` keeps this file current.

    uv run python tools/template_drift.py          # a diff per drifted file; exit 1 if any
    uv run python tools/template_drift.py --fix    # heal: the release's content back
    uv run python tools/template_drift.py fleet ../orders ../billing @services.txt

The check renders the release the service records (`_commit`, `_src_path`) with its recorded
answers into a temporary folder, and compares every file that release renders except the
team's: those its copier.yml seeds once (`_skip_if_exists`), the answers file, and in
pyproject.toml and uv.toml the lines under each `# Your ...:` comment. Files the team adds
are never compared. Exit: 0 no drift, 1 drift, 2 the release could not be rendered.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import copier
import jinja2.sandbox
import pathspec
import yaml
from packaging.version import InvalidVersion, Version

ANSWERS = ".copier-answers.yml"
PYPROJECT = "pyproject.toml"
SHARED = {PYPROJECT, "uv.toml"}  # files with the team's lines in them
UNREADABLE = (OSError, yaml.YAMLError)  # a name: ruff formats `except (A, B)` per Python
# The team's lines follow each such comment, up to the list's closing `]` (or the end).
TEAM_LINES = re.compile(r"^\s*# Your [\w ]+:\s*$")
SHORTHANDS = {"gh:": "https://github.com/", "gl:": "https://gitlab.com/"}
HEAL = "uv run python tools/template_drift.py --fix"
# How Copier matches _skip_if_exists (pathspec 1 renamed the gitignore style).
PATHSPEC_STYLE = "gitignore" if Version(version("pathspec")) >= Version("1") else "gitwildmatch"


class Unreachable(Exception):
    """The recorded release cannot be rendered: the message names the source and commit."""


@dataclass
class Drift:
    path: str
    release: bytes | None  # None: the team's lines of pyproject.toml could not be kept
    diff: list[str]


@dataclass
class Service:
    path: Path
    answers: dict[str, Any]
    src: str
    commit: str

    @classmethod
    def load(cls, path: Path, template: str | None = None) -> Service:
        try:
            answers = yaml.safe_load((path / ANSWERS).read_text()) or {}
        except UNREADABLE:
            raise Unreachable(f"{path} has no readable {ANSWERS}: not a Copier service") from None
        src, commit = template or answers.get("_src_path"), answers.get("_commit")
        if not src or not commit:
            raise Unreachable(f"{path / ANSWERS} records no _src_path or no _commit")
        return cls(path, answers, str(src), str(commit))

    @property
    def source(self) -> str:
        """`_src_path` as git takes it: shorthands expanded, local paths from the service."""
        for short, prefix in SHORTHANDS.items():
            if self.src.startswith(short):
                return prefix + self.src.removeprefix(short)
        if "://" in self.src or re.match(r"^[\w.-]+@[\w.-]+:", self.src):
            return self.src.removeprefix("git+")
        return str((self.path / Path(self.src).expanduser()).resolve())

    @property
    def variant(self) -> str:
        database = str(self.answers.get("database", "?"))
        return str(self.answers.get("postgres_driver")) if database == "postgresql" else database


def git(*args: str | Path) -> str:
    done = subprocess.run(["git", *map(str, args)], capture_output=True, text=True, check=False)
    if done.returncode:
        raise Unreachable((done.stderr.strip().splitlines() or ["git failed"])[-1])
    return done.stdout


def render(service: Service, folder: Path) -> tuple[Path, Callable[[str], bool]]:
    """The release rendered with the service's answers, and the paths it leaves to the team."""
    clone = folder / "template"
    where = f"release {service.commit} of the template at {service.src}"
    try:
        git("clone", "--quiet", "--no-checkout", service.source, clone)
        git("-C", clone, "checkout", "--quiet", service.commit)
    except Unreachable as error:
        raise Unreachable(f"cannot reach {where}: {error}") from None
    configs = [clone / name for name in ("copier.yml", "copier.yaml") if (clone / name).is_file()]
    config = yaml.safe_load(configs[0].read_text()) if configs else {}
    data = {key: value for key, value in service.answers.items() if not key.startswith("_")}
    patterns = config.get("_skip_if_exists") or []
    patterns = [patterns] if isinstance(patterns, str) else patterns
    jinja = jinja2.sandbox.SandboxedEnvironment()
    rendered = folder / "release"
    try:
        team = pathspec.PathSpec.from_lines(
            PATHSPEC_STYLE, [jinja.from_string(pattern).render(**data) for pattern in patterns]
        )
        copier.run_copy(
            str(clone), rendered, data, vcs_ref=service.commit, defaults=True, quiet=True
        )
    except Exception as error:  # any of Copier's errors: one line, not a traceback
        reason = " ".join(str(error).split())[:200]
        raise Unreachable(f"cannot render {where}: {reason}") from None
    return rendered, team.match_file


def split_pyproject(text: str) -> tuple[str, dict[str, list[str]]]:
    """pyproject.toml without the team's lines, and those lines by the comment they follow."""
    kept: list[str] = []
    team: dict[str, list[str]] = {}
    under: str | None = None
    for line in text.splitlines(keepends=True):
        if under is not None and not line.strip().startswith("]"):
            team[under].append(line)
            continue
        under = None
        kept.append(line)
        if TEAM_LINES.match(line):
            under = line.strip()
            team[under] = []
    return "".join(kept), team


def with_team_lines(release: str, team: dict[str, list[str]]) -> str:
    lines: list[str] = []
    for line in release.splitlines(keepends=True):
        lines.append(line)
        lines.extend(team.get(line.strip(), []) if TEAM_LINES.match(line) else [])
    return "".join(lines)


def compare(service: Service, rendered: Path, team: Callable[[str], bool]) -> list[Drift]:
    drifts = []
    for file in sorted(path for path in rendered.rglob("*") if path.is_file()):
        name = file.relative_to(rendered).as_posix()
        if name == ANSWERS or team(name):
            continue
        release = file.read_bytes()
        ours = service.path / name
        mine = ours.read_bytes() if ours.is_file() else None
        expected, actual = release, mine
        healed: bytes | None = release
        if name in SHARED and mine is not None:
            release_part, release_team = split_pyproject(release.decode())
            mine_part, mine_team = split_pyproject(mine.decode())
            expected, actual = release_part.encode(), mine_part.encode()
            kept = set(release_team) <= set(mine_team)
            healed = with_team_lines(release.decode(), mine_team).encode() if kept else None
        if expected == actual:
            continue
        label = f"{name} (Loopsafe {service.commit})"
        diff = difflib.unified_diff(
            expected.decode(errors="replace").splitlines(keepends=True),
            (actual or b"").decode(errors="replace").splitlines(keepends=True),
            label,
            f"{name} ({'this service' if actual is not None else 'missing here'})",
        )
        lines = [line if line.endswith("\n") else line + "\n" for line in diff]
        drifts.append(Drift(name, healed, lines))
    return drifts


def drift(service: Service) -> list[Drift]:
    with tempfile.TemporaryDirectory(prefix="template-drift-") as folder:
        rendered, team = render(service, Path(folder))
        return compare(service, rendered, team)


def check(project: Path, template: str | None, fix: bool) -> int:
    service = Service.load(project, template)
    drifts = drift(service)
    release = f"Loopsafe {service.commit}"
    if not drifts:
        print(f"No drift: every template-owned file is as {release} renders it.")
        return 0
    if fix:
        stuck = [item.path for item in drifts if item.release is None]
        for item in drifts:
            if item.release is not None:
                (project / item.path).parent.mkdir(parents=True, exist_ok=True)
                (project / item.path).write_bytes(item.release)
        healed = [item.path for item in drifts if item.release is not None]
        print(f"Restored {len(healed)} file(s) to {release}: {', '.join(healed)}. Review, commit.")
        if stuck:
            print(f"Not healed: {', '.join(stuck)} lost a `# Your ...:` line; restore it, rerun.")
        return 1 if stuck else 0
    for item in drifts:
        sys.stdout.writelines(item.diff)
    names = ", ".join(item.path for item in drifts)
    annotation = "::error::" if os.environ.get("GITHUB_ACTIONS") == "true" else ""
    print(
        f"{annotation}{len(drifts)} template-owned file(s) differ from {release}: {names}. "
        f"Heal them (your own files are left alone): {HEAL}, then review and commit."
    )
    return 1


def releases(service: Service) -> tuple[str, str]:
    """The newest release tag at the service's source, and how many releases it is behind."""
    try:
        refs = git("ls-remote", "--tags", "--refs", service.source)
    except Unreachable:
        return "?", "?"
    tags: dict[Version, str] = {}
    for line in refs.splitlines():
        tag = line.rsplit("refs/tags/", 1)[-1]
        try:
            version = Version(tag)
        except InvalidVersion:
            continue
        if not version.is_prerelease:
            tags[version] = tag
    if not tags:
        return "none", "?"
    try:  # `_commit` is a tag, or `git describe` output: v0.2.1-3-gabc1234
        current = Version(re.sub(r"-\d+-g[0-9a-f]+$", "", service.commit))
    except InvalidVersion:
        return tags[max(tags)], "?"
    return tags[max(tags)], str(sum(version > current for version in tags))


def fleet(entries: list[str], template: str | None) -> int:
    """A table of the services (folders, or @files listing one folder a line)."""
    folders: list[Path] = []
    for entry in entries:
        if entry.startswith("@"):
            lines = Path(entry[1:]).expanduser().read_text().splitlines()
            folders += [Path(line.strip()).expanduser() for line in lines if line.strip()]
        else:
            folders.append(Path(entry).expanduser())
    rows = [["service", "variant", "release", "newest release", "behind by", "drifted files"]]
    drifted = unchecked = False
    for folder in folders:
        try:
            service = Service.load(folder, template)
        except Unreachable as error:
            rows.append([str(folder), "?", "?", "?", "?", f"not checked: {error}"])
            unchecked = True
            continue
        newest, behind = releases(service)
        try:
            names = [item.path for item in drift(service)]
            drifted |= bool(names)
            files = ", ".join(names) or "none"
        except Unreachable as error:
            files, unchecked = f"not checked: {error}", True
        rows.append([str(folder), service.variant, service.commit, newest, behind, files])
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True)]
        print("  ".join([*cells, row[-1]]))
    return 1 if drifted else 2 if unchecked else 0


def main(argv: list[str]) -> int:
    fleet_report = argv[:1] == ["fleet"]
    parser = argparse.ArgumentParser(
        prog="template_drift.py" + (" fleet" if fleet_report else ""),
        description=__doc__.split("\n")[0] if __doc__ else None,
    )
    parser.add_argument("--template", help="render from here instead of the recorded _src_path")
    if fleet_report:
        parser.add_argument("services", nargs="+", help="service folders, or @file of folders")
        options = parser.parse_args(argv[1:])
        return fleet(options.services, options.template)
    parser.add_argument("project", nargs="?", default=".", help="the service (default: here)")
    parser.add_argument("--fix", action="store_true", help="restore the drifted files")
    options = parser.parse_args(argv)
    try:
        return check(Path(options.project), options.template, options.fix)
    except Unreachable as error:
        print(f"template_drift: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

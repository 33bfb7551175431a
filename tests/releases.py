"""Every release x variant, rendered once and updated side by side.

The update tests (tests/test_update.py, tests/test_fleet_update.py) need, for each release
and variant, a service rendered from that release, updated to the working tree. Those
renders and updates are the suite's only cost that grows with each release, so they are
made here once per session, two at a time (the machine's cores) while the tests check what
is ready: a test waits for its own release's update only.

What a test module checks on each updated service (its after_update) runs in the pool too,
right after that update. Updated services are also grouped by what they hold: two releases
whose customised services come out of the update file for file identical (uv.lock
included) have the same update path from there on, so the costly checks after it (install,
lint, types, the suite) run once per group (Releases.once_per_tree), and each release of
the group proves, by its digest, that its tree is the one checked.
"""

import hashlib
import json
import shutil
import threading
import tomllib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from .helpers import POSTGRES_VARIANTS, VARIANTS, clean_env, commit_all, copier, git, render, run
from .updates import customise, service_files

PROJECT_NAME = "Shop"  # package `shop`
SIDE_BY_SIDE = 2  # the machine's cores: copier and uv are single-threaded where it counts
NOT_COPIED = shutil.ignore_patterns(".venv", ".*_cache")


def renovate_update(project: Path, tag: str) -> None:
    """The command Renovate's copier manager runs (hosted Renovate never adds --trust)."""
    copier(
        "update",
        "--skip-answered",
        "--defaults",
        "--answers-file",
        ".copier-answers.yml",
        "--vcs-ref",
        tag,
        cwd=project,
    )


def locked(lock: Path) -> str:
    """What uv.lock installs, in a canonical form: its TOML with the order of each
    `resolution-markers` list left out. uv writes those markers in the order the previous
    lock had them (so two services locked from different histories can list the same
    markers differently); everything else, every package, version, source and hash, counts."""
    if not lock.exists():
        return ""

    def canonical(value: object, key: str = "") -> object:
        if isinstance(value, dict):
            return {name: canonical(item, name) for name, item in value.items()}
        if isinstance(value, list):
            items = [canonical(item) for item in value]
            return sorted(items, key=str) if key == "resolution-markers" else items
        return value

    return json.dumps(canonical(tomllib.loads(lock.read_text())), sort_keys=True, indent=0)


def tree_files(project: Path) -> dict[str, str]:
    """Every file a service's checks read, by relative path: what copier wrote (the answers
    file without its _commit), the team's files and uv.lock (canonical: `locked`); the
    tools' caches, .git and .venv left out."""
    files = service_files(project)
    files["uv.lock"] = locked(project / "uv.lock")
    return files


def files_digest(files: dict[str, str]) -> str:
    """A digest of {relative path: text}: equal digests, file for file the same."""
    digest = hashlib.sha256()
    for name, text in sorted(files.items()):
        digest.update(f"{len(name)}:{name}{len(text)}:{text}".encode())
    return digest.hexdigest()


def tree_digest(project: Path) -> str:
    """A digest of tree_files: equal digests, file for file the same tree."""
    return files_digest(tree_files(project))


# What a test module runs on each of its updated services, in the pool, right after the
# update: after_update(releases, release, variant, project).
AfterUpdate = Callable[["Releases", str, str, Path], None]


class Releases:
    """Each release x variant rendered from `template` (its HEAD: the working tree, tagged
    `tag`), then updated: uncustomised with `copier update` to HEAD, and customised
    (updates.customise) with Renovate's command to `tag`. `envs` maps each variant to the
    environment its suites run in."""

    def __init__(
        self, template: Path, tag: str, root: Path, env_for: Callable[[str], dict[str, str]]
    ):
        self.template, self.tag, self.root, self.env_for = template, tag, root, env_for
        self.envs: dict[str, dict[str, str]] = {}  # variant -> env, set when it is started
        self.pool = ThreadPoolExecutor(SIDE_BY_SIDE, thread_name_prefix="release")
        self.renders: dict[tuple[str, str], Future[Path]] = {}
        self.jobs: dict[tuple[str, str, str], Future[Path]] = {}
        self.wanted: list[tuple[str, str, str]] = []
        self.after: dict[str, AfterUpdate] = {}  # kind -> what runs after each such update
        self.groups: dict[str, Future[str]] = {}  # tree digest -> the release checked
        self.lock = threading.Lock()

    def once_per_tree(self, project: Path, release: str, check: Callable[[], None]) -> str:
        """Run `check` on `project` unless a service with the same tree_digest was (or is
        being) checked: then wait for that one's outcome instead (raising if it failed).
        Returns the release whose service the check ran on."""
        digest = tree_digest(project)
        with self.lock:
            first = self.groups.get(digest)
            if first is None:
                self.groups[digest] = mine = Future[str]()
        if first is not None:  # its check is running in another thread, or done
            try:
                return first.result()
            except BaseException as failure:
                raise AssertionError(
                    f"{release}'s updated service is identical to one that failed its checks"
                ) from failure
        try:
            check()
        except BaseException as failure:
            mine.set_exception(failure)
            raise
        mine.set_result(release)
        return release

    def answers(self, variant: str) -> dict[str, str]:
        return {"project_name": PROJECT_NAME, **VARIANTS[variant]}

    def _render(self, ref: str, variant: str) -> Path:
        dest = self.root / "rendered" / f"{ref}-{variant}" / "shop"
        return render(self.template, dest, ref=ref, **self.answers(variant))

    def rendered(self, release: str, variant: str) -> Path:
        """A pristine render of `release` (or HEAD): copy it before changing anything."""
        key = (release, variant)
        if key not in self.renders:
            self.renders[key] = self.pool.submit(self._render, release, variant)
        return self.renders[key].result()

    def _copy(self, release: str, variant: str, kind: str) -> Path:
        dest = self.root / kind / f"{release}-{variant}" / "shop"
        shutil.copytree(self.rendered(release, variant), dest, ignore=NOT_COPIED)
        return dest

    def _plain(self, release: str, variant: str) -> Path:
        project = self._copy(release, variant, "plain")
        commit_all(project, f"service rendered from {release}")
        git("tag", "before-update", cwd=project)
        copier("update", "--defaults", "--vcs-ref=HEAD", cwd=project)
        if "plain" in self.after:
            self.after["plain"](self, release, variant, project)
        return project

    def _customised(self, release: str, variant: str) -> Path:
        project = self._copy(release, variant, "customised")
        customise(project)
        run(["uv", "lock", "--quiet"], cwd=project, env=clean_env())
        commit_all(project, f"the shop service, from Loopsafe {release}, customised")
        git("tag", "before-update", cwd=project)
        renovate_update(project, self.tag)
        if "customised" in self.after:
            self.after["customised"](self, release, variant, project)
        return project

    def plan(self, wanted: Iterable[tuple[str, str, str]], after: dict[str, AfterUpdate]) -> None:
        """The (release, variant, kind) updates `wanted` (those the session's selected tests
        ask for, in their order), each to be followed by `after`[kind]; queued by start."""
        self.wanted, self.after = list(dict.fromkeys(wanted)), after

    def start(self, variants: Iterable[str]) -> None:
        """Queue the planned updates of `variants` not queued yet, each after its render (a
        job waits only for renders queued before it, or for a check already running: no
        deadlock). Called in the main thread: it asks for each variant's environment (a
        PostgreSQL variant's asks for the server)."""
        new = sorted(set(variants) - set(self.envs))
        for variant in new:
            self.envs[variant] = self.env_for(variant)
        jobs = {"customised": self._customised, "plain": self._plain}
        for release, variant, kind in self.wanted:
            if variant not in new or (release, variant, kind) in self.jobs:
                continue
            if (release, variant) not in self.renders:
                self.renders[(release, variant)] = self.pool.submit(self._render, release, variant)
            self.jobs[(release, variant, kind)] = self.pool.submit(jobs[kind], release, variant)
        for variant in new:
            if any(v == variant and kind == "plain" for _, v, kind in self.wanted):
                # the fresh copy the plain updates are compared with
                self.renders[("HEAD", variant)] = self.pool.submit(self._render, "HEAD", variant)

    def updated(self, release: str, variant: str, kind: str) -> Path:
        """The service rendered from `release`, committed (tag `before-update`) and updated:
        kind "plain" (to HEAD, uncustomised) or "customised" (Renovate's command, to `tag`).
        Raises what the render or update raised."""
        self.start([variant])  # on an xdist worker: this variant's updates, when first asked
        if (release, variant, kind) not in self.jobs:  # a test the session did not select
            self.jobs[(release, variant, kind)] = self.pool.submit(
                {"customised": self._customised, "plain": self._plain}[kind], release, variant
            )
        return self.jobs[(release, variant, kind)].result()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def wanted_updates(
    items: Iterable[pytest.Item],
) -> tuple[list[tuple[str, str, str]], dict[str, AfterUpdate]]:
    """The (release, variant, kind) updates the selected `items` ask for: each test using
    the `releases` fixture, parametrized by release and variant, in a module whose
    UPDATE_KIND names the kind ("customised" or "plain"); and, by kind, the module's
    after_update, if it has one."""
    wanted, after = [], {}
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        module = getattr(item, "module", None)
        kind = getattr(module, "UPDATE_KIND", None)
        if "releases" in getattr(item, "fixturenames", ()) and "release" in params and kind:
            wanted.append((params["release"], params["variant"], kind))
            hook = getattr(module, "after_update", None)
            if hook is not None:
                after[kind] = hook
    return wanted, after


def releases_fixture(
    request: pytest.FixtureRequest, template: Path, tag: str, root: Path
) -> Iterator[Releases]:
    """The `releases` fixture: the updates the session's selected tests need, queued at
    once; on an xdist worker, a variant's when a test first asks for one of them (every
    test of a variant's releases runs on one worker: tests/groups.py, so no update is made
    twice). The
    PostgreSQL server (postgres_url) is asked for in the main thread, and only for a
    PostgreSQL variant."""

    def env_for(variant: str) -> dict[str, str]:
        if variant in POSTGRES_VARIANTS:
            return clean_env(TEST_DATABASE_URL=request.getfixturevalue("postgres_url"))
        return clean_env()

    releases = Releases(template, tag, root, env_for)
    releases.plan(*wanted_updates(request.session.items))
    if not hasattr(request.config, "workerinput"):  # not an xdist worker
        releases.start(variant for _, variant, _ in releases.wanted)
    try:
        yield releases
    finally:
        releases.close()

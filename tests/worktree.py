"""The working tree, committed where Copier can render it.

Shared by the template's tests and bench/ (standalone scripts), so it imports only the
standard library.
"""

from pathlib import Path

from .processes import run

ROOT = Path(__file__).resolve().parents[1]


def commit_working_tree(dest: Path) -> Path:
    """Copy this repository's working tree (tracked and untracked, not ignored files) into
    `dest` and commit it there, creating the repository if needed.

    Copier renders a git template from a commit: rendering `dest` at HEAD renders exactly
    what is on disk here, never the latest tag, and no dirty-tree warning can interfere.
    """
    listing = _git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT)
    for name in filter(None, listing.split("\0")):
        source = ROOT / name
        if source.is_file():
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
            target.chmod(source.stat().st_mode)
    _git("init", "--quiet", cwd=dest)
    _git("add", "--all", cwd=dest)
    _git("commit", "--quiet", "--allow-empty", "--message", "working tree", cwd=dest)
    return dest


def _git(*args: str, cwd: Path) -> str:
    return run(["git", *args], cwd=cwd).stdout

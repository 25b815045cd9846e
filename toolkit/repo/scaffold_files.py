"""The committed files of an application repository (its ``HEAD``), as provisioning pushes them to GitHub."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from toolkit.errors import UserError
from toolkit.i18n import _
from toolkit.repo.git import git, is_clean, is_repo_root
from toolkit.repo.gitread import read_objects

MAX_FILE_BYTES = 50 * 1024 * 1024  # GitHub refuses blobs over 100 MB and warns over 50 MB
MAX_TOTAL_BYTES = 200 * 1024 * 1024


class ScaffoldFile(NamedTuple):
    path: str
    mode: str  # 100644, 100755 or 120000 (a symbolic link: content is its target)
    data: bytes

    @property
    def text(self) -> str | None:
        """The content as text when it is UTF-8 without NUL bytes (sent inline), else ``None`` (a blob)."""
        if b"\0" in self.data:
            return None
        try:
            return self.data.decode("utf-8")
        except UnicodeDecodeError:
            return None


class Scaffold(NamedTuple):
    files: tuple[ScaffoldFile, ...]
    clean: bool  # no uncommitted changes (those are not pushed)

    def get(self, path: str) -> bytes | None:
        return next((f.data for f in self.files if f.path == path), None)


def read_scaffold(folder: Path) -> Scaffold:
    """Every file of ``HEAD`` in the repository at ``folder``; refuses what GitHub's git data API cannot
    take (submodules, names that are not UTF-8, oversized files)."""
    if not folder.is_dir() or not is_repo_root(folder):
        raise UserError(
            _(
                "{folder} is not a git repository made by `sopkit new` (run `sopkit new {folder}` first)"
            ).format(folder=folder)
        )
    if not git(["rev-parse", "--verify", "--quiet", "HEAD"], folder, check=False).strip():
        raise UserError(_("{folder} has no commit yet: commit the scaffold first").format(folder=folder))
    listing = git(["ls-tree", "-r", "-z", "--full-tree", "HEAD"], folder)
    entries: list[tuple[str, str, str]] = []
    for record in filter(None, listing.split("\0")):
        meta, _tab, path = record.partition("\t")
        mode, kind, sha = meta.split()
        if kind != "blob":
            raise UserError(
                _("{folder}: '{path}' is a submodule; provisioning pushes plain files only").format(
                    folder=folder, path=path
                )
            )
        entries.append((path, mode, sha))
    contents = read_objects(folder, [sha for _p, _m, sha in entries])
    files: list[ScaffoldFile] = []
    total = 0
    for path, mode, sha in entries:
        data = contents.get(sha, b"")
        total += len(data)
        if len(data) > MAX_FILE_BYTES or total > MAX_TOTAL_BYTES:
            raise UserError(
                _(
                    "{folder}: '{path}' makes the push too large (over {limit} MB); keep large files out "
                    "of git"
                ).format(folder=folder, path=path, limit=MAX_FILE_BYTES // (1024 * 1024))
            )
        files.append(ScaffoldFile(path, mode, data))
    return Scaffold(tuple(files), is_clean(folder))

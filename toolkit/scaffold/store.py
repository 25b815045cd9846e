"""The template store: a local git repository holding every version of ``project_template/``.

Copier can only update a project from a template that lives in git with version tags, while sop-toolkit
ships its template as plain files. So each time ``sopkit new`` or ``sopkit upgrade`` runs, the shipped
template is synchronised into the store: a changed template becomes a new commit, and a new
``project_template/VERSION`` becomes a new tag ``vX.Y.Z``. Projects record the store and the commit they
came from in ``.copier-answers.yml``; an office that shares the store (or publishes it on its git
server) can upgrade projects from any machine.

The store lives in ``$SOPKIT_TEMPLATE_STORE``, else ``$XDG_DATA_HOME/sopkit/template``, else
``~/.local/share/sopkit/template``.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import UserError
from toolkit.i18n import _
from toolkit.paths import template_dir
from toolkit.repo.git import commit_all, git

_VERSION = re.compile(r"^\d+\.\d+\.\d+$")
_STAMP = "sopkit-template.sha256"


@dataclass(frozen=True)
class Store:
    path: Path
    version: str  # the shipped template's version, e.g. "0.2.0"
    head: str  # `git describe` of the store's HEAD, e.g. "v0.2.0"


def store_path() -> Path:
    configured = os.environ.get("SOPKIT_TEMPLATE_STORE")
    if configured:
        return Path(configured).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "sopkit" / "template"


def template_version(source: Path) -> str:
    version_file = source / "VERSION"
    try:
        version = version_file.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise UserError(
            _("cannot read the template version in {file}: {reason}").format(
                file=version_file, reason=exc.strerror
            )
        ) from exc
    if not _VERSION.match(version):
        raise UserError(
            _("{file}: '{version}' is not a version like 1.2.3").format(file=version_file, version=version)
        )
    return version


def _fingerprint(source: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in source.rglob("*") if p.is_file() or p.is_symlink()):
        rel = path.relative_to(source).as_posix()
        digest.update(rel.encode() + b"\0")
        digest.update((str(path.readlink()).encode() if path.is_symlink() else path.read_bytes()) + b"\0")
    return digest.hexdigest()


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with (path.parent / f".{path.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two sopkit runs must not commit into the store at once
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def ensure_store(source: Path | None = None, path: Path | None = None) -> Store:
    """Bring the store up to date with the shipped template and return it."""
    source = source or template_dir()
    path = path or store_path()
    version = template_version(source)
    with _locked(path):
        if not (path / ".git").is_dir():
            path.mkdir(parents=True, exist_ok=True)
            git(["init", "-q", "-b", "main"], path)
        fingerprint = _fingerprint(source)
        stamp = path / ".git" / _STAMP
        if not stamp.exists() or stamp.read_text() != fingerprint:
            _replace_tree(source, path)
            commit_all(path, f"Template {version}")
            stamp.write_text(fingerprint)
        if not git(["tag", "--list", f"v{version}"], path).strip():
            git(["tag", f"v{version}"], path)
        head = git(["describe", "--tags", "--always"], path).strip()
    return Store(path=path, version=version, head=head)


def _replace_tree(source: Path, dest: Path) -> None:
    for child in dest.iterdir():
        if child.name == ".git":
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    shutil.copytree(
        source, dest, dirs_exist_ok=True, symlinks=True, ignore=shutil.ignore_patterns("__pycache__")
    )

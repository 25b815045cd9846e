"""``sopkit upgrade``: bring application repositories to the newest template, or report their drift.

An upgrade either lands whole (one commit "Upgrade template A -> B") or not at all: a conflict between the
project's own edits and the template's changes restores the repository exactly as it was and lists the
conflicting files, so nothing is lost and nothing half-done is committed.

A repository made with plain ``copier copy`` from the template folder records no template commit
(``_commit``): its answers file names the template version in a comment (``# sopkit-template-version:``,
templates from 0.3.0 on), or the user names it (``--from``). Upgrading such a repository first records that
version as the store's tag, in a commit of its own, then upgrades as usual.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml

from toolkit.errors import UserError
from toolkit.i18n import _
from toolkit.repo.git import commit_all, git, is_clean, is_repo_root
from toolkit.scaffold.store import Store, ensure_store

ANSWERS = ".copier-answers.yml"
_STAMP = re.compile(r"^# sopkit-template-version: ([0-9]+\.[0-9]+\.[0-9]+)\s*$", re.M)
Outcome = Literal["up-to-date", "upgraded", "drift", "conflict"]


@dataclass(frozen=True)
class UpgradeResult:
    path: Path
    outcome: Outcome
    old: str
    new: str
    conflicts: tuple[str, ...] = field(default=())


def read_answers(repo: Path) -> dict[str, object]:
    answers_file = repo / ANSWERS
    if not is_repo_root(repo):
        raise UserError(_("{path} is not the root of a git repository").format(path=repo))
    try:
        loaded = yaml.safe_load(answers_file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise UserError(
            _("{path} has no {file}: it was not made with sopkit new").format(path=repo, file=ANSWERS)
        ) from exc
    except yaml.YAMLError as exc:
        raise UserError(
            _("{file} is not valid YAML: {reason}").format(file=answers_file, reason=exc)
        ) from exc
    if not isinstance(loaded, dict):
        raise UserError(_("{file} is not a mapping of template answers").format(file=answers_file))
    return loaded


def _made_from(repo: Path, answers: dict[str, object], given: str | None, store: Store) -> str:
    """The store's tag of the template version ``repo`` was made from: its recorded ``_commit``, else the
    version ``given`` by the user or stamped in its answers file by a plain ``copier copy``."""
    if "_commit" in answers and given is None:
        return str(answers["_commit"])
    stamp = _STAMP.search((repo / ANSWERS).read_text(encoding="utf-8"))
    version = given or (stamp.group(1) if stamp else None)
    if version is None:
        raise UserError(
            _(
                "{file} does not record the template version (_commit): the repository was made with "
                "plain `copier copy` from a template older than 0.3.0. Name the version it was made from "
                "(project_template/VERSION at the time): sopkit upgrade {path} --from X.Y.Z"
            ).format(file=repo / ANSWERS, path=repo)
        )
    if not _VERSION.fullmatch(version):
        raise UserError(
            _(
                "'{version}' is not a template version; name it as X.Y.Z (project_template/VERSION at the "
                "time), e.g. --from 0.2.0"
            ).format(version=version)
        )
    tag = f"v{version.removeprefix('v')}"
    if not git(["rev-parse", "--verify", "-q", f"refs/tags/{tag}"], store.path, check=False).strip():
        known = git(["tag", "--list", "v*"], store.path).split()
        raise UserError(
            _(
                "the template store {store} has no version {version} to upgrade from (it has: {known}); "
                "put that version of project_template into the store first, or name another with --from"
            ).format(store=store.path, version=tag, known=", ".join(known) or "-")
        )
    return tag


_VERSION = re.compile(r"v?[0-9]+\.[0-9]+\.[0-9]+")  # a version, never a revision expression ("0.3.0^{tree}")


def _adopt(repo: Path, tag: str, store: Store) -> None:
    """Record in the answers file the store's tag ``tag`` as the template commit, in a commit of its own."""
    lines = [
        line
        for line in (repo / ANSWERS).read_text(encoding="utf-8").splitlines()
        if not line.startswith(("_commit:", "_src_path:"))
    ]
    at = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    lines[at:at] = [f"_commit: {tag}", f"_src_path: {store.path}"]
    (repo / ANSWERS).write_text("\n".join(lines) + "\n", encoding="utf-8")
    commit_all(repo, f"Record the sop-toolkit template version {tag} of a repository made with copier copy")


def find_repos(root: Path) -> Iterator[Path]:
    """Application repositories directly under ``root`` (or ``root`` itself)."""
    if (root / ANSWERS).is_file():
        yield root
        return
    for child in sorted(root.iterdir()):
        if child.is_dir() and not child.is_symlink() and (child / ANSWERS).is_file():
            yield child


def upgrade(
    repo: Path, *, check: bool = False, store: Store | None = None, made_from: str | None = None
) -> UpgradeResult:
    """Bring ``repo`` to the store's newest template (``made_from``: the template version a repository
    made with plain ``copier copy`` came from, when its answers file does not say)."""
    answers = read_answers(repo)
    store = store or ensure_store()
    old = _made_from(repo, answers, made_from, store)
    recorded = answers.get("_commit") == old
    if _same_commit(store, old, store.head) and recorded:
        return UpgradeResult(repo, "up-to-date", old, store.head)
    if check:
        return UpgradeResult(
            repo, "up-to-date" if _same_commit(store, old, store.head) else "drift", old, store.head
        )
    if not is_clean(repo):
        raise UserError(
            _("{path} has uncommitted changes; commit or stash them before upgrading").format(path=repo)
        )
    start = git(["rev-parse", "HEAD"], repo).strip()  # what a failed or conflicting update goes back to
    if not recorded:
        _adopt(repo, old, store)
        if _same_commit(store, old, store.head):
            return UpgradeResult(repo, "up-to-date", old, store.head)
    else:
        _point_at_store(repo, answers, store)
    return _apply(repo, old, store, start)


def _same_commit(store: Store, a: str, b: str) -> bool:
    def resolve(ref: str) -> str:
        return git(["rev-parse", "--verify", "-q", f"{ref}^{{commit}}"], store.path, check=False).strip()

    return a == b or (bool(resolve(a)) and resolve(a) == resolve(b))


def _point_at_store(repo: Path, answers: dict[str, object], store: Store) -> None:
    """Record this machine's store when the project came from a store that is not here."""
    src = str(answers.get("_src_path", ""))
    if src and (Path(src).expanduser().exists() or "://" in src or src.startswith("git@")):
        return
    text = (repo / ANSWERS).read_text(encoding="utf-8")
    lines = [
        f"_src_path: {store.path}" if line.startswith("_src_path:") else line for line in text.splitlines()
    ]
    (repo / ANSWERS).write_text("\n".join(lines) + "\n", encoding="utf-8")
    commit_all(repo, "Record the local sop-toolkit template store")


def _apply(repo: Path, old: str, store: Store, start: str) -> UpgradeResult:
    """Run Copier's update; on failure or conflict, put ``repo`` back at ``start`` (before the commits
    that recorded the template version or the store)."""
    from copier import run_update
    from copier.errors import CopierError

    before = set(_untracked(repo))
    try:
        run_update(
            repo,
            defaults=True,
            overwrite=True,
            skip_answered=True,
            conflict="rej",
            vcs_ref="HEAD",
            quiet=True,
            unsafe=False,
        )
    except (ValueError, CopierError) as exc:
        _restore(repo, start, before)
        raise UserError(
            _("the template update failed in {path}: {reason}").format(path=repo, reason=exc)
        ) from exc
    except BaseException:
        _restore(repo, start, before)
        raise
    conflicts = sorted(p[: -len(".rej")] for p in set(_untracked(repo)) - before if p.endswith(".rej"))
    conflicts += sorted(_inline_conflicts(repo))
    if conflicts:
        _restore(repo, start, before)
        return UpgradeResult(repo, "conflict", old, store.head, tuple(conflicts))
    commit_all(repo, f"Upgrade the sop-toolkit template {old} -> {store.head}")
    return UpgradeResult(repo, "upgraded", old, store.head)


def _untracked(repo: Path) -> list[str]:
    """Untracked files, ignored ones included (the template ignores *.rej)."""
    return git(["ls-files", "--others", "-z"], repo).split("\0")[:-1]


def _inline_conflicts(repo: Path) -> list[str]:
    changed = git(["diff", "--name-only", "-z"], repo).split("\0")[:-1]
    found = []
    for name in changed:
        path = repo / name
        if path.is_file() and b"\n<<<<<<< " in b"\n" + path.read_bytes():
            found.append(name)
    return found


def _restore(repo: Path, head: str, before: set[str]) -> None:
    """Put the repository back exactly as it was before the update started."""
    git(["reset", "-q", "--hard", head], repo)
    for name in set(_untracked(repo)) - before:
        path = repo / name
        path.unlink(missing_ok=True)
        for parent in path.parents:  # folders the update created, now empty
            if parent == repo or any(parent.iterdir()):
                break
            parent.rmdir()

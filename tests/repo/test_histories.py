"""Histories remembered per commit: what the cache and an incremental walk give is exactly what a full
walk gives; anything doubtful (a rewritten base, a damaged entry, a shallow clone) is walked again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import git
from toolkit.cache import Cache
from toolkit.repo.gitread import read_history
from toolkit.repo.histories import NAMESPACE, History

FOLDERS = ["docs"]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    folder = tmp_path / "r"
    (folder / "docs").mkdir(parents=True)
    git(folder, "init", "-q")
    return folder


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    return Cache(tmp_path / "cache")


def commit(repo: Path, name: str | None = None) -> str:
    if name:
        (repo / name).write_text(f"{name}\n")
        git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", name or "empty")
    return git(repo, "rev-parse", "HEAD").strip()


def remembered(cache: Cache) -> list[Path]:
    folder = cache.root / NAMESPACE if cache.root else None
    return sorted(folder.iterdir()) if folder and folder.is_dir() else []


def test_an_incremental_walk_gives_the_full_history(repo: Path, cache: Cache) -> None:
    commit(repo, "docs/a.md")
    commit(repo, "app.py")
    base = commit(repo)  # empty, like a sign-off
    assert History(repo, base, FOLDERS, cache).get() == read_history(repo, base, FOLDERS)
    commit(repo)  # empty right on top of the base: its parent's tree comes from the remembered history
    git(repo, "checkout", "-q", "-b", "side", "HEAD~1")
    commit(repo, "docs/b.md")
    git(repo, "checkout", "-q", "-")
    git(repo, "merge", "-q", "--no-edit", "side")
    head = commit(repo, "docs/c.md")
    walked = History(repo, head, FOLDERS, cache, base)
    assert walked.base_seen
    assert walked.get() == read_history(repo, head, FOLDERS)
    assert sum(c.empty for c in walked.get()) == 2
    assert History(repo, head, FOLDERS, cache).get() == read_history(repo, head, FOLDERS)  # remembered


def test_a_base_that_is_not_an_ancestor_means_a_full_walk(repo: Path, cache: Cache) -> None:
    commit(repo, "docs/a.md")
    base = commit(repo, "docs/b.md")
    History(repo, base, FOLDERS, cache).get()
    git(repo, "reset", "-q", "--hard", "HEAD~1")
    head = commit(repo, "docs/c.md")  # the history was rewritten: base is gone from it
    history = History(repo, head, FOLDERS, cache, base).get()
    assert history == read_history(repo, head, FOLDERS)
    assert base not in {c.sha for c in history}


def test_a_damaged_entry_is_walked_again(repo: Path, cache: Cache) -> None:
    commit(repo, "docs/a.md")
    head = commit(repo, "docs/b.md")
    right = History(repo, head, FOLDERS, cache).get()
    for damage in ("not json", "[]", json.dumps([["x"] * 7]), json.dumps([[head, "t", [], [], "1", [], 0]])):
        for entry in remembered(cache):
            entry.write_text(damage)
        assert History(repo, head, FOLDERS, cache).get() == right


def test_a_shallow_clone_is_never_remembered(repo: Path, cache: Cache, tmp_path: Path) -> None:
    for name in ("docs/a.md", "docs/b.md", "docs/c.md"):
        commit(repo, name)
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(clone))
    head = git(clone, "rev-parse", "HEAD").strip()
    assert len(History(clone, head, FOLDERS, cache).get()) == 1
    assert remembered(cache) == []  # deepening the clone would change what the history is
    git(clone, "fetch", "-q", "--unshallow")
    assert len(History(clone, head, FOLDERS, cache).get()) == 3


def test_histories_are_kept_per_repository(repo: Path, cache: Cache, tmp_path: Path) -> None:
    head = commit(repo, "docs/a.md")
    History(repo, head, FOLDERS, cache).get()
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(repo), str(other))
    History(other, head, FOLDERS, cache).get()
    assert len(remembered(cache)) == 2

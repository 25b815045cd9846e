"""Histories remembered per commit: what the cache and an incremental walk give is exactly what a full
walk gives, and anything doubtful is walked again."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import git
from toolkit import cache
from toolkit.forge import histories
from toolkit.repo.gitread import read_history

FOLDERS = ["docs"]


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOPKIT_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "r"
    (folder / "docs").mkdir(parents=True)
    git(folder, "init", "-q")
    return folder


def commit(repo: Path, name: str | None = None) -> str:
    if name:
        (repo / name).write_text(f"{name}\n")
        git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", name or "empty")
    return git(repo, "rev-parse", "HEAD").strip()


def test_an_incremental_walk_gives_the_full_history(repo: Path) -> None:
    commit(repo, "docs/a.md")
    commit(repo, "app.py")
    base = commit(repo)  # empty, like a sign-off
    assert histories.History(repo, base, FOLDERS).get() == read_history(repo, base, FOLDERS)
    commit(repo)  # empty right on top of the base: its parent's tree comes from the remembered history
    git(repo, "checkout", "-q", "-b", "side", "HEAD~1")
    commit(repo, "docs/b.md")
    git(repo, "checkout", "-q", "-")
    git(repo, "merge", "-q", "--no-edit", "side")
    head = commit(repo, "docs/c.md")
    walked = histories.History(repo, head, FOLDERS, base)
    assert walked.get() == read_history(repo, head, FOLDERS)
    assert [c.empty for c in walked.get()] == [c.empty for c in read_history(repo, head, FOLDERS)]
    assert sum(c.empty for c in walked.get()) == 2


def test_a_base_that_is_not_an_ancestor_means_a_full_walk(repo: Path) -> None:
    commit(repo, "docs/a.md")
    base = commit(repo, "docs/b.md")
    histories.History(repo, base, FOLDERS).get()
    git(repo, "reset", "-q", "--hard", "HEAD~1")
    head = commit(repo, "docs/c.md")  # the history was rewritten: base is gone from it
    assert histories.History(repo, head, FOLDERS, base).get() == read_history(repo, head, FOLDERS)


def test_a_remembered_history_is_used_and_a_damaged_one_ignored(repo: Path, tmp_path: Path) -> None:
    head = commit(repo, "docs/a.md")
    full = histories.History(repo, head, FOLDERS).get()
    assert histories.History(repo, head, FOLDERS).get() == full
    for entry in (tmp_path / "cache" / histories.NAMESPACE).iterdir():
        for damage in ("[[1, 2]]", '[["x", "t", [], "a", 1, [], false]]', "{"):
            entry.write_text(damage)
            assert histories.History(repo, head, FOLDERS).get() == full


def test_only_the_latest_histories_are_kept(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(histories, "KEEP", 3)
    heads = [commit(repo, f"docs/{i}.md") for i in range(5)]
    for head in heads:
        histories.History(repo, head, FOLDERS).get()
    kept = list((tmp_path / "cache" / histories.NAMESPACE).iterdir())
    assert len(kept) == 3
    assert cache.lookup_json(histories.NAMESPACE, histories._key(heads[-1], FOLDERS)) is not None


def test_a_push_walks_only_the_commits_it_brings(repo: Path, tmp_path: Path) -> None:
    first = commit(repo, "docs/a.md")
    base = commit(repo, "docs/b.md")
    histories.History(repo, base, FOLDERS).get()
    (remembered,) = (tmp_path / "cache" / histories.NAMESPACE).iterdir()
    remembered.write_text(remembered.read_text().replace("penguji@example.go.id", "dari-cache@example.go.id"))
    head = commit(repo, "docs/c.md")
    walked = histories.History(repo, head, FOLDERS, base).get()
    assert [c.sha for c in walked] == [first, base, head]
    assert [c.author for c in walked] == ["dari-cache@example.go.id"] * 2 + ["penguji@example.go.id"]


def test_a_push_keeps_only_its_own_commits_and_a_long_chain_is_kept_whole(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(histories, "LINKS", 3)
    base = commit(repo, "docs/0.md")
    histories.History(repo, base, FOLDERS).get()
    for i in range(1, 6):
        head = commit(repo, f"docs/{i}.md")
        assert histories.History(repo, head, FOLDERS, base).get() == read_history(repo, head, FOLDERS)
        kept = cache.lookup_json(histories.NAMESPACE, histories._key(head, FOLDERS))
        if i in (1, 2):  # "the base's history, and this commit"
            assert kept == {"on": base, "commits": [list(kept["commits"][0])]} and len(kept["commits"]) == 1
        else:  # the third link would make the chain too long: kept whole, and the chain starts again
            assert isinstance(kept, list) if i == 3 else isinstance(kept, dict)
        base = head


def test_a_chain_with_a_missing_or_circular_link_is_walked_again(repo: Path, tmp_path: Path) -> None:
    first = commit(repo, "docs/a.md")
    histories.History(repo, first, FOLDERS).get()
    second = commit(repo, "docs/b.md")
    histories.History(repo, second, FOLDERS, first).get()
    (tmp_path / "cache" / histories.NAMESPACE / histories._key(first, FOLDERS)).unlink()  # evicted
    assert histories.History(repo, second, FOLDERS).get() == read_history(repo, second, FOLDERS)
    cache.store(histories.NAMESPACE, histories._key(second, FOLDERS), f'{{"on": "{second}", "commits": []}}')
    assert histories.History(repo, second, FOLDERS).get() == read_history(repo, second, FOLDERS)

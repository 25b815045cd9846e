"""Reading commits and trees from real git: names that look like the parser's own marks stay names, empty
commits are recognised, and the difference of two trees is git's own."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import git
from toolkit.repo.gitread import EMPTY_TREES, read_history, read_sizes, read_snapshot, start_diff


def commit_file(repo: Path, name: bytes, content: bytes = b"x\n", message: str = "c") -> str:
    """Add a file with an arbitrary (byte) name and commit it; its commit id."""
    path = repo / "docs" / os.fsdecode(name)  # a name that is not UTF-8 survives as surrogates
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(content)
    subprocess.run(["git", "add", "--", str(path)], cwd=repo, check=True)
    git(repo, "commit", "-qm", message)
    return git(repo, "rev-parse", "HEAD").strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    folder = tmp_path / "r"
    folder.mkdir()
    git(folder, "init", "-q")
    return folder


def test_names_that_mimic_the_record_format_stay_names(repo: Path) -> None:
    odd = {
        "line\nbreak.md": b"line\nbreak.md",
        "\x1e" + "0" * 40 + " tree.md": b"\x1e" + b"0" * 40 + b" tree.md",  # a forged record header
        '"quoted".md': b'"quoted".md',
        "tab\there.md": b"tab\there.md",
        "back\\slash.md": b"back\\slash.md",
        "dokumen-ñ.md": "dokumen-ñ.md".encode(),
    }
    made = [commit_file(repo, raw, message=f"add {i}") for i, raw in enumerate(odd.values())]
    history = read_history(repo, "HEAD")
    assert [c.sha for c in history] == made  # oldest first, and no commit made up from a name
    assert [c.paths for c in history] == [(f"docs/{name}",) for name in odd]


def test_a_name_that_is_not_utf8_is_kept_escaped(repo: Path) -> None:
    commit_file(repo, b"bad-\xff.md")
    (only,) = read_history(repo, "HEAD")
    assert only.paths == ("docs/bad-\\xff.md",)
    snapshot = read_snapshot(repo, "HEAD")
    assert snapshot.undecodable == ("docs/bad-\\xff.md",) and not snapshot.entries


def test_the_history_walk_lists_every_path_and_a_merge_against_its_first_parent(repo: Path) -> None:
    commit_file(repo, b"a.md")
    (repo / "app.py").write_text("print(1)\n")
    git(repo, "add", "app.py")
    git(repo, "commit", "-qm", "code only")
    git(repo, "checkout", "-q", "-b", "side")
    commit_file(repo, b"side.md")
    git(repo, "checkout", "-q", "-")
    commit_file(repo, b"main.md")
    git(repo, "merge", "-q", "--no-ff", "--no-commit", "side")
    (repo / "hidden.py").write_text("evil()\n")  # an edit made inside the merge itself
    git(repo, "add", "hidden.py")
    git(repo, "commit", "-qm", "merge")
    history = read_history(repo, "HEAD")
    singles = sorted(c.paths for c in history if len(c.parents) < 2)
    assert singles == [("app.py",), ("docs/a.md",), ("docs/main.md",), ("docs/side.md",)]
    assert history[-1].paths == ("docs/side.md", "hidden.py")  # all it brings to its first parent


def test_empty_commits_are_recognised(repo: Path) -> None:
    git(repo, "commit", "-q", "--allow-empty", "-m", "root, with the empty tree")
    commit_file(repo, b"a.md")
    git(repo, "commit", "-q", "--allow-empty", "-m", "a sign-off's shape")
    root, filled, signoff = read_history(repo, "HEAD")
    assert root.empty and not root.parents and git(repo, "rev-parse", "HEAD~2^{tree}").strip() in EMPTY_TREES
    assert not filled.empty
    assert signoff.empty and signoff.parents == (filled.sha,)


def test_authors_committers_and_co_authors_are_the_people_of_a_commit(repo: Path) -> None:
    commit_file(repo, b"a.md")
    message = "x\n\nCo-authored-by: Budi <Budi@Sumbarprov.GO.ID>\nCo-authored-by: Sari <sari@x.id>\n"
    env = {**os.environ, "GIT_COMMITTER_EMAIL": "Kasi@Example.go.id"}
    subprocess.run(
        ["git", "commit", "-q", "--allow-empty", "--author", "Tamu <Tamu.Lain@Example.GO.ID>", "-m", message],
        cwd=repo,
        env=env,
        check=True,
    )
    assert [c.people for c in read_history(repo, "HEAD")] == [
        ("penguji@example.go.id",),
        ("tamu.lain@example.go.id", "kasi@example.go.id", "budi@sumbarprov.go.id", "sari@x.id"),
    ]


def test_what_changed_between_two_trees_is_gits_own_and_undoes_to_the_base(repo: Path) -> None:
    for name in ("keep.md", "edit.md", "drop.md", "mode.sh"):
        commit_file(repo, name.encode(), message=name)
    base = git(repo, "rev-parse", "HEAD").strip()
    (repo / "docs" / "edit.md").write_text("changed\n")
    (repo / "docs" / "drop.md").unlink()
    (repo / "docs" / "mode.sh").chmod(0o755)
    (repo / "docs" / "new.md").write_text("new\n")
    (repo / "docs" / "link.md").symlink_to("keep.md")
    (repo / "docs" / "tab\there.md").write_text("odd name\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "change")
    head = git(repo, "rev-parse", "HEAD").strip()
    diff = git(repo, "diff", "-z", "--name-only", base, head).split("\0")[:-1]
    changed = read_snapshot(repo, head).changed_from(read_snapshot(repo, base))
    assert changed == sorted(diff)
    assert changed == [
        "docs/drop.md",
        "docs/edit.md",
        "docs/link.md",
        "docs/mode.sh",
        "docs/new.md",
        "docs/tab\there.md",
    ]
    changes = start_diff(repo, base, head).get()
    assert changes is not None and sorted(p for p, _m, _s in changes) == changed
    before = read_snapshot(repo, head).entries.before(changes)
    assert dict(before.items()) == dict(read_snapshot(repo, base).entries.items())
    entry = read_snapshot(repo, head).entries["docs/mode.sh"]
    assert (entry.mode, entry.kind, entry.size) == ("100755", "blob", -1)  # sizes are read on demand
    assert read_sizes(repo, [entry.sha, "0" * 40]) == {entry.sha: 2}

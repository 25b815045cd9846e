"""Every git process sop-toolkit runs reads the repository as stored: replace objects and grafts are
ignored, whatever the environment or a configuration file asks for."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import git as run
from toolkit.repo.git import git
from toolkit.repo.gitread import is_ancestor, read_history, read_objects


@pytest.fixture
def disguised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[str]]:
    """Three commits; the last replaced by the first, and grafted onto nothing; the configuration and
    the environment ask git to honour replace refs."""
    repo = tmp_path / "r"
    repo.mkdir()
    run(repo, "init", "-q")
    for number in (1, 2, 3):
        (repo / "berkas.txt").write_text(f"{number}\n")
        run(repo, "add", "berkas.txt")
        run(repo, "commit", "-qm", f"c{number}")
    commits = run(repo, "rev-list", "--reverse", "HEAD").split()
    run(repo, "replace", commits[2], commits[0])
    run(repo, "config", "core.useReplaceRefs", "true")
    (repo / ".git" / "info" / "grafts").write_text(f"{commits[1]}\n")  # the second without a parent
    monkeypatch.setenv("GIT_CONFIG_PARAMETERS", "'core.usereplacerefs=true'")
    monkeypatch.setenv("GIT_REPLACE_REF_BASE", "refs/replace/")
    plain = subprocess.run(
        ["git", "log", "--format=%H %P %s"], cwd=repo, capture_output=True, text=True, check=True
    )
    assert plain.stdout.split("\n")[0].endswith(" c1")  # plain git shows the replacement
    return repo, commits


def test_replace_objects_and_grafts_are_ignored(disguised: tuple[Path, list[str]]) -> None:
    repo, commits = disguised
    assert git(["log", "--format=%s", "HEAD"], repo).split() == ["c3", "c2", "c1"]
    history = read_history(repo, "HEAD")
    assert [c.sha for c in history] == commits
    assert [c.parents for c in history] == [(), (commits[0],), (commits[1],)]
    assert b"c3" in read_objects(repo, [commits[2]])[commits[2]]
    assert is_ancestor(repo, commits[0], commits[2])


def test_git_prints_no_graft_hint(disguised: tuple[Path, list[str]]) -> None:
    from toolkit.repo.git import git_env

    repo, _commits = disguised
    read = subprocess.run(["git", "log", "-1"], cwd=repo, env=git_env(), capture_output=True, check=True)
    assert b"grafts" not in read.stderr

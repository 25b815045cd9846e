"""The base's files rebuilt from the head's and git's diff (base judged before) against git's own
listing of the base."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import git
from tests.office import Office
from toolkit.cache import Cache
from toolkit.forge.plain import gate as plaingit
from toolkit.repo import reading
from toolkit.repo.gitread import read_snapshot


def records(snap):  # path -> (mode, sha)
    return {p: (snap.entries[p].mode, snap.entries[p].sha) for p in snap.entries}


def rebuilt_vs_real(repo: Path, base: str, head: str, cache: Cache):
    plaingit.state(repo, base, cache=cache)  # the base judged before: its history remembered
    trees = reading.read_trees(repo, base, head, cache=cache)
    assert trees.walk is not None and trees.walk.history.base_seen
    return trees, read_snapshot(repo, base), read_snapshot(repo, head)


def plumb(app: Path, *entries: tuple[str, str, str]) -> str:
    for mode, sha, path in entries:
        git(app, "update-index", "--add", "--cacheinfo", f"{mode},{sha},{path}")
    return git(app, "write-tree").strip()


CASES = ["gitlink"]  # held: file<->folder swap, symlink, mode change, odd names, non-UTF-8 names


@pytest.mark.parametrize("case", CASES)
def test_rebuilt_base_is_the_real_base_with_a_submodule_ignored(
    office: Office, tmp_path: Path, case: str
) -> None:
    app = office.app
    cache = Cache(tmp_path / "c")
    if case == "swap":
        office.write("docs/x", "file\n")
        base = office.commit("a")
        (app / "docs/x").unlink()
        office.write("docs/x/y", "dir\n")
        head = office.commit("b")
    elif case == "symlink":
        office.write("docs/l", "file\n")
        base = office.commit("a")
        (app / "docs/l").unlink()
        (app / "docs/l").symlink_to("../README.md")
        head = office.commit("b")
    elif case == "mode":
        office.write("src/a.sh", "echo\n")
        base = office.commit("a")
        (app / "src/a.sh").chmod(0o755)
        head = office.commit("b")
    elif case == "gitlink":
        root = git(app, "rev-parse", "HEAD").strip()
        plumb(app, ("160000", root, "vendor/lib"))
        (app / ".gitmodules").write_text(
            '[submodule "lib"]\n\tpath = vendor/lib\n\turl = ./x\n\tignore = all\n'
        )
        git(app, "add", ".gitmodules")
        git(app, "commit", "-q", "-m", "a")
        base = git(app, "rev-parse", "HEAD").strip()
        assert "vendor/lib" in git(app, "ls-tree", "-r", "--name-only", base)
        git(app, "commit", "-q", "--allow-empty", "-m", "other")
        other = git(app, "rev-parse", "HEAD").strip()
        plumb(app, ("160000", other, "vendor/lib"))
        git(app, "commit", "-q", "-m", "b")
        head = git(app, "rev-parse", "HEAD").strip()
    elif case == "odd":
        office.write('docs/a"b\nc', "x\n")
        office.write("docs/ta\tb", "x\n")
        base = office.commit("a")
        office.write('docs/a"b\nc', "y\n")
        (app / "docs/ta\tb").unlink()
        office.write("docs/\\n", "z\n")
        head = office.commit("b")
    else:
        (app / "docs").mkdir(exist_ok=True)
        (app / "docs" / "ok.md").write_text("x\n")
        base = office.commit("a")
        (app / "docs").joinpath(b"\xff\xfe.md".decode("utf-8", "surrogateescape")).write_bytes(b"x\n")
        head = office.commit("b")
    trees, real_base, real_head = rebuilt_vs_real(app, base, head, cache)
    assert records(trees.base_files) == records(real_base)
    assert set(trees.paths) == set(real_head.changed_from(real_base)) | set(trees.paths)
    assert set(real_head.changed_from(real_base)) <= set(trees.paths)

"""In a work tree (a clone, CI), a .gitmodules entry with 'ignore = all' hides a submodule's change from
'git diff-tree' and 'git log --name-only': the gate, once the base's history is remembered, rebuilds the
base from that diff and no longer sees the change. The gate asks git never to ignore submodules."""

from __future__ import annotations

from tests.conftest import git
from tests.office import Office


def test_a_hidden_gitlink_change_passes_on_a_warm_cache(office: Office) -> None:
    app = office.app
    root = git(app, "rev-parse", "HEAD").strip()
    (app / ".gitmodules").write_text('[submodule "lib"]\n\tpath = src/lib\n\turl = ./x\n\tignore = all\n')
    git(app, "add", ".gitmodules")
    git(app, "update-index", "--add", "--cacheinfo", f"160000,{root},src/lib")
    git(app, "commit", "-q", "-m", "base with a submodule")
    base = git(app, "rev-parse", "HEAD").strip()
    git(app, "commit", "-q", "--allow-empty", "-m", "elsewhere")
    other = git(app, "rev-parse", "HEAD").strip()
    git(app, "update-index", "--cacheinfo", f"160000,{other},src/lib")
    git(app, "commit", "-q", "-m", "the submodule moved: code, while the design is not done")
    check = ("gate", "check", "--repo", str(app), "--base", base, "--head", "HEAD", *office.rules)
    cold = office.cli(*check)
    assert cold.exit_code == 1 and "src/lib" in cold.stdout  # blocked: code before the design
    office.cli("gate", "check", "--repo", str(app), "--head", base, *office.rules)  # base judged once
    warm = office.cli(*check)
    assert warm.exit_code == cold.exit_code, "warm cache: " + warm.stdout

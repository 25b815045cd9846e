"""Which merged pull requests' approvals can sign the files as they are: those that brought the last change
of each step's files, found from the first-parent line (pure, in memory)."""

from __future__ import annotations

from tests.conftest import ROOT
from toolkit import sop
from toolkit.evidence.model import CommitInfo
from toolkit.forge.github.sources import last_changes
from toolkit.forge.github.state import first_parent_line

SHIPPED = sop.load(ROOT / "sop.yaml")


def test_each_steps_last_change_and_nothing_older() -> None:
    line = [  # newest first
        ("m5", ("src/index.php",)),  # code: step 14 covers it
        ("m4", ("docs/07-skpl/skpl.md",)),
        ("m3", ("docs/07-skpl/skpl.md", "docs/08-dppl/dppl.md")),  # step 7 changed later: only 8 here
        ("m2", (".sop/roster.yaml",)),
        ("m1", ("docs/08-dppl/dppl.md", "src/old.php")),  # both changed later again
    ]
    assert last_changes(SHIPPED, line) == ["m5", "m4", "m3", "m2"]


def test_the_walk_stops_once_every_step_is_found() -> None:
    every = tuple(a.path.replace("*", "x") for step in SHIPPED.steps for a in step.artefacts)
    line = [("new", (*every, ".sop/sop.yaml", "src/a.php")), ("old", ("docs/07-skpl/skpl.md",))]
    assert last_changes(SHIPPED, line) == ["new"]


def _commit(sha: str, *parents: str) -> CommitInfo:
    return CommitInfo(sha, parents, (), 0, ())


def test_the_first_parent_line_leaves_merged_branches_out() -> None:
    history = (_commit("a"), _commit("b", "a"), _commit("x", "a"), _commit("m", "b", "x"), _commit("c", "m"))
    assert first_parent_line(history) == ["c", "m", "b", "a"]
    assert first_parent_line(history, "x") == ["x", "a"]  # a base's own line, inside a change's history
    assert first_parent_line(history, "elsewhere") == [] and first_parent_line(()) == []

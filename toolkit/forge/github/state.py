"""The state of every step on a GitHub repository's default branch: what the tracking issue, the release
gate and ``sopkit github state`` show.

On GitHub, squash and rebase merges re-create or drop commits, so sign-offs are the approvals of the pull
requests that merged into the branch. Each approval signs the content of the commit it was given on; the
merged commit stands in for it when GitHub says both have the same tree (a pull request brought up to date
before merging, as branch protection requires), and the commit itself is read from the checkout
otherwise. A step is complete when its files are exactly what the right roles approved (the same rule as
on the plain server: :func:`toolkit.gate.decide.step_reports`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from toolkit.cache import Cache
from toolkit.forge import judge
from toolkit.forge.github.sources import Approved, sources

if TYPE_CHECKING:
    from toolkit.forge.github.api import GitHub
    from toolkit.gate.model import Message, Report, Rules, View


def state(repo: Path, hub: GitHub, branch: str, rev: str = "HEAD", cache: Cache | None = None) -> Judged:
    """The state of ``rev`` (the default branch's tip, checked out with its whole history)."""
    from toolkit.gate import decide

    approved = [
        Approved(
            m.pull, m.merge_commit, m.merge_commit if m.head_tree and m.head_tree == m.merge_tree else None
        )
        for m in hub.merged_pulls(branch)
    ]
    notes: list[Message] = []
    rules, view = judge.view_of(repo, rev, None, cache or Cache.default(), sources(repo, approved, notes))
    report = decide.state(rules, view)
    return Judged(rules, view, report._replace(notes=(*report.notes, *dict.fromkeys(notes))))


class Judged(NamedTuple):
    rules: Rules
    view: View
    report: Report

"""Who GitHub links to commits beyond the e-mails git records: the accounts of their authors, co-authors
and committer. An address the roster does not know may be a member's personal one (GitHub's "Commit
suggestion" writes it as a co-author), so the own-work rule must know the account behind it, for the
judged pull request's commits and for the history its sign-offs cover alike."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from toolkit.forge.github.api import PAGE, Unreachable
from toolkit.i18n import _

if TYPE_CHECKING:
    from toolkit.forge.github.api import GitHub


class LinkedAccounts:
    """The accounts GitHub links to commits: those read already (``known``: what the audit read of merged
    pull requests' own commits), and those asked for, one commit of each group (its commits share their
    addresses, and GitHub links by address), 100 a query. ``queries``: the most queries it may make (the
    caller's call budget), ``None`` for no bound."""

    def __init__(
        self, hub: GitHub, known: Mapping[str, tuple[str, ...]] | None = None, queries: int | None = None
    ) -> None:
        self.hub = hub
        self.found: dict[str, tuple[str, ...]] = dict(known or {})
        self.queries = queries
        self.made = 0

    def __call__(self, commits: list[str], groups: list[list[str]]) -> dict[str, tuple[str, ...]]:
        """Every one of ``commits`` whose accounts are known, after asking GitHub about each of ``groups``
        that holds a commit not known yet (the answer for its first such commit is given to all of them).

        Fails closed (cannot decide) when that needs more queries than ``queries`` leaves: the calls must
        not grow with what a pull request's author pushes (600 commits under 600 made-up addresses)."""
        asked: dict[str, list[str]] = {}
        for group in groups:
            missing = [c for c in dict.fromkeys(group) if c not in self.found]
            if missing:
                asked.setdefault(missing[0], []).extend(missing)
        if not asked:
            return {c: self.found[c] for c in commits if c in self.found}
        needed = -(-len(asked) // PAGE)
        if self.queries is not None and self.made + needed > self.queries:
            raise Unreachable(
                _(
                    "cannot decide: {commits} commits under {sets} different sets of e-mail addresses the "
                    "roster does not know would have to be asked of GitHub (whose accounts they are, for the "
                    "own-work rule), more than the {most} sets one run may ask about; squash the commits "
                    "into fewer, or add the addresses that are members' to their entries in "
                    ".sop/roster.yaml; the gate blocks"
                ).format(
                    commits=sum(len(g) for g in asked.values()),
                    sets=len(asked),
                    most=max(self.queries - self.made, 0) * PAGE,
                )
            )
        answers = self.hub.linked_accounts(list(asked))
        self.made += needed
        for first, group in asked.items():
            self.found |= dict.fromkeys(group, answers[first])
        return {c: self.found[c] for c in commits if c in self.found}

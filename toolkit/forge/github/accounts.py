"""Who GitHub links to commits beyond the e-mails git records: the accounts of their authors, co-authors
and committer. An address the roster does not know may be a member's personal one (GitHub's "Commit
suggestion" writes it as a co-author), so the own-work rule must know the account behind it, for the
judged pull request's commits and for the history its sign-offs cover alike."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING

from toolkit.forge.github.api import PAGE, Unreachable
from toolkit.i18n import _

if TYPE_CHECKING:
    from toolkit.forge.github.api import GitHub


class LinkedAccounts:
    """The accounts GitHub links to commits: those read already (``known``: what the audit read of merged
    pull requests' own commits), and those asked for, one commit of each group (its commits share their
    addresses, and GitHub links by address), 100 a query.

    ``new`` and ``queries``: the commits a change brings and the most queries their groups may take (the
    gate's call budget). Groups of the default branch's history are asked whatever their number: each
    came through a pull request within that bound, and refusing them would leave every later sign-off
    undecidable for good (nobody can squash what the branch holds)."""

    def __init__(
        self,
        hub: GitHub,
        known: Mapping[str, tuple[str, ...]] | None = None,
        new: Collection[str] = (),
        queries: int = 0,
    ) -> None:
        self.hub = hub
        self.found: dict[str, tuple[str, ...]] = dict(known or {})
        self.new, self.queries = frozenset(new), queries

    def __call__(self, commits: list[str], groups: list[list[str]]) -> dict[str, tuple[str, ...]]:
        """Every one of ``commits`` whose accounts are known, after asking GitHub about each of ``groups``
        that holds a commit not known yet (the answer for its first such commit is given to all of them).

        Fails closed (cannot decide) when the groups holding commits of the change need more than
        ``queries``: the calls must not grow with what a pull request's author pushes (600 commits under
        600 made-up addresses)."""
        asked: dict[str, list[str]] = {}
        for group in groups:
            missing = [c for c in dict.fromkeys(group) if c not in self.found]
            if missing:
                asked.setdefault(missing[0], []).extend(missing)
        if not asked:
            return {c: self.found[c] for c in commits if c in self.found}
        brought = [group for group in asked.values() if not self.new.isdisjoint(group)]
        if len(brought) > self.queries * PAGE:
            raise Unreachable(
                _(
                    "cannot decide: the change brings {commits} commits under {sets} different sets of "
                    "e-mail addresses the roster does not know, which would have to be asked of GitHub "
                    "(whose accounts they are, for the own-work rule), more than the {most} sets one run may "
                    "ask about; squash the commits into fewer, or add the addresses that are members' to "
                    "their entries in .sop/roster.yaml; the gate blocks"
                ).format(commits=sum(len(g) for g in brought), sets=len(brought), most=self.queries * PAGE)
            )
        answers = self.hub.linked_accounts(list(asked))
        for first, group in asked.items():
            self.found |= dict.fromkeys(group, answers[first])
        return {c: self.found[c] for c in commits if c in self.found}

"""Who GitHub links to commits beyond the e-mails git records: the accounts of their authors, co-authors
and committer. An address the roster does not know may be a member's personal one (GitHub's "Commit
suggestion" writes it as a co-author), so the own-work rule must know the account behind it, for the
judged pull request's commits and for the history its sign-offs cover alike."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from toolkit.forge.github.api import GitHub


class LinkedAccounts:
    """The accounts GitHub links to commits: those read already (``known``: what the audit read of merged
    pull requests' own commits), and those asked for, each commit asked once (100 a query)."""

    def __init__(self, hub: GitHub, known: Mapping[str, tuple[str, ...]] | None = None) -> None:
        self.hub = hub
        self.found: dict[str, tuple[str, ...]] = dict(known or {})

    def __call__(self, commits: list[str], ask: list[str]) -> dict[str, tuple[str, ...]]:
        """Every one of ``commits`` whose accounts are known, after asking GitHub for those of ``ask``."""
        missing = [c for c in dict.fromkeys(ask) if c not in self.found]
        if missing:
            self.found |= self.hub.linked_accounts(missing)
        return {c: self.found[c] for c in commits if c in self.found}

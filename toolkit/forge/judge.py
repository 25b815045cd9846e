"""Judging a repository's commits, whatever the forge: read the change (:mod:`toolkit.repo.reading`),
gather the sign-offs from the source the forge passes in, and hand everything to the pure decision.

The plain server's sign-offs are SSH-signed commits timed by its push log; GitHub's are reviews too.
Both judge through :func:`change` and :func:`view_of`, so the rules cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.cache import Cache
from toolkit.repo.gitread import ZERO
from toolkit.repo.reading import read_commits, read_trees

if TYPE_CHECKING:
    from toolkit.evidence.model import CommitInfo, Signoff
    from toolkit.gate.model import Report, Rules, View
    from toolkit.repo.gather import SignoffSource

# The sign-offs of a view, given the rules that judge it and the commits the change brings.
Sources = Callable[["Rules", frozenset[str]], "SignoffSource"]
# Who a forge links to commits beyond their e-mails (GitHub: the accounts of their authors, co-authors and
# committer; see toolkit.repo.gather.Linked and linked_history).
Accounts = Callable[[list[str], list[list[str]]], Mapping[str, tuple[str, ...]]]


def signed_history(
    repo: Path,
    rules: Rules,
    history: tuple[CommitInfo, ...],
    source: SignoffSource,
    accounts: Accounts | None,
) -> tuple[tuple[CommitInfo, ...], tuple[Signoff, ...]]:
    """The sign-offs ``source`` finds in ``history`` (what it finds does not depend on who made which
    commit), and ``history`` with the identities the forge links to its commits (``accounts``), asked
    only up to the last commit a member's sign-off covers: only the own-work rule reads them, and it reads
    a sign-off's history up to its anchor. So a pull request of many commits no member signs off costs
    no question; one that a member does sign off is asked about (within the forge's bound)."""
    from toolkit.repo.gather import linked_history

    found = source(history)
    if accounts is None or not history:
        return history, found
    where = {c.sha: index for index, c in enumerate(history)}
    ends = [
        where.get(s.anchor, len(history) - 1)  # an anchor elsewhere: the own-work rule reads all
        for s in found
        if s.signer is not None and rules.roster.member(s.signer) is not None
    ]
    if not ends:
        return history, found
    return linked_history(repo, rules, history, accounts, max(ends) + 1), found


def view_of(
    repo: Path,
    rev: str,
    fallback: Rules | None,
    cache: Cache,
    sources: Sources,
    accounts: Accounts | None = None,
) -> tuple[Rules, View]:
    """The rules ``rev`` carries and the view of it."""
    from toolkit.repo.gather import policy_at, view_at

    trees = read_trees(repo, None, rev, rules_of=rev, cache=cache)
    rules = policy_at(repo, trees.head_files, fallback, trees.rules_blobs, cache)
    commits = read_commits(repo, trees, rules, cache)
    history, found = signed_history(repo, rules, commits.all, sources(rules, frozenset()), accounts)
    view = view_at(repo, rules, trees.head, found, trees.head_files, history, cache=cache)
    return rules, view


def change(
    repo: Path,
    base_rev: str | None,
    head_rev: str,
    sources: Sources,
    fallback: Rules | None = None,
    configured: dict[str, str] | None = None,
    cache: Cache | None = None,
    accounts: Accounts | None = None,
) -> Report:
    """The gate for the change ``base..head``, judged by the rules of the base (``fallback`` when the
    base has none, as on the first push of a new repository). ``accounts``: the identities the forge
    links to commits (GitHub's accounts), beside the e-mails git records."""
    from toolkit.gate import decide
    from toolkit.repo.gather import app_at, change_between, policy_at, view_at

    cache = cache or Cache.default()
    trees = read_trees(repo, base_rev if base_rev != ZERO else None, head_rev, cache=cache)
    if trees.base is None:  # a new repository: the server's own rules judge it
        rules = fallback if fallback is not None else policy_at(repo, trees.base_files, None, None, cache)
        if rules.app is None:  # and it names its application in its scaffold answers
            rules = rules._replace(app=app_at(repo, trees.head_files))
    else:
        rules = policy_at(repo, trees.base_files, fallback, trees.rules_blobs, cache)
    commits = read_commits(repo, trees, rules, cache)
    source = sources(rules, frozenset(c.sha for c in commits.all) - commits.known)
    history, signed = signed_history(repo, rules, commits.all, source, accounts)
    head = view_at(repo, rules, trees.head, signed, trees.head_files, history, cache=cache)
    base = None
    if trees.base is not None:
        if commits.rewritten:
            base = view_at(repo, rules, trees.base, source, trees.base_files, cache=cache)
        else:
            known = tuple(c for c in history if c.sha in commits.known)
            signoffs = tuple(s for s in head.signoffs if s.anchor in commits.known)
            base = view_at(repo, rules, trees.base, signoffs, trees.base_files, known, cache=cache)
    found = change_between(repo, trees.base, head, set(commits.known), trees.paths, configured)
    report = decide.decide_change(rules, base, head, found)
    if commits.rewritten and trees.base is not None:
        report = decide.history_rewritten(report, trees.base, trees.head)
    return report

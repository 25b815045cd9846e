"""The gate on a plain git repository: gather the inputs for a state report, a change or a release, and
hand them to the pure decision."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

from toolkit.evidence.signoffs import code_paths, digest_of
from toolkit.forge.gather import Policy, change_between, policy_at, view_at
from toolkit.forge.gitread import ZERO, changed_paths, is_ancestor, read_snapshot, resolve, rev_list
from toolkit.gate import decide
from toolkit.gate.model import Report, Violation
from toolkit.i18n import _


def state(repo: Path, rev: str, fallback: Policy | None = None) -> Report:
    head = resolve(repo, rev)
    snapshot = read_snapshot(repo, head)
    policy = policy_at(repo, snapshot, fallback)
    return decide.state(policy.sop, policy.roster, view_at(repo, policy, head, snapshot))


def check_change(
    repo: Path,
    base_rev: str | None,
    head_rev: str,
    fallback: Policy | None = None,
    configured: dict[str, str] | None = None,
    now: int | None = None,
) -> Report:
    """The gate for the change ``base..head``, judged by the policy of the base (``fallback`` when the
    base has none, as on the first push of a new repository)."""
    from concurrent.futures import ThreadPoolExecutor

    head = resolve(repo, head_rev)
    base = resolve(repo, base_rev) if base_rev and base_rev != ZERO else None
    with ThreadPoolExecutor(max_workers=2) as pool:
        # what the change touched and the base's history are read while the views are built
        paths = pool.submit(changed_paths, repo, base, head)
        known_later = pool.submit(rev_list, repo, base) if base else None
        return _check_change(
            repo,
            base,
            head,
            fallback,
            configured,
            now,
            paths.result,
            known_later.result if known_later else set,
        )


def _check_change(
    repo: Path,
    base: str | None,
    head: str,
    fallback: Policy | None,
    configured: dict[str, str] | None,
    now: int | None,
    paths: Callable[[], tuple[str, ...]],
    known_set: Callable[[], set[str]],
) -> Report:
    base_snapshot = read_snapshot(repo, base)
    if base is None:
        policy = fallback if fallback is not None else policy_at(repo, base_snapshot)
    else:
        policy = policy_at(repo, base_snapshot, fallback)
    head_view = view_at(repo, policy, head)
    base_view, known = None, set()
    fast_forward = True
    if base is not None:  # the base's history is the head's minus the change, when the base is an ancestor
        known = known_set()
        ancestry = tuple(c for c in head_view.commits if c.sha in known)
        fast_forward = len(ancestry) == len(known)
        base_view = view_at(repo, policy, base, base_snapshot, ancestry if fast_forward else None)
    when = int(now if now is not None else time.time())
    change = change_between(repo, base, head_view, when, configured, known, paths())
    report = decide.decide_change(policy.sop, policy.roster, base_view, head_view, change)
    if base is not None and not fast_forward:
        history = Violation(
            "history",
            _("the change rewrites history: {base} is not an ancestor of {head} (force push?)").format(
                base=base[:12], head=head[:12]
            ),
        )
        report = Report(report.steps, (history, *report.violations), report.kind)
    return report


def check_release(repo: Path, rev: str, fallback: Policy | None = None) -> Report:
    """The release gate for ``rev``: every step it needs complete, and the security sign-off covering
    exactly the released code."""
    head = resolve(repo, rev)
    snapshot = read_snapshot(repo, head)
    policy = policy_at(repo, snapshot, fallback)
    view = view_at(repo, policy, head, snapshot)
    released = digest_of(code_paths(policy.sop, snapshot), snapshot)
    tested = None
    for step in policy.sop.steps:
        named = view.fields.get(step.id, {}).get(step.tested_commit_field or "", "").strip()
        if step.tested_commit_field and named:
            tested = _tested_code(repo, policy, named, head)
    return decide.decide_release(policy.sop, policy.roster, view, tested, released)


def _tested_code(repo: Path, policy: Policy, named: str, head: str) -> str | None:
    """The code digest of the commit the test report names, if it is a commit in the released history."""
    from toolkit.errors import UserError

    if not re.fullmatch(r"[0-9a-f]{7,40}", named):  # a commit id, never a ref name like HEAD
        return None
    try:
        tested = resolve(repo, named)
    except UserError:
        return None
    if not is_ancestor(repo, tested, head):
        return None
    snapshot = read_snapshot(repo, tested)
    return digest_of(code_paths(policy.sop, snapshot), snapshot)

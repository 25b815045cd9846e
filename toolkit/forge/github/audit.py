"""``sopkit github audit``: is the default branch on GitHub really the product of pull requests that passed
the gate?

Every first-parent commit of the branch after those that made the repository (up to the one that first
brought the policy: GitHub's first commit and the scaffold ``sopkit github provision`` pushes) must have
come from a merged pull request (its merge commit, its
squashed commit, or one of its commits rebased); the pull request's head must carry a passing ``sop-gate``
check from the GitHub Actions app (an admin can merge without it); and its approvals, judged again by the
base's policy, must satisfy the gate (a gate workflow changed in the same pull request cannot vouch for
itself). A commit that reached the branch otherwise is a direct push. The branch protection and the release
path (the production environment deploying only ``v*`` tags, the ruleset letting only the policy owners
push them) are compared with what provisioning sets: any difference is drift. Org and repository admins are
trusted but audited: this is where what they did around the gate shows.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from toolkit.cache import Cache
from toolkit.forge import judge, pack
from toolkit.forge.github.accounts import LinkedAccounts
from toolkit.forge.github.desired import (
    ENVIRONMENT,
    RELEASE_TAGS,
    desired_teams,
    off_line_text,
    owner_team_drift,
    owner_teams,
    protection_gaps,
    tags_off_line,
)
from toolkit.forge.github.names import CHECK_NAME
from toolkit.forge.github.sources import listed, sources
from toolkit.gate.messages import violation_text
from toolkit.i18n import _
from toolkit.repo.git import git

if TYPE_CHECKING:
    from toolkit.forge.github.api import GitHub, Landing
    from toolkit.gate.model import Report, Rules


class Finding(NamedTuple):
    commit: str
    kind: str  # direct-push, gate-not-passed, not-approved, not-on-branch, protection-drift, team-drift,
    # release-tag
    pull: int | None
    message: str


class Audit(NamedTuple):
    repository: str
    branch: str
    tip: str
    findings: tuple[Finding, ...]
    pulls: int  # pull requests re-verified
    state: Report


def audit(repo: Path, hub: GitHub, branch: str, cache: Cache | None = None) -> Audit:
    """Audit ``branch`` as the checkout's ``origin/<branch>`` has it (fetched with its whole history)."""
    from toolkit.errors import UserError
    from toolkit.forge.github.state import approval_of, state
    from toolkit.repo.gitread import ref_tip

    cache = cache or Cache.default()
    tip = ref_tip(repo, f"refs/remotes/origin/{branch}")  # exactly that ref: a tag cannot stand in
    if tip is None:
        raise UserError(
            _(
                "cannot audit: the checkout {repo} has no branch origin/{branch}; clone the repository "
                "or run git fetch origin, and check --branch"
            ).format(repo=repo, branch=branch)
        )
    line = git(["rev-list", "--first-parent", "--reverse", tip], repo).split()
    position = {commit: index for index, commit in enumerate(line)}
    findings: list[Finding] = []
    claimed: dict[str, int] = {}
    landings = hub.landings(branch)
    # every merged pull request's approvals: those merged before one completed its base's steps
    approved = [approval_of(m.merged) for m in landings]
    found = sources(repo, listed(approved), [])  # one source for every judgement: files read once
    on_line = [m for m in landings if m.merged.merge_commit in position]
    brought = {m.merged.pull.number: _brought(repo, line, position, m) for m in on_line}
    # the tip first: its history holds every commit judged below, so GitHub is asked about each once
    linked = LinkedAccounts(hub, _writers(hub, on_line, brought))
    judged = state(repo, hub, branch, tip, cache, accounts=linked)
    for landing in landings:
        merged = landing.merged
        number = merged.pull.number
        if number not in brought:
            said = _(
                "pull request #{number} was merged, but its commit {commit} is no longer on {branch} (the "
                "branch was rewritten)"
            ).format(number=number, commit=merged.merge_commit[:12], branch=branch)
            findings.append(Finding(merged.merge_commit, "not-on-branch", number, said))
            continue
        claimed.update((commit, number) for commit in brought[number])
        start = position[brought[number][0]]
        findings += _judged(repo, landing, line[start - 1] if start else None, found, cache, linked)
    for commit in line[_created(repo, line) :]:
        if commit not in claimed:
            said = _(
                "commit {commit} reached {branch} without a pull request (a direct push, or a push by an "
                "admin around the protection)"
            ).format(commit=commit[:12], branch=branch)
            findings.append(Finding(commit, "direct-push", None, said))
    gaps = protection_gaps(hub.protection(branch))
    if gaps:
        said = _("the protection of {branch} has drifted: it lacks {gaps}").format(
            branch=branch, gaps="; ".join(gaps)
        )
        findings.append(Finding(tip, "protection-drift", None, said))
    release_gaps = hub.release_path(owner_teams(judged.rules.sop))
    if release_gaps:
        said = _(
            "the release path (environment {env}, who may push tags {tags}) has drifted: it lacks {gaps}"
        )
        said = said.format(env=ENVIRONMENT, tags=RELEASE_TAGS, gaps="; ".join(release_gaps))
        findings.append(Finding(tip, "protection-drift", None, said))
    findings += _owner_teams(hub, judged.rules, tip)
    tags = hub.release_tags()
    for name in tags_off_line(tags, line):
        findings.append(Finding(tags[name], "release-tag", None, off_line_text(name, tags[name], branch)))
    return Audit(hub.full_name, branch, tip, tuple(findings), len(landings), judged.report)


def _owner_teams(hub: GitHub, rules: Rules, tip: str) -> list[Finding]:
    """The policy owners' teams decide who may push release tags: their members on GitHub against the
    roster's holders of those roles today (the office's day)."""
    import time

    from toolkit.evidence.roster import office_day

    today = office_day(int(time.time()), rules.sop.settings.timezone)
    slugs = owner_teams(rules.sop)
    wanted = [team for team in desired_teams(rules.sop, rules.roster, today) if team.slug in slugs]
    gaps = owner_team_drift(wanted, hub.team_members(tuple(team.slug for team in wanted)))
    if not gaps:
        return []
    said = _("the policy owners' teams, who alone may push tags {tags}, differ from the roster: {gaps}")
    return [Finding(tip, "team-drift", None, said.format(tags=RELEASE_TAGS, gaps="; ".join(gaps)))]


def _created(repo: Path, line: list[str]) -> int:
    """How many first-parent commits made the repository: up to the one that first brought the policy
    (GitHub's first commit and the scaffold ``sopkit github provision`` pushes on it)."""
    from toolkit.paths import POLICY_FILE

    for index, commit in enumerate(line):
        if git(["ls-tree", "--name-only", commit, "--", POLICY_FILE], repo).strip():
            return index + 1
    return 1  # no policy anywhere: only the first commit is taken as the repository's making


def _brought(repo: Path, line: list[str], position: dict[str, int], landing: Landing) -> list[str]:
    """The first-parent commits a merged pull request brought: its merge or squashed commit, or its own
    commits rebased (recognised by author, authoring date and message, in order)."""
    merged = landing.merged
    end = position[merged.merge_commit]
    count = landing.commit_count
    if count <= 1 or len(landing.commits) != count or end + 1 < count:
        return [merged.merge_commit]
    candidates = line[end + 1 - count : end + 1]
    raw = git(["log", "--no-walk=unsorted", "--format=%H%x1f%ae%x1f%aI%x1f%B%x1e", *candidates], repo)
    seen = {}
    for record in raw.split("\x1e"):
        if record.strip():
            sha, email, date, message = record.strip("\n").split("\x1f", 3)
            seen[sha] = (email.lower(), date, message.strip())
    own = [(email, date, message.strip()) for _oid, email, date, message in landing.commits]
    rebased = [seen.get(c) for c in candidates]
    if all(r is not None and _same(r, o) for r, o in zip(rebased, own, strict=True)):
        return candidates
    return [merged.merge_commit]


def _same(rebased: tuple[str, str, str], own: tuple[str, str, str]) -> bool:
    from datetime import datetime

    def instant(text: str) -> float:
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return float("nan")

    return rebased[0] == own[0] and rebased[2] == own[2] and instant(rebased[1]) == instant(own[1])


def _writers(
    hub: GitHub, landings: list[Landing], brought: dict[int, list[str]]
) -> dict[str, tuple[str, ...]]:
    """Who wrote each merged pull request, as its own commits say (their authors' addresses, the
    co-authors they name, the accounts GitHub links to them), given to every commit it brought: a squash
    merge whose message was edited, or a rebase, keeps none of it in the branch's history, and own work
    must still be seen in every later sign-off that covers it."""
    from toolkit.evidence.identity import with_accounts

    accounts = hub.linked_accounts([c[0] for m in landings for c in m.commits])
    found: dict[str, tuple[str, ...]] = {}
    for landing in landings:
        people: list[str] = []
        for oid, email, _authored, message in landing.commits:
            named = [
                e
                for line in message.splitlines()
                if "co-authored-by" in line.lower()
                for e in _EMAIL.findall(line)
            ]
            people += [*with_accounts([email, *(e.lower() for e in named)]), *accounts.get(oid, ())]
        for commit in brought[landing.merged.pull.number]:
            found[commit] = tuple(dict.fromkeys(p for p in people if p))
    return found


_EMAIL = re.compile(r"<([^<>@\s]+@[^<>\s]+)>")


def _judged(
    repo: Path, landing: Landing, base: str | None, found: judge.Sources, cache: Cache, linked: LinkedAccounts
) -> list[Finding]:
    merged = landing.merged
    number, commit = merged.pull.number, merged.merge_commit
    findings = []
    if landing.gate != "success":
        who = landing.merged_by or "?"
        said = _(
            "pull request #{number} was merged by @{who} without a passing {check} check from GitHub Actions "
            "on its head"
        ).format(number=number, who=who, check=CHECK_NAME)
        findings.append(Finding(commit, "gate-not-passed", number, said))
    report = judge.change(repo, base, commit, found, cache=cache, accounts=linked)
    if not report.passed:
        why = "; ".join(violation_text(v) for v in report.violations)
        said = _("pull request #{number}, judged again by its base's policy, does not pass: {why}")
        findings.append(Finding(commit, "not-approved", number, said.format(number=number, why=why)))
    return findings


def write_pack(result: Audit, out: Path) -> None:
    """The evidence pack: the step table, the findings, and each merged pull request as judged."""
    from toolkit.gate.render import as_dict, as_markdown

    files = {
        "state.json": pack.as_json(as_dict(result.state)),
        "state.md": as_markdown(result.state).encode(),
        "findings.json": pack.as_json([f._asdict() for f in result.findings]),
    }
    pack.write_pack(
        out,
        files,
        repository=result.repository,
        branch=result.branch,
        tip=result.tip,
        findings=len(result.findings),
        pull_requests=result.pulls,
    )

"""GitHub's rules, kept simple but real: branch protection on pushes and merges (required checks from the
right app, approving reviews, code owners, last-push approval, admins), tag rulesets on pushes (creation,
update, deletion, non-fast-forward; bypass by team, user or organisation admin), CODEOWNERS, and the three
merge methods written with git."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tests.standin.gitstore import Person
from tests.standin.state import PullRequest, Repo, Ruleset, User, now
from toolkit.sop.globs import compile_pattern

if TYPE_CHECKING:
    from tests.standin.world import World

ZERO = "0" * 40
CODEOWNERS_PLACES = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
WEB_FLOW = ("GitHub", "noreply@github.com")
PASSING = {"success", "neutral", "skipped"}


class Refusal(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# ---- CODEOWNERS
@dataclass(frozen=True)
class OwnerRule:
    patterns: tuple[str, ...]
    owners: tuple[str, ...]


def codeowners_rules(text: str) -> list[OwnerRule]:
    rules = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        pattern, *owners = line.split()
        rules.append(OwnerRule(_owner_patterns(pattern), tuple(owners)))
    return rules


def _owner_patterns(pattern: str) -> tuple[str, ...]:
    """CODEOWNERS patterns follow gitignore: anchored when they hold a ``/`` (other than a trailing one),
    else matched at any depth; a folder owns everything below it."""
    folder = pattern.endswith("/")
    body = pattern.strip("/")
    if "/" not in body:
        body = f"**/{body}"
    if folder:
        return (f"{body}/**",)
    return (body, f"{body}/**")


def owners_of(rules: list[OwnerRule], path: str) -> tuple[str, ...]:
    """The owners of ``path``: the last rule that matches wins."""
    owners: tuple[str, ...] = ()
    for rule in rules:
        if any(compile_pattern(p).match(path) for p in rule.patterns):
            owners = rule.owners
    return owners


def read_codeowners(repo: Repo, commit: str) -> list[OwnerRule]:
    for place in CODEOWNERS_PLACES:
        entry = repo.git.entry(commit, place)
        if entry is not None and entry.type == "blob":
            return codeowners_rules(repo.git.read_blob(entry.sha).decode(errors="replace"))
    return []


# ---- protection
def protection_of(repo: Repo, branch: str) -> dict[str, Any] | None:
    return repo.protection.get(branch)


def enforced_for(world: World, repo: Repo, rules: dict[str, Any], user: User | None) -> bool:
    """Protection binds everyone but admins, and admins too when ``enforce_admins`` is on."""
    if rules.get("enforce_admins"):
        return True
    return user is not None and not world.can(repo, user, "admin")


# ---- rulesets
def _ref_pattern(pattern: str) -> re.Pattern[str]:
    """A ruleset's ref pattern (fnmatch: ``*`` stops at ``/``, ``**`` does not)."""
    parts = re.split(r"(\*\*|\*|\?)", pattern)
    wild = {"**": ".*", "*": "[^/]*", "?": "[^/]"}
    return re.compile("".join(wild.get(part) or re.escape(part) for part in parts) + r"\Z")


def ruleset_applies(ruleset: Ruleset, ref: str) -> bool:
    names = (ruleset.conditions or {}).get("ref_name") or {}
    included = any(_ref_pattern(p).match(ref) for p in names.get("include") or [])
    return included and not any(_ref_pattern(p).match(ref) for p in names.get("exclude") or [])


def may_bypass(world: World, repo: Repo, ruleset: Ruleset, user: User | None) -> bool:
    if user is None:
        return False
    org = world.orgs.get(repo.owner.login)
    for actor in ruleset.bypass_actors:
        kind, number = actor.get("actor_type"), actor.get("actor_id")
        if kind == "User" and user.id == number:
            return True
        if kind == "Team" and any(t.id == number and user.login in t.members for t in world.teams.values()):
            return True
        if kind == "OrganizationAdmin" and org is not None and user.login in org.owners:
            return True
    return False


def ruleset_refusal(
    world: World, repo: Repo, ref: str, old: str, new: str, pusher: User | None
) -> str | None:
    """Why the active rulesets refuse a push of ``ref`` (branch and tag rulesets alike)."""
    target = "tag" if ref.startswith("refs/tags/") else "branch" if ref.startswith("refs/heads/") else None
    broken: list[str] = []
    for ruleset in repo.rulesets:
        if ruleset.target != target or ruleset.enforcement != "active" or not ruleset_applies(ruleset, ref):
            continue
        if may_bypass(world, repo, ruleset, pusher):
            continue
        kinds = {rule.get("type") for rule in ruleset.rules}
        if old == ZERO and "creation" in kinds:
            broken.append("Cannot create ref due to creations being restricted.")
        if new == ZERO and "deletion" in kinds:
            broken.append("Cannot delete this ref due to deletions being restricted.")
        if ZERO not in (old, new):
            if "update" in kinds:
                broken.append("Cannot update this protected ref.")
            if "non_fast_forward" in kinds and not repo.git.is_ancestor(old, new):
                broken.append("Cannot force-push to this ref.")
    if not broken:
        return None
    lines = "\n".join(f"- {line}" for line in dict.fromkeys(broken))
    return f"GH013: Repository rule violations found for {ref}.\n{lines}"


def refuse_push(world: World, repo: Repo, ref: str, old: str, new: str, pusher: User | None) -> str | None:
    """Why a push of ``ref`` from ``old`` to ``new`` is refused, or None. A push without a named pusher is
    the test's own set-up: rulesets are not applied to it."""
    if pusher is not None:
        refused = ruleset_refusal(world, repo, ref, old, new, pusher)
        if refused:
            return refused
    if not ref.startswith("refs/heads/"):
        return None
    branch = ref.removeprefix("refs/heads/")
    rules = protection_of(repo, branch)
    if rules is None:
        return None
    prefix = f"GH006: Protected branch update failed for {ref}."
    if new == ZERO:
        return None if rules.get("allow_deletions") else f"{prefix}\nCannot delete this protected branch."
    if old != ZERO and not repo.git.is_ancestor(old, new) and not rules.get("allow_force_pushes"):
        return f"{prefix}\nCannot force-push to this branch."
    gated = rules.get("required_pull_request_reviews") is not None or rules.get("required_status_checks")
    if gated and enforced_for(world, repo, rules, pusher):
        return f"{prefix}\nChanges must be made through a pull request."
    return None


def merge_blockers(world: World, repo: Repo, pr: PullRequest, user: User) -> list[str]:
    """Why the base's protection refuses to merge ``pr`` for ``user`` (empty: it may merge)."""
    rules = protection_of(repo, pr.base)
    if rules is None or not enforced_for(world, repo, rules, user):
        return []
    blockers: list[str] = []
    checks = rules.get("required_status_checks")
    if checks:
        for check in checks["checks"]:
            state = _check_state(repo, pr.head_sha, check["context"], check.get("app_id"))
            if state != "success":
                word = "expected" if state is None else "failing"
                blockers.append(f'Required status check "{check["context"]}" is {word}.')
    reviews = rules.get("required_pull_request_reviews")
    if reviews is not None:
        blockers += _review_blockers(world, repo, pr, reviews)
    return blockers


def _check_state(repo: Repo, sha: str, context: str, app_id: int | None) -> str | None:
    """The latest result for ``context`` on ``sha`` from the bound app (any source when unbound)."""
    bound = app_id not in (None, -1)
    runs = [r for r in repo.check_runs if r.head_sha == sha and r.name == context]
    runs = [r for r in runs if not bound or (r.app is not None and r.app.id == app_id)]
    statuses = [s for s in repo.statuses if s.sha == sha and s.context == context]
    statuses = [s for s in statuses if not bound or (s.app is not None and s.app.id == app_id)]
    if runs:
        run = max(runs, key=lambda r: r.id)
        if run.status != "completed":
            return "pending"
        return "success" if run.conclusion in PASSING else "failure"
    if statuses:
        return max(statuses, key=lambda s: s.id).state
    return None


def latest_reviews(pr: PullRequest) -> dict[str, str]:
    """Each reviewer's standing review state (a COMMENTED review changes nothing)."""
    standing: dict[str, str] = {}
    for review in pr.reviews:
        if review.state != "COMMENTED":
            standing[review.user.login] = review.state
    return standing


def _review_blockers(world: World, repo: Repo, pr: PullRequest, rules: dict[str, Any]) -> list[str]:
    standing = latest_reviews(pr)
    users = {r.user.login: r.user for r in pr.reviews}
    approvers = {
        login
        for login, state in standing.items()
        if state == "APPROVED" and world.can(repo, users[login], "write")
    }
    if rules.get("require_last_push_approval") and pr.last_pusher:
        approvers.discard(pr.last_pusher)
    blockers = []
    if any(state == "CHANGES_REQUESTED" for state in standing.values()):
        blockers.append("Changes must be made if you want to merge.")
    needed = int(rules.get("required_approving_review_count") or 0)
    if len(approvers) < needed:
        blockers.append(
            f"At least {needed} approving review{'s are' if needed > 1 else ' is'} required by reviewers "
            "with write access."
        )
    if rules.get("require_code_owner_reviews"):
        base_tip = repo.git.rev(pr.base) or pr.base_sha
        owner_rules = read_codeowners(repo, base_tip)
        waiting: set[str] = set()
        for change in world.pr_changes(repo, pr):
            for path in filter(None, (change.path, change.previous)):
                owners = owners_of(owner_rules, path)
                if owners and not any(_owns(world, o, approvers) for o in owners):
                    waiting.update(owners)
        if waiting:
            blockers.append(f"Waiting on code owner review from {', '.join(sorted(waiting))}.")
    return blockers


def _owns(world: World, owner: str, approvers: set[str]) -> bool:
    name = owner.lstrip("@")
    if "/" in name:
        org, slug = name.split("/", 1)
        team = world.teams.get((org, slug))
        return team is not None and bool(approvers & set(team.members))
    return name in approvers


# ---- merging
def merge(
    world: World,
    repo: Repo,
    pr: PullRequest,
    user: User,
    method: str,
    *,
    sha: str | None = None,
    title: str | None = None,
    message: str | None = None,
) -> str:
    """Merge ``pr`` as GitHub does and return the new base tip; a :class:`Refusal` says why not."""
    if pr.merged or pr.issue.state != "open":
        raise Refusal(405, "Pull Request is not mergeable")
    if sha and sha != pr.head_sha:
        raise Refusal(409, "Head branch was modified. Review and try the merge again.")
    if method not in ("merge", "squash", "rebase"):
        raise Refusal(422, f"Invalid merge_method {method!r}")
    if not repo.settings[f"allow_{'merge_commit' if method == 'merge' else method + '_merge'}"]:
        word = {"merge": "Merge commits", "squash": "Squash merges", "rebase": "Rebase merges"}[method]
        raise Refusal(405, f"{word} are not allowed on this repository.")
    blockers = merge_blockers(world, repo, pr, user)
    if blockers:
        raise Refusal(405, "Repository rule violations found\n\n" + "\n".join(blockers))
    base_tip = repo.git.rev(pr.base)
    if base_tip is None:
        raise Refusal(422, "Base branch was deleted")
    commits = world.pr_commits(repo, pr)
    when = now()
    if method == "rebase":
        new_tip, landed = _rebase(repo, commits, base_tip, Person(*WEB_FLOW, when))
    else:
        new_tip = _merge_commit(repo, pr, user, method, base_tip, commits, when, title, message)
        landed = [new_tip]
    repo.git.update_ref(f"refs/heads/{pr.base}", new_tip, base_tip)
    pr.commits = commits
    pr.landed = landed
    pr.merged = True
    pr.merged_at = when
    pr.merged_by = user
    pr.merge_commit_sha = new_tip
    pr.issue.state = "closed"
    pr.issue.closed_at = when
    pr.issue.updated_at = when
    world.on_branch_moved(repo, pr.base, new_tip, user.login)
    still_a_base = any(p.base == pr.head and p.issue.state == "open" for p in repo.pulls())
    if repo.settings["delete_branch_on_merge"] and pr.head != repo.default_branch and not still_a_base:
        repo.git.delete_ref(f"refs/heads/{pr.head}")
    return new_tip


def _merge_commit(
    repo: Repo,
    pr: PullRequest,
    user: User,
    method: str,
    base_tip: str,
    commits: list[str],
    when: str,
    title: str | None,
    message: str | None,
) -> str:
    """A merge commit (parents: base tip, head) or a squash commit (parent: base tip, author: the pull
    request's author), committed by GitHub's web flow."""
    tree = repo.git.merged_tree(base_tip, pr.head_sha)
    if tree is None:
        raise Refusal(405, "Pull Request is not mergeable")
    if method == "merge":
        author = Person(user.name or user.login, user.email or f"{user.login}@users.noreply.example", when)
        text = title or f"Merge pull request #{pr.issue.number} from {repo.owner.login}/{pr.head}"
        body = message if message is not None else pr.issue.title
        parents = [base_tip, pr.head_sha]
    else:
        opener = pr.issue.user
        author = Person(opener.name or opener.login, opener.email or "", when)
        text = title or f"{pr.issue.title} (#{pr.issue.number})"
        listed = "\n\n".join(f"* {repo.git.commit(c).message}" for c in commits)
        body = message if message is not None else listed
        parents = [base_tip]
    committer = Person(*WEB_FLOW, when)
    return repo.git.commit_tree(tree, parents, f"{text}\n\n{body}".strip() + "\n", author, committer)


def _rebase(repo: Repo, commits: list[str], onto: str, committer: Person) -> tuple[str, list[str]]:
    """Each commit re-created on ``onto`` with its own author and message, by a new committer."""
    tip = onto
    landed = []
    for sha in commits:
        info = repo.git.commit(sha)
        if len(info.parents) > 1:
            raise Refusal(405, "This branch can't be rebased")
        base = info.parents[0] if info.parents else None
        tree = repo.git.merged_tree(tip, sha, base) if base else info.tree
        if tree is None:
            raise Refusal(405, "This branch can't be rebased")
        tip = repo.git.commit_tree(tree, [tip], info.message + "\n", info.author, committer)
        landed.append(tip)
    return tip, landed

"""What the stand-in remembers: accounts, tokens, repositories and everything in them. Plain data; the
rules GitHub applies to it live in ``rules.py``, the JSON it answers with in ``factories.py``."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any

from tests.standin.gitstore import GitStore

ACTIONS_APP_ID = 15368
ACTIONS_APP_SLUG = "github-actions"
PLANS = ("free", "team", "enterprise")
PERMISSIONS = ("none", "read", "triage", "write", "maintain", "admin")
# branch protection's on/off settings, enforce_admins first
PROTECTION_FLAGS = (
    "enforce_admins",
    "required_linear_history",
    "allow_force_pushes",
    "allow_deletions",
    "block_creations",
    "required_conversation_resolution",
    "lock_branch",
    "allow_fork_syncing",
)


def now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class User:
    id: int
    login: str
    name: str | None
    email: str | None
    type: str = "User"  # User, Organization, Bot
    created_at: str = field(default_factory=now)


@dataclass
class App:
    id: int
    slug: str
    name: str
    owner: str


@dataclass
class Token:
    """Who a request acts as: a user, or an app installed on one repository (``repo`` is its full name)."""

    user: User
    app: App | None = None
    repo: str | None = None


@dataclass
class Org:
    user: User  # the organization's account (type Organization)
    plan: str
    owners: set[str] = field(default_factory=set)
    members: set[str] = field(default_factory=set)
    rulesets: bool = True  # False: the plan (or server) lacks repository rulesets, answered 403


@dataclass
class Team:
    id: int
    org: str
    name: str
    slug: str
    description: str | None
    privacy: str
    permission: str
    members: dict[str, str] = field(default_factory=dict)  # login -> member / maintainer
    repos: dict[str, str] = field(default_factory=dict)  # full name -> permission
    created_at: str = field(default_factory=now)
    updated_at: str = field(default_factory=now)


@dataclass
class Label:
    id: int
    name: str
    color: str
    description: str | None
    created_at: str = field(default_factory=now)
    updated_at: str = field(default_factory=now)


@dataclass
class Comment:
    id: int
    user: User
    body: str
    created_at: str = field(default_factory=now)
    updated_at: str = field(default_factory=now)
    edited_at: str | None = None  # the body's last edit (GraphQL lastEditedAt)
    editor: User | None = None


@dataclass
class IssueEvent:
    id: int
    actor: User
    event: str  # labeled, unlabeled, closed, reopened, pinned, comment_deleted, ...
    label: str | None = None  # its name when the event happened (REST timelines keep it, renamed or not)
    created_at: str = field(default_factory=now)
    deleted_author: User | None = None  # comment_deleted: who wrote the comment


@dataclass
class Issue:
    """An issue, or the issue half of a pull request (``pull`` set)."""

    id: int
    number: int
    title: str
    body: str | None
    user: User
    state: str = "open"
    state_reason: str | None = None
    labels: list[str] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    events: list[IssueEvent] = field(default_factory=list)
    pinned: bool = False
    created_at: str = field(default_factory=now)
    updated_at: str = field(default_factory=now)
    closed_at: str | None = None
    pull: PullRequest | None = None
    edited_at: str | None = None  # the body's last edit (GraphQL lastEditedAt)
    editor: User | None = None  # who made it


@dataclass
class Review:
    id: int
    user: User
    state: str  # APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED
    commit_id: str
    body: str
    submitted_at: str = field(default_factory=now)


@dataclass
class PullRequest:
    id: int
    issue: Issue
    head: str  # branch name in the same repository
    base: str
    head_sha: str
    base_sha: str  # the base tip when last computed (GitHub moves it with the branch)
    draft: bool = False
    maintainer_can_modify: bool = False
    reviews: list[Review] = field(default_factory=list)
    merged: bool = False
    merged_at: str | None = None
    merged_by: User | None = None
    merge_commit_sha: str | None = None
    landed: list[str] = field(default_factory=list)  # commits the merge put on the base
    commits: list[str] = field(default_factory=list)  # the head's commits, kept after the merge
    last_pusher: str | None = None


@dataclass
class Annotation:
    path: str
    start_line: int
    end_line: int
    annotation_level: str
    message: str
    title: str | None = None


@dataclass
class CheckRun:
    id: int
    name: str
    head_sha: str
    app: App | None
    status: str = "queued"
    conclusion: str | None = None
    started_at: str | None = None
    completed_at: str | None = None
    external_id: str | None = None
    details_url: str | None = None
    title: str | None = None
    summary: str | None = None
    text: str | None = None
    annotations: list[Annotation] = field(default_factory=list)
    suite_id: int = 0


@dataclass
class Status:
    id: int
    sha: str
    state: str
    context: str
    description: str | None
    target_url: str | None
    creator: User
    app: App | None
    created_at: str = field(default_factory=now)


@dataclass
class Environment:
    id: int
    name: str
    reviewers: list[tuple[str, str]] = field(default_factory=list)  # (User|Team, login|slug)
    prevent_self_review: bool = False
    wait_timer: int = 0
    # deployment_branch_policy: None (any branch), or {protected_branches, custom_branch_policies}
    branch_policy: dict[str, bool] | None = None
    policies: list[DeploymentPolicy] = field(default_factory=list)  # custom branch and tag policies
    created_at: str = field(default_factory=now)
    updated_at: str = field(default_factory=now)


@dataclass
class DeploymentPolicy:
    id: int
    name: str  # a name pattern (fnmatch), * not crossing /
    type: str  # branch or tag


@dataclass
class Ruleset:
    id: int
    name: str
    target: str  # branch, tag, push
    enforcement: str  # disabled, active, evaluate
    bypass_actors: list[dict[str, Any]] = field(default_factory=list)  # as the request gave them
    conditions: dict[str, Any] = field(default_factory=dict)  # {"ref_name": {"include": [], "exclude": []}}
    rules: list[dict[str, Any]] = field(default_factory=list)  # {"type": ..., "parameters": ...}
    created_at: str = field(default_factory=now)
    updated_at: str = field(default_factory=now)


@dataclass
class Advisory:
    ghsa_id: str
    summary: str
    description: str
    severity: str | None
    author: User
    created_at: str = field(default_factory=now)


@dataclass
class Repo:
    id: int
    owner: User
    name: str
    git: GitStore
    private: bool = True
    description: str | None = None
    default_branch: str = "main"
    archived: bool = False
    settings: dict[str, Any] = field(
        default_factory=lambda: {
            "allow_merge_commit": True,
            "allow_squash_merge": True,
            "allow_rebase_merge": True,
            "allow_auto_merge": False,
            "delete_branch_on_merge": False,
            "has_issues": True,
            "has_projects": True,
            "has_wiki": True,
        }
    )
    collaborators: dict[str, str] = field(default_factory=dict)  # login -> permission
    labels: dict[str, Label] = field(default_factory=dict)  # lower-case name -> label
    issues: dict[int, Issue] = field(default_factory=dict)
    protection: dict[str, dict[str, Any]] = field(default_factory=dict)  # branch -> settings as stored
    environments: dict[str, Environment] = field(default_factory=dict)
    rulesets: list[Ruleset] = field(default_factory=list)
    check_runs: list[CheckRun] = field(default_factory=list)
    statuses: list[Status] = field(default_factory=list)
    advisories: list[Advisory] = field(default_factory=list)
    created_at: str = field(default_factory=now)
    updated_at: str = field(default_factory=now)
    pushed_at: str = field(default_factory=now)

    @property
    def full_name(self) -> str:
        return f"{self.owner.login}/{self.name}"

    def pulls(self) -> list[PullRequest]:
        return [issue.pull for issue in self.issues.values() if issue.pull is not None]


class Ids:
    """GitHub's ids are large and unique across kinds; one counter serves them all."""

    def __init__(self) -> None:
        self._next = itertools.count(1000)

    def __call__(self) -> int:
        return next(self._next)

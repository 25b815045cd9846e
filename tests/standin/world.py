"""The stand-in's whole state and the questions GitHub answers from it: who a token is, what permission a
user holds on a repository, what a pull request contains, what happens when a branch moves."""

from __future__ import annotations

import secrets
import threading
from pathlib import Path
from typing import Any

from tests.standin.gitstore import FileChange, GitStore
from tests.standin.state import (
    ACTIONS_APP_ID,
    ACTIONS_APP_SLUG,
    PERMISSIONS,
    PLANS,
    App,
    Ids,
    Org,
    PullRequest,
    Repo,
    Team,
    Token,
    User,
    now,
)


class World:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.lock = threading.RLock()
        self.ids = Ids()
        self.users: dict[str, User] = {}
        self.orgs: dict[str, Org] = {}
        self.apps: dict[int, App] = {}
        self.tokens: dict[str, Token] = {}
        self.repos: dict[str, Repo] = {}  # lower-case full name -> repository
        self.teams: dict[tuple[str, str], Team] = {}  # (org, slug) -> team
        self.api_url = ""
        self.web_url = ""
        self.host = ""
        self._pr_cache: dict[tuple[str, int, str, str], tuple[list[str], list[FileChange]]] = {}

    # ---- accounts
    def add_user(
        self, login: str, *, name: str | None = None, email: str | None = None, account_id: int | None = None
    ) -> str:
        with self.lock:
            if login.lower() in {u.lower() for u in self.users}:
                raise ValueError(f"user {login} exists")
            if account_id is not None and account_id in {u.id for u in self.users.values()}:
                raise ValueError(f"account {account_id} exists")
            number = self.ids() if account_id is None else account_id
            user = User(number, login, name or login, email or f"{login}@users.noreply.example")
            self.users[login] = user
            return self._token(Token(user))

    def add_org(self, login: str, *, plan: str = "team", owners: tuple[str, ...] | list[str] = ()) -> Org:
        if plan not in PLANS:
            raise ValueError(f"plan must be one of {PLANS}")
        with self.lock:
            user = User(self.ids(), login, login, None, type="Organization")
            self.users[login] = user
            org = Org(user, plan, set(owners), set(owners))
            self.orgs[login] = org
            return org

    def add_app(self, app_id: int, slug: str, name: str | None = None) -> App:
        with self.lock:
            owner = "github" if app_id == ACTIONS_APP_ID else f"{slug}-owner"
            app = self.apps.get(app_id) or App(app_id, slug, name or slug, owner=owner)
            self.apps[app_id] = app
            if owner not in self.users:
                self.users[owner] = User(self.ids(), owner, owner, None, type="Organization")
            if f"{slug}[bot]" not in self.users:
                self.users[f"{slug}[bot]"] = User(self.ids(), f"{slug}[bot]", None, None, type="Bot")
            return app

    def app_token(self, full_name: str, app_id: int, slug: str) -> str:
        """A token acting as app ``app_id`` installed on one repository (write access to it)."""
        app = self.add_app(app_id, slug)
        return self._token(Token(self.users[f"{slug}[bot]"], app=app, repo=self.repo(full_name).full_name))

    def actions_token(self, full_name: str) -> str:
        """The workflow's ``GITHUB_TOKEN``: the GitHub Actions app (15368) on that repository."""
        return self.app_token(full_name, ACTIONS_APP_ID, ACTIONS_APP_SLUG)

    def _token(self, token: Token) -> str:
        value = f"ghs_{secrets.token_hex(16)}" if token.app else f"ghp_{secrets.token_hex(16)}"
        self.tokens[value] = token
        return value

    def user_by_email(self, email: str) -> User | None:
        """The account an e-mail belongs to, as GitHub links commits: its own address, or one of its
        no-reply forms (``ID+login@users.noreply.github.com``, and the older ``login@...``)."""
        wanted = email.lower()
        for user in self.users.values():
            noreply = f"{user.login.lower()}@users.noreply.github.com"
            if wanted in {(user.email or "").lower(), noreply, f"{user.id}+{noreply}"}:
                return user
        return None

    # ---- repositories
    def repo(self, full_name: str) -> Repo:
        return self.repos[full_name.lower()]

    def create_repo(
        self,
        owner: str,
        name: str,
        *,
        private: bool = True,
        description: str | None = None,
        creator: User | None = None,
        default_branch: str = "main",
    ) -> Repo:
        with self.lock:
            path = self.root / "git" / owner / f"{name}.git"
            repo = Repo(
                self.ids(),
                self.users[owner],
                name,
                GitStore.create(path, default_branch),
                private=private,
                description=description,
                default_branch=default_branch,
            )
            self.repos[repo.full_name.lower()] = repo
            if creator is not None and creator.login != owner:
                repo.collaborators[creator.login] = "admin"
            from tests.standin import hooks

            hooks.install(self, repo)
            return repo

    def git_path(self, owner: str, name: str) -> Path:
        return self.repo(f"{owner}/{name}").git.path

    def permission(self, repo: Repo, user: User) -> str:
        """The highest of: owner, org owner, collaborator, team grants, the org's base permission."""
        token_apps = [t for t in self.tokens.values() if t.user is user and t.app is not None]
        if token_apps:
            return "write" if any(t.repo == repo.full_name for t in token_apps) else "none"
        levels = ["none"]
        org = self.orgs.get(repo.owner.login)
        if repo.owner is user or (org is not None and user.login in org.owners):
            levels.append("admin")
        if user.login in repo.collaborators:
            levels.append(repo.collaborators[user.login])
        if org is not None:
            if user.login in org.members:
                levels.append("read")
            for team in self.teams.values():
                if team.org == org.user.login and user.login in team.members and repo.full_name in team.repos:
                    levels.append(team.repos[repo.full_name])
        if not repo.private:
            levels.append("read")
        return max(levels, key=PERMISSIONS.index)

    def can(self, repo: Repo, user: User, level: str) -> bool:
        return PERMISSIONS.index(self.permission(repo, user)) >= PERMISSIONS.index(level)

    def association(self, repo: Repo, user: User) -> str:
        if repo.owner is user:
            return "OWNER"
        org = self.orgs.get(repo.owner.login)
        if org is not None and (user.login in org.members or user.login in org.owners):
            return "MEMBER"
        if user.login in repo.collaborators:
            return "COLLABORATOR"
        return "NONE"

    # ---- pull requests
    def pr_commits(self, repo: Repo, pr: PullRequest) -> list[str]:
        """The head's commits not on the base, oldest first (kept as they were once merged)."""
        if pr.merged:
            return pr.commits
        return self._pr_view(repo, pr)[0]

    def pr_changes(self, repo: Repo, pr: PullRequest) -> list[FileChange]:
        """Files changed by the pull request: from the merge base to the head, as GitHub's three dots."""
        return self._pr_view(repo, pr)[1]

    def _pr_view(self, repo: Repo, pr: PullRequest) -> tuple[list[str], list[FileChange]]:
        base_tip = repo.git.rev(pr.base) or pr.base_sha
        key = (repo.full_name, pr.issue.number, base_tip, pr.head_sha)
        cached = self._pr_cache.get(key)
        if cached is None:
            commits = repo.git.rev_list("--reverse", "--topo-order", pr.head_sha, f"^{base_tip}")
            merge_base = repo.git.merge_base(base_tip, pr.head_sha) or base_tip
            cached = (commits, repo.git.changes(merge_base, pr.head_sha))
            self._pr_cache[key] = cached
        return cached

    def mergeable(self, repo: Repo, pr: PullRequest) -> bool:
        base_tip = repo.git.rev(pr.base)
        return base_tip is not None and repo.git.merged_tree(base_tip, pr.head_sha) is not None

    def pull(self, repo: Repo, number: int) -> PullRequest | None:
        issue = repo.issues.get(number)
        return issue.pull if issue else None

    def on_branch_moved(self, repo: Repo, branch: str, new: str, pusher: str | None) -> None:
        """A branch moved (a push, a ref update, a merge): open pull requests follow their head, and stale
        approvals are dismissed where the base's protection says so."""
        repo.pushed_at = now()
        for pr in repo.pulls():
            if pr.issue.state != "open":
                continue
            if pr.base == branch:
                pr.base_sha = new
            if pr.head != branch or pr.head_sha == new:
                continue
            pr.head_sha = new
            pr.last_pusher = pusher
            pr.issue.updated_at = now()
            rules = (repo.protection.get(pr.base) or {}).get("required_pull_request_reviews") or {}
            if rules.get("dismiss_stale_reviews"):
                for review in pr.reviews:
                    if review.state == "APPROVED":
                        review.state = "DISMISSED"

    # ---- snapshot
    def _actor_name(self, kind: str, number: Any) -> str:
        """A bypass actor by name, not id (ids differ between two runs)."""
        if kind == "Team":
            return next((f"{t.org}/{t.slug}" for t in self.teams.values() if t.id == number), str(number))
        if kind == "User":
            return next((u.login for u in self.users.values() if u.id == number), str(number))
        return str(number)

    def snapshot(self) -> dict[str, Any]:
        """Everything a client could set, without ids and timestamps: two runs that did the same
        things compare equal."""
        with self.lock:
            repos: dict[str, Any] = {}
            for repo in self.repos.values():
                repos[repo.full_name] = {
                    "private": repo.private,
                    "description": repo.description,
                    "default_branch": repo.default_branch,
                    "settings": dict(repo.settings),
                    "collaborators": dict(repo.collaborators),
                    "branches": {
                        ref.removeprefix("refs/heads/"): repo.git.commit(sha).tree
                        for ref, sha in repo.git.refs("refs/heads/").items()
                    },
                    "labels": {x.name: (x.color, x.description) for x in repo.labels.values()},
                    "issues": {
                        i.number: {
                            "title": i.title,
                            "body": i.body,
                            "state": i.state,
                            "labels": sorted(i.labels),
                            "pinned": i.pinned,
                            "comments": [c.body for c in i.comments],
                            "pull": i.pull is not None,
                        }
                        for i in repo.issues.values()
                    },
                    "protection": repo.protection,
                    "environments": {
                        e.name: {
                            "reviewers": sorted(e.reviewers),
                            "prevent_self_review": e.prevent_self_review,
                            "branch_policy": e.branch_policy,
                            "policies": sorted((p.type, p.name) for p in e.policies),
                        }
                        for e in repo.environments.values()
                    },
                    "rulesets": {
                        r.name: {
                            "target": r.target,
                            "enforcement": r.enforcement,
                            "bypass_actors": sorted(
                                (kind, self._actor_name(kind, a["actor_id"]), a["bypass_mode"])
                                for a in r.bypass_actors
                                for kind in [a["actor_type"]]
                            ),
                            "conditions": r.conditions,
                            "rules": sorted(rule["type"] for rule in r.rules),
                        }
                        for r in repo.rulesets
                    },
                    "check_runs": sorted((r.name, r.status, r.conclusion or "") for r in repo.check_runs),
                    "statuses": sorted((s.context, s.state) for s in repo.statuses),
                    "advisories": sorted(a.summary for a in repo.advisories),
                }
            teams = {
                f"{org}/{slug}": {
                    "name": t.name,
                    "description": t.description,
                    "privacy": t.privacy,
                    "members": dict(t.members),
                    "repos": dict(t.repos),
                }
                for (org, slug), t in self.teams.items()
            }
            orgs = {o.user.login: {"plan": o.plan, "members": sorted(o.members)} for o in self.orgs.values()}
            return {"orgs": orgs, "teams": teams, "repos": repos}

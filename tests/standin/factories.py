"""The JSON the stand-in answers with, one factory per kind of GitHub object, built from its own state
(never from the description's examples). Every URL points at the stand-in's own host."""

from __future__ import annotations

import base64
import datetime as dt
from typing import TYPE_CHECKING, Any

from tests.standin.gitstore import CommitInfo, FileChange, TreeEntry
from tests.standin.state import (
    PROTECTION_FLAGS,
    App,
    CheckRun,
    Comment,
    DeploymentPolicy,
    Environment,
    Issue,
    IssueEvent,
    Label,
    Org,
    PullRequest,
    Repo,
    Review,
    Ruleset,
    Status,
    Team,
    User,
)

if TYPE_CHECKING:
    from tests.standin.world import World

Json = dict[str, Any]


def node_id(kind: str, number: int | str) -> str:
    return base64.b64encode(f"{kind}:{number}".encode()).decode().rstrip("=")


def error(message: str, *, status: int = 0, errors: list[Any] | None = None) -> Json:
    body: Json = {"message": message, "documentation_url": "https://docs.github.com/rest"}
    if status:
        body["status"] = str(status)
    if errors is not None:
        body["errors"] = errors
    return body


class Factories:
    """Bound to one world, so every URL carries the stand-in's address."""

    def __init__(self, world: World) -> None:
        self.w = world

    @property
    def api(self) -> str:
        return self.w.api_url

    @property
    def web(self) -> str:
        return self.w.web_url

    # ---- accounts
    def simple_user(self, user: User) -> Json:
        u = f"{self.api}/users/{user.login}"
        return {
            "login": user.login,
            "id": user.id,
            "node_id": node_id("User", user.id),
            "avatar_url": f"{self.web}/avatars/{user.login}",
            "gravatar_id": "",
            "url": u,
            "html_url": f"{self.web}/{user.login}",
            "followers_url": f"{u}/followers",
            "following_url": f"{u}/following{{/other_user}}",
            "gists_url": f"{u}/gists{{/gist_id}}",
            "starred_url": f"{u}/starred{{/owner}}{{/repo}}",
            "subscriptions_url": f"{u}/subscriptions",
            "organizations_url": f"{u}/orgs",
            "repos_url": f"{u}/repos",
            "events_url": f"{u}/events{{/privacy}}",
            "received_events_url": f"{u}/received_events",
            "type": user.type,
            "site_admin": False,
            "name": user.name,
            "email": user.email,
        }

    def public_user(self, user: User, *, private: bool = False) -> Json:
        body = self.simple_user(user)
        body.update(
            {
                "bio": None,
                "blog": "",
                "company": None,
                "hireable": None,
                "location": None,
                "public_gists": 0,
                "public_repos": 0,
                "followers": 0,
                "following": 0,
                "created_at": user.created_at,
                "updated_at": user.created_at,
                "user_view_type": "private" if private else "public",
            }
        )
        if private:
            body.update(
                {
                    "collaborators": 0,
                    "disk_usage": 0,
                    "owned_private_repos": 0,
                    "private_gists": 0,
                    "total_private_repos": 0,
                    "two_factor_authentication": True,
                }
            )
        return body

    def organization(self, org: Org, *, full: bool = True) -> Json:
        login = org.user.login
        u = f"{self.api}/orgs/{login}"
        body: Json = {
            "login": login,
            "id": org.user.id,
            "node_id": node_id("Organization", org.user.id),
            "url": u,
            "repos_url": f"{u}/repos",
            "events_url": f"{u}/events",
            "hooks_url": f"{u}/hooks",
            "issues_url": f"{u}/issues",
            "members_url": f"{u}/members{{/member}}",
            "public_members_url": f"{u}/public_members{{/member}}",
            "avatar_url": f"{self.web}/avatars/{login}",
            "description": None,
        }
        if full:
            repos = [r for r in self.w.repos.values() if r.owner.login == login]
            body.update(
                {
                    "name": org.user.name,
                    "html_url": f"{self.web}/{login}",
                    "has_organization_projects": True,
                    "has_repository_projects": True,
                    "public_repos": sum(not r.private for r in repos),
                    "public_gists": 0,
                    "followers": 0,
                    "following": 0,
                    "type": "Organization",
                    "created_at": org.user.created_at,
                    "updated_at": org.user.created_at,
                    "archived_at": None,
                    "total_private_repos": sum(r.private for r in repos),
                    "owned_private_repos": sum(r.private for r in repos),
                    "plan": {"name": org.plan, "space": 976562499, "private_repos": 999999, "seats": 50},
                    "members_can_create_repositories": True,
                    "two_factor_requirement_enabled": True,
                    "default_repository_permission": "read",
                }
            )
        return body

    def app(self, app: App | None) -> Json | None:
        if app is None:
            return None
        owner = self.w.users.get(app.owner)
        return {
            "id": app.id,
            "slug": app.slug,
            "node_id": node_id("App", app.id),
            "client_id": f"Iv1.{app.id}",
            "owner": self.simple_user(owner) if owner else None,
            "name": app.name,
            "description": "",
            "external_url": f"{self.web}/apps/{app.slug}",
            "html_url": f"{self.web}/apps/{app.slug}",
            "created_at": "2018-07-30T09:30:17Z",
            "updated_at": "2019-12-10T19:04:12Z",
            "permissions": {"checks": "write", "contents": "write", "metadata": "read"},
            "events": [],
        }

    # ---- repositories
    def repository(self, repo: Repo, viewer: User | None = None, *, full: bool = True) -> Json:
        u = f"{self.api}/repos/{repo.full_name}"
        html = f"{self.web}/{repo.full_name}"
        body: Json = {
            "id": repo.id,
            "node_id": node_id("Repository", repo.id),
            "name": repo.name,
            "full_name": repo.full_name,
            "owner": self.simple_user(repo.owner),
            "private": repo.private,
            "visibility": "private" if repo.private else "public",
            "html_url": html,
            "description": repo.description,
            "fork": False,
            "url": u,
        }
        for key, suffix in _REPO_URLS.items():
            body[key] = u + suffix
        if viewer is not None:
            level = self.w.permission(repo, viewer)
            body["permissions"] = _permission_flags(level)
        if not full:
            return body
        tip_count = len(repo.git.refs("refs/heads/"))
        body.update(
            {
                "clone_url": f"{self.web}/{repo.full_name}.git",
                "git_url": f"git://{self.w.host}/{repo.full_name}.git",
                "ssh_url": f"git@{self.w.host}:{repo.full_name}.git",
                "svn_url": html,
                "mirror_url": None,
                "homepage": None,
                "language": None,
                "default_branch": repo.default_branch,
                "forks": 0,
                "forks_count": 0,
                "stargazers_count": 0,
                "watchers": 0,
                "watchers_count": 0,
                "size": tip_count,
                "open_issues": sum(i.state == "open" for i in repo.issues.values()),
                "open_issues_count": sum(i.state == "open" for i in repo.issues.values()),
                "has_issues": repo.settings["has_issues"],
                "has_projects": repo.settings["has_projects"],
                "has_wiki": repo.settings["has_wiki"],
                "has_pages": False,
                "has_downloads": True,
                "has_discussions": False,
                "archived": repo.archived,
                "disabled": False,
                "is_template": False,
                "license": None,
                "topics": [],
                "pushed_at": repo.pushed_at,
                "created_at": repo.created_at,
                "updated_at": repo.updated_at,
                "network_count": 0,
                "subscribers_count": 0,
                "allow_merge_commit": repo.settings["allow_merge_commit"],
                "allow_squash_merge": repo.settings["allow_squash_merge"],
                "allow_rebase_merge": repo.settings["allow_rebase_merge"],
                "allow_auto_merge": repo.settings["allow_auto_merge"],
                "delete_branch_on_merge": repo.settings["delete_branch_on_merge"],
            }
        )
        org = self.w.orgs.get(repo.owner.login)
        if org is not None:
            body["organization"] = self.simple_user(org.user)
        return body

    def collaborator_permission(self, repo: Repo, user: User) -> Json:
        level = self.w.permission(repo, user)
        legacy = {"maintain": "write", "triage": "read"}.get(level, level)
        collaborator = self.simple_user(user)
        collaborator["permissions"] = _permission_flags(level)
        collaborator["role_name"] = level
        return {"permission": legacy, "role_name": level, "user": collaborator}

    # ---- teams
    def team(self, team: Team, *, full: bool = False, permission: str | None = None) -> Json:
        u = f"{self.api}/orgs/{team.org}/teams/{team.slug}"
        body: Json = {
            "id": team.id,
            "node_id": node_id("Team", team.id),
            "url": u,
            "html_url": f"{self.web}/orgs/{team.org}/teams/{team.slug}",
            "name": team.name,
            "slug": team.slug,
            "description": team.description,
            "privacy": team.privacy,
            "notification_setting": "notifications_enabled",
            "permission": permission or team.permission,
            "members_url": f"{u}/members{{/member}}",
            "repositories_url": f"{u}/repos",
            "type": "organization",
            "parent": None,
        }
        if full:
            del body["parent"]
            body.update(
                {
                    "created_at": team.created_at,
                    "updated_at": team.updated_at,
                    "members_count": len(team.members),
                    "repos_count": len(team.repos),
                    "organization": self.organization(self.w.orgs[team.org]),
                }
            )
        return body

    def team_membership(self, team: Team, login: str) -> Json:
        return {
            "url": f"{self.api}/orgs/{team.org}/teams/{team.slug}/memberships/{login}",
            "role": team.members[login],
            "state": "active",
        }

    # ---- git data
    def git_ref(self, repo: Repo, ref: str, sha: str) -> Json:
        kind = repo.git.object_type(sha) or "commit"
        return {
            "ref": ref,
            "node_id": node_id("Ref", f"{repo.id}:{ref}"),
            "url": f"{self.api}/repos/{repo.full_name}/git/{ref}",
            "object": {
                "type": kind,
                "sha": sha,
                "url": f"{self.api}/repos/{repo.full_name}/git/{kind}s/{sha}",
            },
        }

    def git_tag(self, repo: Repo, sha: str, raw: str) -> Json:
        """An annotated tag object from ``git cat-file tag`` (headers, a blank line, the message)."""
        head, _sep, message = raw.partition("\n\n")
        fields = dict(line.split(" ", 1) for line in head.splitlines() if " " in line)
        tagger = fields.get("tagger", "")
        name, _lt, rest = tagger.partition(" <")
        email, _gt, when = rest.partition("> ")
        seconds = int(when.split()[0]) if when.split() else 0
        kind = fields.get("type", "commit")
        return {
            "node_id": node_id("Tag", sha),
            "tag": fields.get("tag", ""),
            "sha": sha,
            "url": f"{self.api}/repos/{repo.full_name}/git/tags/{sha}",
            "message": message,
            "tagger": {
                "name": name,
                "email": email,
                "date": dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
            "object": {
                "type": kind,
                "sha": fields.get("object", ""),
                "url": f"{self.api}/repos/{repo.full_name}/git/{kind}s/{fields.get('object', '')}",
            },
            "verification": {
                "verified": False,
                "reason": "unsigned",
                "signature": None,
                "payload": None,
                "verified_at": None,
            },
        }

    def short_blob(self, repo: Repo, sha: str) -> Json:
        return {"sha": sha, "url": f"{self.api}/repos/{repo.full_name}/git/blobs/{sha}"}

    def git_tree(self, repo: Repo, sha: str, entries: list[TreeEntry]) -> Json:
        base = f"{self.api}/repos/{repo.full_name}/git"
        return {
            "sha": sha,
            "url": f"{base}/trees/{sha}",
            "truncated": False,
            "tree": [
                {
                    "path": e.path,
                    "mode": e.mode,
                    "type": e.type,
                    "sha": e.sha,
                    **({"size": e.size} if e.size is not None else {}),
                    "url": f"{base}/{e.type}s/{e.sha}",
                }
                for e in entries
            ],
        }

    def git_commit(self, repo: Repo, info: CommitInfo) -> Json:
        base = f"{self.api}/repos/{repo.full_name}/git"
        return {
            "sha": info.sha,
            "node_id": node_id("Commit", info.sha),
            "url": f"{base}/commits/{info.sha}",
            "html_url": f"{self.web}/{repo.full_name}/commit/{info.sha}",
            "author": _git_person(info.author),
            "committer": _git_person(info.committer),
            "tree": {"sha": info.tree, "url": f"{base}/trees/{info.tree}"},
            "message": info.message,
            "parents": [
                {
                    "sha": p,
                    "url": f"{base}/commits/{p}",
                    "html_url": f"{self.web}/{repo.full_name}/commit/{p}",
                }
                for p in info.parents
            ],
            "verification": _UNSIGNED,
        }

    def commit(self, repo: Repo, info: CommitInfo, files: list[FileChange] | None = None) -> Json:
        u = f"{self.api}/repos/{repo.full_name}/commits/{info.sha}"
        git_base = f"{self.api}/repos/{repo.full_name}/git"
        body: Json = {
            "sha": info.sha,
            "node_id": node_id("Commit", info.sha),
            "url": u,
            "html_url": f"{self.web}/{repo.full_name}/commit/{info.sha}",
            "comments_url": f"{u}/comments",
            "commit": {
                "url": f"{git_base}/commits/{info.sha}",
                "author": _git_person(info.author),
                "committer": _git_person(info.committer),
                "message": info.message,
                "comment_count": 0,
                "tree": {"sha": info.tree, "url": f"{git_base}/trees/{info.tree}"},
                "verification": _UNSIGNED,
            },
            "author": self._user_by_email(info.author.email),
            "committer": self._user_by_email(info.committer.email),
            "parents": [
                {"sha": p, "url": f"{self.api}/repos/{repo.full_name}/commits/{p}"} for p in info.parents
            ],
        }
        if files is not None:
            body["files"] = [self.diff_entry(repo, info.sha, f) for f in files]
            additions = sum(f.additions for f in files)
            deletions = sum(f.deletions for f in files)
            body["stats"] = {"additions": additions, "deletions": deletions, "total": additions + deletions}
        return body

    def _user_by_email(self, email: str) -> Json | None:
        user = self.w.user_by_email(email)
        return self.simple_user(user) if user else None

    def diff_entry(self, repo: Repo, ref: str, change: FileChange) -> Json:
        body: Json = {
            "sha": change.sha,
            "filename": change.path,
            "status": change.status,
            "additions": change.additions,
            "deletions": change.deletions,
            "changes": change.additions + change.deletions,
            "blob_url": f"{self.web}/{repo.full_name}/blob/{ref}/{change.path}",
            "raw_url": f"{self.web}/{repo.full_name}/raw/{ref}/{change.path}",
            "contents_url": f"{self.api}/repos/{repo.full_name}/contents/{change.path}?ref={ref}",
        }
        if change.previous is not None:
            body["previous_filename"] = change.previous
        return body

    def branch(self, repo: Repo, name: str, sha: str) -> Json:
        u = f"{self.api}/repos/{repo.full_name}/branches/{name}"
        protection = repo.protection.get(name)
        return {
            "name": name,
            "commit": self.commit(repo, repo.git.commit(sha)),
            "_links": {"self": u, "html": f"{self.web}/{repo.full_name}/tree/{name}"},
            "protected": protection is not None,
            "protection": self.protection(repo, name) if protection else {"enabled": False},
            "protection_url": f"{u}/protection",
        }

    def content(
        self, repo: Repo, path: str, ref: str, entry: TreeEntry, *, with_content: bool = True
    ) -> Json:
        u = f"{self.api}/repos/{repo.full_name}/contents/{path}?ref={ref}"
        git_url = f"{self.api}/repos/{repo.full_name}/git/{entry.type}s/{entry.sha}"
        html = f"{self.web}/{repo.full_name}/blob/{ref}/{path}"
        kind = {"blob": "file", "tree": "dir", "commit": "submodule"}[entry.type]
        if entry.mode == "120000":
            kind = "symlink"
        body: Json = {
            "type": kind,
            "name": path.rsplit("/", 1)[-1],
            "path": path,
            "sha": entry.sha,
            "size": entry.size or 0,
            "url": u,
            "git_url": git_url,
            "html_url": html,
            "download_url": f"{self.web}/{repo.full_name}/raw/{ref}/{path}" if kind == "file" else None,
            "_links": {"self": u, "git": git_url, "html": html},
        }
        if kind == "file" and with_content:
            body["content"] = base64.encodebytes(repo.git.read_blob(entry.sha)).decode()
            body["encoding"] = "base64"
        if kind == "symlink":
            body["target"] = repo.git.read_blob(entry.sha).decode(errors="replace")
        return body

    # ---- protection and environments
    def protection(self, repo: Repo, branch: str) -> Json:
        """The protection as GET answers it (``branch-protection``); PUT answers the same shape."""
        stored = repo.protection[branch]
        u = f"{self.api}/repos/{repo.full_name}/branches/{branch}/protection"
        body: Json = {"url": u}
        checks = stored.get("required_status_checks")
        if checks is not None:
            body["required_status_checks"] = {
                "url": f"{u}/required_status_checks",
                "strict": bool(checks.get("strict")),
                "contexts": [c["context"] for c in checks["checks"]],
                "contexts_url": f"{u}/required_status_checks/contexts",
                "checks": [{"context": c["context"], "app_id": c["app_id"]} for c in checks["checks"]],
            }
        reviews = stored.get("required_pull_request_reviews")
        if reviews is not None:
            body["required_pull_request_reviews"] = {
                "url": f"{u}/required_pull_request_reviews",
                "dismiss_stale_reviews": bool(reviews.get("dismiss_stale_reviews")),
                "require_code_owner_reviews": bool(reviews.get("require_code_owner_reviews")),
                "required_approving_review_count": int(reviews.get("required_approving_review_count") or 0),
                "require_last_push_approval": bool(reviews.get("require_last_push_approval")),
            }
        body["enforce_admins"] = {"url": f"{u}/enforce_admins", "enabled": bool(stored.get("enforce_admins"))}
        for flag in PROTECTION_FLAGS[1:]:  # enforce_admins above has its own url
            body[flag] = {"enabled": bool(stored.get(flag))}
        body["required_signatures"] = {"url": f"{u}/required_signatures", "enabled": False}
        return body

    def environment(self, repo: Repo, env: Environment) -> Json:
        rules: list[Json] = []
        if env.wait_timer:
            rules.append(
                {
                    "id": env.id * 10 + 1,
                    "node_id": node_id("Gate", env.id * 10 + 1),
                    "type": "wait_timer",
                    "wait_timer": env.wait_timer,
                }
            )
        if env.reviewers:
            reviewers = []
            for kind, name in env.reviewers:
                if kind == "User":
                    reviewers.append({"type": "User", "reviewer": self.simple_user(self.w.users[name])})
                else:
                    org = repo.owner.login
                    reviewers.append({"type": "Team", "reviewer": self.team(self.w.teams[(org, name)])})
            rules.append(
                {
                    "id": env.id * 10 + 2,
                    "node_id": node_id("Gate", env.id * 10 + 2),
                    "type": "required_reviewers",
                    "prevent_self_review": env.prevent_self_review,
                    "reviewers": reviewers,
                }
            )
        return {
            "id": env.id,
            "node_id": node_id("Environment", env.id),
            "name": env.name,
            "url": f"{self.api}/repos/{repo.full_name}/environments/{env.name}",
            "html_url": f"{self.web}/{repo.full_name}/deployments/activity_log"
            f"?environments_filter={env.name}",
            "created_at": env.created_at,
            "updated_at": env.updated_at,
            "protection_rules": rules,
            "deployment_branch_policy": dict(env.branch_policy) if env.branch_policy else None,
        }

    def deployment_policy(self, policy: DeploymentPolicy) -> Json:
        return {
            "id": policy.id,
            "node_id": node_id("DeploymentBranchPolicy", policy.id),
            "name": policy.name,
            "type": policy.type,
        }

    def ruleset(self, repo: Repo, ruleset: Ruleset, user: User, *, full: bool = True) -> Json:
        """A repository ruleset; the list answers without its actors, conditions and rules, as GitHub's."""
        u = f"{self.api}/repos/{repo.full_name}/rulesets/{ruleset.id}"
        body: Json = {
            "id": ruleset.id,
            "name": ruleset.name,
            "target": ruleset.target,
            "source_type": "Repository",
            "source": repo.full_name,
            "enforcement": ruleset.enforcement,
            "node_id": node_id("RepositoryRuleset", ruleset.id),
            "_links": {
                "self": {"href": u},
                "html": {"href": f"{self.web}/{repo.full_name}/rules/{ruleset.id}"},
            },
            "created_at": ruleset.created_at,
            "updated_at": ruleset.updated_at,
        }
        if full:
            from tests.standin.rules import may_bypass

            body["bypass_actors"] = [dict(actor) for actor in ruleset.bypass_actors]
            body["current_user_can_bypass"] = "always" if may_bypass(self.w, repo, ruleset, user) else "never"
            body["conditions"] = ruleset.conditions or None
            body["rules"] = [dict(rule) for rule in ruleset.rules]
        return body

    # ---- issues
    def label(self, repo: Repo, label: Label) -> Json:
        return {
            "id": label.id,
            "node_id": node_id("Label", label.id),
            "url": f"{self.api}/repos/{repo.full_name}/labels/{label.name}",
            "name": label.name,
            "color": label.color,
            "description": label.description,
            "default": False,
        }

    def issue(self, repo: Repo, issue: Issue) -> Json:
        u = f"{self.api}/repos/{repo.full_name}/issues/{issue.number}"
        body: Json = {
            "id": issue.id,
            "node_id": node_id("Issue", issue.id),
            "url": u,
            "repository_url": f"{self.api}/repos/{repo.full_name}",
            "labels_url": f"{u}/labels{{/name}}",
            "comments_url": f"{u}/comments",
            "events_url": f"{u}/events",
            "html_url": f"{self.web}/{repo.full_name}/{'pull' if issue.pull else 'issues'}/{issue.number}",
            "number": issue.number,
            "state": issue.state,
            "state_reason": issue.state_reason,
            "title": issue.title,
            "body": issue.body,
            "user": self.simple_user(issue.user),
            "labels": [self.label(repo, repo.labels[name.lower()]) for name in issue.labels],
            "assignee": None,
            "assignees": [],
            "milestone": None,
            "locked": False,
            "active_lock_reason": None,
            "comments": len(issue.comments),
            "closed_at": issue.closed_at,
            "created_at": issue.created_at,
            "updated_at": issue.updated_at,
            "author_association": self.w.association(repo, issue.user),
        }
        if issue.pull is not None:
            pu = f"{self.api}/repos/{repo.full_name}/pulls/{issue.number}"
            body["pull_request"] = {
                "url": pu,
                "html_url": body["html_url"],
                "diff_url": f"{body['html_url']}.diff",
                "patch_url": f"{body['html_url']}.patch",
                "merged_at": issue.pull.merged_at,
            }
        return body

    def comment(self, repo: Repo, issue: Issue, comment: Comment) -> Json:
        return {
            "id": comment.id,
            "node_id": node_id("IssueComment", comment.id),
            "url": f"{self.api}/repos/{repo.full_name}/issues/comments/{comment.id}",
            "html_url": f"{self.web}/{repo.full_name}/issues/{issue.number}#issuecomment-{comment.id}",
            "issue_url": f"{self.api}/repos/{repo.full_name}/issues/{issue.number}",
            "body": comment.body,
            "user": self.simple_user(comment.user),
            "created_at": comment.created_at,
            "updated_at": comment.updated_at,
            "author_association": self.w.association(repo, comment.user),
        }

    def issue_event(self, repo: Repo, event: IssueEvent, issue: Issue | None = None) -> Json:
        body: Json = {
            "id": event.id,
            "node_id": node_id("IssueEvent", event.id),
            "url": f"{self.api}/repos/{repo.full_name}/issues/events/{event.id}",
            "actor": self.simple_user(event.actor),
            "event": event.event,
            "commit_id": None,
            "commit_url": None,
            "created_at": event.created_at,
            "performed_via_github_app": None,
        }
        if event.label is not None:
            label = repo.labels.get(event.label.lower())
            body["label"] = {"name": event.label, "color": label.color if label else "ededed"}
        if issue is not None:
            body["issue"] = self.issue(repo, issue)
        return body

    # ---- pull requests
    def pull(self, repo: Repo, pr: PullRequest, *, full: bool = True) -> Json:
        issue = self.issue(repo, pr.issue)
        u = f"{self.api}/repos/{repo.full_name}/pulls/{pr.issue.number}"
        html = issue["html_url"]
        repo_json = self.repository(repo)
        body: Json = {
            "id": pr.id,
            "node_id": node_id("PullRequest", pr.id),
            "number": pr.issue.number,
            "url": u,
            "html_url": html,
            "diff_url": f"{html}.diff",
            "patch_url": f"{html}.patch",
            "issue_url": issue["url"],
            "commits_url": f"{u}/commits",
            "review_comments_url": f"{u}/comments",
            "review_comment_url": f"{self.api}/repos/{repo.full_name}/pulls/comments{{/number}}",
            "comments_url": issue["comments_url"],
            "statuses_url": f"{self.api}/repos/{repo.full_name}/statuses/{pr.head_sha}",
            "state": pr.issue.state,
            "locked": False,
            "title": pr.issue.title,
            "body": pr.issue.body,
            "user": self.simple_user(pr.issue.user),
            "labels": issue["labels"],
            "milestone": None,
            "assignee": None,
            "assignees": [],
            "requested_reviewers": [],
            "requested_teams": [],
            "draft": pr.draft,
            "created_at": pr.issue.created_at,
            "updated_at": pr.issue.updated_at,
            "closed_at": pr.issue.closed_at,
            "merged_at": pr.merged_at,
            "merge_commit_sha": pr.merge_commit_sha,
            "head": self._pr_end(repo, repo_json, pr.head, pr.head_sha),
            "base": self._pr_end(repo, repo_json, pr.base, pr.base_sha),
            "_links": {
                key: {"href": href}
                for key, href in {
                    "self": u,
                    "html": html,
                    "issue": issue["url"],
                    "comments": issue["comments_url"],
                    "review_comments": f"{u}/comments",
                    "review_comment": f"{self.api}/repos/{repo.full_name}/pulls/comments{{/number}}",
                    "commits": f"{u}/commits",
                    "statuses": f"{self.api}/repos/{repo.full_name}/statuses/{pr.head_sha}",
                }.items()
            },
            "author_association": issue["author_association"],
            "auto_merge": None,
            "active_lock_reason": None,
        }
        if full:
            changes = self.w.pr_changes(repo, pr)
            mergeable = None if pr.merged else self.w.mergeable(repo, pr)
            body.update(
                {
                    "merged": pr.merged,
                    "mergeable": mergeable,
                    "rebaseable": mergeable,
                    "mergeable_state": "clean" if mergeable else ("unknown" if pr.merged else "dirty"),
                    "merged_by": self.simple_user(pr.merged_by) if pr.merged_by else None,
                    "comments": len(pr.issue.comments),
                    "review_comments": 0,
                    "maintainer_can_modify": pr.maintainer_can_modify,
                    "commits": len(self.w.pr_commits(repo, pr)),
                    "additions": sum(c.additions for c in changes),
                    "deletions": sum(c.deletions for c in changes),
                    "changed_files": len(changes),
                }
            )
        return body

    def _pr_end(self, repo: Repo, repo_json: Json, ref: str, sha: str) -> Json:
        return {
            "label": f"{repo.owner.login}:{ref}",
            "ref": ref,
            "sha": sha,
            "user": self.simple_user(repo.owner),
            "repo": repo_json,
        }

    def review(self, repo: Repo, pr: PullRequest, review: Review) -> Json:
        pu = f"{self.api}/repos/{repo.full_name}/pulls/{pr.issue.number}"
        html = f"{self.web}/{repo.full_name}/pull/{pr.issue.number}#pullrequestreview-{review.id}"
        return {
            "id": review.id,
            "node_id": node_id("PullRequestReview", review.id),
            "user": self.simple_user(review.user),
            "body": review.body,
            "state": review.state,
            "commit_id": review.commit_id,
            "html_url": html,
            "pull_request_url": pu,
            "_links": {"html": {"href": html}, "pull_request": {"href": pu}},
            "submitted_at": review.submitted_at,
            "author_association": self.w.association(repo, review.user),
        }

    # ---- checks and statuses
    def check_run(self, repo: Repo, run: CheckRun) -> Json:
        u = f"{self.api}/repos/{repo.full_name}/check-runs/{run.id}"
        return {
            "id": run.id,
            "node_id": node_id("CheckRun", run.id),
            "head_sha": run.head_sha,
            "external_id": run.external_id,
            "url": u,
            "html_url": f"{self.web}/{repo.full_name}/runs/{run.id}",
            "details_url": run.details_url,
            "status": run.status,
            "conclusion": run.conclusion,
            "started_at": run.started_at,
            "completed_at": run.completed_at,
            "name": run.name,
            "output": {
                "title": run.title,
                "summary": run.summary,
                "text": run.text,
                "annotations_count": len(run.annotations),
                "annotations_url": f"{u}/annotations",
            },
            "check_suite": {"id": run.suite_id},
            "app": self.app(run.app),
            "pull_requests": [
                {
                    "id": pr.id,
                    "number": pr.issue.number,
                    "url": f"{self.api}/repos/{repo.full_name}/pulls/{pr.issue.number}",
                    "head": {"ref": pr.head, "sha": pr.head_sha, "repo": _repo_ref(self.api, repo)},
                    "base": {"ref": pr.base, "sha": pr.base_sha, "repo": _repo_ref(self.api, repo)},
                }
                for pr in repo.pulls()
                if pr.head_sha == run.head_sha and pr.issue.state == "open"
            ],
        }

    def status(self, repo: Repo, status: Status, *, simple: bool = False) -> Json:
        body: Json = {
            "id": status.id,
            "node_id": node_id("StatusContext", status.id),
            "url": f"{self.api}/repos/{repo.full_name}/statuses/{status.sha}",
            "avatar_url": f"{self.web}/avatars/{status.creator.login}",
            "state": status.state,
            "description": status.description,
            "target_url": status.target_url,
            "context": status.context,
            "created_at": status.created_at,
            "updated_at": status.created_at,
        }
        if not simple:
            body["creator"] = self.simple_user(status.creator)
        return body

    def combined_status(self, repo: Repo, sha: str, statuses: list[Status]) -> Json:
        states = {s.state for s in statuses}
        state = (
            "failure"
            if states & {"failure", "error"}
            else "pending"
            if not statuses or "pending" in states
            else "success"
        )
        return {
            "state": state,
            "sha": sha,
            "total_count": len(statuses),
            "statuses": [self.status(repo, s, simple=True) for s in statuses],
            "repository": self.repository(repo, full=False),
            "commit_url": f"{self.api}/repos/{repo.full_name}/commits/{sha}",
            "url": f"{self.api}/repos/{repo.full_name}/commits/{sha}/status",
        }

    def advisory(self, repo: Repo, advisory: Any) -> Json:
        return {
            "ghsa_id": advisory.ghsa_id,
            "cve_id": None,
            "url": f"{self.api}/repos/{repo.full_name}/security-advisories/{advisory.ghsa_id}",
            "html_url": f"{self.web}/{repo.full_name}/security/advisories/{advisory.ghsa_id}",
            "summary": advisory.summary,
            "description": advisory.description,
            "severity": advisory.severity,
            "author": self.simple_user(advisory.author),
            "publisher": None,
            "identifiers": [{"type": "GHSA", "value": advisory.ghsa_id}],
            "state": "triage",
            "created_at": advisory.created_at,
            "updated_at": advisory.created_at,
            "published_at": None,
            "closed_at": None,
            "withdrawn_at": None,
            "submission": {"accepted": False},
            "vulnerabilities": [],
            "cvss": None,
            "cwes": [],
            "cwe_ids": [],
            "credits": [],
            "credits_detailed": [],
            "collaborating_users": None,
            "collaborating_teams": None,
            "private_fork": None,
        }


_REPO_URLS = {
    "archive_url": "/{archive_format}{/ref}",
    "assignees_url": "/assignees{/user}",
    "blobs_url": "/git/blobs{/sha}",
    "branches_url": "/branches{/branch}",
    "collaborators_url": "/collaborators{/collaborator}",
    "comments_url": "/comments{/number}",
    "commits_url": "/commits{/sha}",
    "compare_url": "/compare/{base}...{head}",
    "contents_url": "/contents/{+path}",
    "contributors_url": "/contributors",
    "deployments_url": "/deployments",
    "downloads_url": "/downloads",
    "events_url": "/events",
    "forks_url": "/forks",
    "git_commits_url": "/git/commits{/sha}",
    "git_refs_url": "/git/refs{/sha}",
    "git_tags_url": "/git/tags{/sha}",
    "hooks_url": "/hooks",
    "issue_comment_url": "/issues/comments{/number}",
    "issue_events_url": "/issues/events{/number}",
    "issues_url": "/issues{/number}",
    "keys_url": "/keys{/key_id}",
    "labels_url": "/labels{/name}",
    "languages_url": "/languages",
    "merges_url": "/merges",
    "milestones_url": "/milestones{/number}",
    "notifications_url": "/notifications{?since,all,participating}",
    "pulls_url": "/pulls{/number}",
    "releases_url": "/releases{/id}",
    "stargazers_url": "/stargazers",
    "statuses_url": "/statuses/{sha}",
    "subscribers_url": "/subscribers",
    "subscription_url": "/subscription",
    "tags_url": "/tags",
    "teams_url": "/teams",
    "trees_url": "/git/trees{/sha}",
}

_UNSIGNED = {"verified": False, "reason": "unsigned", "signature": None, "payload": None, "verified_at": None}


def _git_person(person: Any) -> Json:
    return {"name": person.name, "email": person.email, "date": person.date}


def _permission_flags(level: str) -> Json:
    from tests.standin.state import PERMISSIONS

    rank = PERMISSIONS.index(level)
    return {
        "admin": rank >= PERMISSIONS.index("admin"),
        "maintain": rank >= PERMISSIONS.index("maintain"),
        "push": rank >= PERMISSIONS.index("write"),
        "triage": rank >= PERMISSIONS.index("triage"),
        "pull": rank >= PERMISSIONS.index("read"),
    }


def _repo_ref(api: str, repo: Repo) -> Json:
    return {"id": repo.id, "url": f"{api}/repos/{repo.full_name}", "name": repo.name}

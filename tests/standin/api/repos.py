"""Repositories, their settings, permissions and branch protection."""

from __future__ import annotations

from typing import Any

from tests.standin.gitstore import Person
from tests.standin.rest import Answer, Request, Response, route
from tests.standin.state import PROTECTION_FLAGS, Repo, now

SETTINGS = (
    "allow_merge_commit",
    "allow_squash_merge",
    "allow_rebase_merge",
    "allow_auto_merge",
    "delete_branch_on_merge",
    "has_issues",
    "has_projects",
    "has_wiki",
)
UPGRADE = "Upgrade to GitHub Pro or make this repository public to enable this feature."


def _apply_settings(repo: Repo, request: Request) -> None:
    for key in SETTINGS:
        value = request.field(key)
        if value is not None:
            repo.settings[key] = bool(value)
    if request.field("description") is not None:
        repo.description = request.field("description")
    if request.field("private") is not None:
        repo.private = bool(request.field("private"))
    elif request.field("visibility") is not None:
        repo.private = request.field("visibility") != "public"
    repo.updated_at = now()


@route("GET", "/repos/{owner}/{repo}")
def get_repo(request: Request) -> Response:
    repo = request.repo("read")
    return Response(200, request.f.repository(repo, request.token.user if request.token else None))


@route("POST", "/orgs/{org}/repos")
def create_org_repo(request: Request) -> Response:
    world = request.world
    org = world.orgs.get(request.params["org"])
    if org is None:
        raise Answer(404, "Not Found")
    user = request.user
    if user.login not in org.members | org.owners:
        raise Answer(403, "You need admin access to the organization before adding a repository to it.")
    name = str(request.need("name"))
    if f"{org.user.login}/{name}".lower() in world.repos:
        raise Answer(
            422,
            "Repository creation failed.",
            errors=[
                {
                    "resource": "Repository",
                    "code": "custom",
                    "field": "name",
                    "message": "name already exists on this account",
                }
            ],
        )
    private = request.field("private")
    if private is None:
        private = request.field("visibility", "public") != "public"
    repo = world.create_repo(
        org.user.login, name, private=bool(private), description=request.field("description"), creator=user
    )
    _apply_settings(repo, request)
    if request.field("auto_init"):
        when = now()
        person = Person(user.name or user.login, user.email or "", when)
        tree = repo.git.write_tree(
            None, [("README.md", "100644", repo.git.write_blob(f"# {name}\n".encode()))]
        )
        first = repo.git.commit_tree(tree, [], "Initial commit\n", person, person)
        repo.git.update_ref(f"refs/heads/{repo.default_branch}", first)
    return Response(201, request.f.repository(repo, user))


@route("PATCH", "/repos/{owner}/{repo}")
def edit_repo(request: Request) -> Response:
    repo = request.repo("admin")
    branch = request.field("default_branch")
    if branch is not None:
        if repo.git.rev(branch) is None and repo.git.refs("refs/heads/"):
            raise Answer(
                422,
                "Validation Failed",
                errors=[{"resource": "Repository", "code": "invalid", "field": "default_branch"}],
            )
        repo.default_branch = branch
        repo.git.run("symbolic-ref", "HEAD", f"refs/heads/{branch}")
    _apply_settings(repo, request)
    return Response(200, request.f.repository(repo, request.user))


@route("GET", "/repos/{owner}/{repo}/collaborators/{username}/permission")
def collaborator_permission(request: Request) -> Response:
    repo = request.repo("read")
    user = request.world.users.get(request.params["username"])
    if user is None:
        raise Answer(404, "Not Found")
    return Response(200, request.f.collaborator_permission(repo, user))


# ---- protection
def _branch(request: Request, repo: Repo) -> str:
    branch = request.params["branch"]
    if repo.git.rev(f"refs/heads/{branch}") is None:
        raise Answer(404, "Branch not found")
    return branch


def _plan_allows_protection(request: Request, repo: Repo) -> bool:
    org = request.world.orgs.get(repo.owner.login)
    return not (repo.private and org is not None and org.plan == "free")


@route("GET", "/repos/{owner}/{repo}/branches/{branch}/protection")
def get_protection(request: Request) -> Response:
    repo = request.repo("admin")
    branch = _branch(request, repo)
    if not _plan_allows_protection(request, repo):
        raise Answer(403, UPGRADE)
    if branch not in repo.protection:
        raise Answer(404, "Branch not protected")
    return Response(200, request.f.protection(repo, branch))


@route("PUT", "/repos/{owner}/{repo}/branches/{branch}/protection")
def put_protection(request: Request) -> Response:
    repo = request.repo("admin")
    branch = _branch(request, repo)
    if not _plan_allows_protection(request, repo):
        raise Answer(403, UPGRADE)
    repo.protection[branch] = _stored_protection(request)
    return Response(200, request.f.protection(repo, branch))


def _stored_protection(request: Request) -> dict[str, Any]:
    """The PUT body as GitHub keeps it: every group replaced, omitted (null) groups switched off."""
    stored: dict[str, Any] = {}
    checks = request.field("required_status_checks")
    if checks:
        listed = [{"context": c["context"], "app_id": c.get("app_id")} for c in checks.get("checks") or []]
        listed += [
            {"context": c, "app_id": None}
            for c in checks.get("contexts") or []
            if c not in {x["context"] for x in listed}
        ]
        stored["required_status_checks"] = {"strict": bool(checks.get("strict")), "checks": listed}
    reviews = request.field("required_pull_request_reviews")
    if reviews is not None:
        count = reviews.get("required_approving_review_count")
        stored["required_pull_request_reviews"] = {
            "dismiss_stale_reviews": bool(reviews.get("dismiss_stale_reviews")),
            "require_code_owner_reviews": bool(reviews.get("require_code_owner_reviews")),
            "required_approving_review_count": 1 if count is None else int(count),
            "require_last_push_approval": bool(reviews.get("require_last_push_approval")),
        }
    for flag in PROTECTION_FLAGS:
        stored[flag] = bool(request.field(flag))
    return stored


@route("DELETE", "/repos/{owner}/{repo}/branches/{branch}/protection")
def delete_protection(request: Request) -> Response:
    repo = request.repo("admin")
    branch = _branch(request, repo)
    if repo.protection.pop(branch, None) is None:
        raise Answer(404, "Branch not protected")
    return Response(204)

"""Deployment environments: their reviewers, their deployment branch policy and the custom branch and tag
policies that say which refs may deploy to them."""

from __future__ import annotations

from typing import Any

from tests.standin.rest import Answer, Request, Response, by_id, route
from tests.standin.state import DeploymentPolicy, Environment, Repo, now

POLICIES = "/repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies"


def _environment(request: Request, repo: Repo) -> Environment:
    env = repo.environments.get(request.params["environment_name"])
    if env is None:
        raise Answer(404, "Not Found")
    return env


@route("GET", "/repos/{owner}/{repo}/environments/{environment_name}")
def get_environment(request: Request) -> Response:
    repo = request.repo("read")
    return Response(200, request.f.environment(repo, _environment(request, repo)))


def _branch_policy(request: Request) -> dict[str, bool] | None:
    """The deployment branch policy of a PUT body; left out it is null (any branch may deploy)."""
    given = request.field("deployment_branch_policy")
    if given is None:
        return None
    if not isinstance(given, dict) or not all(
        isinstance(given.get(k), bool) for k in ("protected_branches", "custom_branch_policies")
    ):
        raise Answer(422, "Invalid request.\n\ndeployment_branch_policy needs both booleans.")
    protected, custom = given["protected_branches"], given["custom_branch_policies"]
    if protected == custom:
        raise Answer(
            422,
            "Invalid request.\n\nExactly one of protected_branches and custom_branch_policies must be true.",
        )
    return {"protected_branches": protected, "custom_branch_policies": custom}


def _reviewers(request: Request) -> list[tuple[str, str]]:
    world = request.world
    reviewers: list[tuple[str, str]] = []
    for item in request.field("reviewers") or []:
        if item.get("type") == "Team":
            team = next((t for t in world.teams.values() if t.id == item.get("id")), None)
            if team is None:
                raise Answer(422, f"Team {item.get('id')} not found")
            reviewers.append(("Team", team.slug))
        else:
            user = next((u for u in world.users.values() if u.id == item.get("id")), None)
            if user is None:
                raise Answer(422, f"User {item.get('id')} not found")
            reviewers.append(("User", user.login))
    return reviewers


@route("PUT", "/repos/{owner}/{repo}/environments/{environment_name}")
def put_environment(request: Request) -> Response:
    repo = request.repo("admin")
    world = request.world
    reviewers = _reviewers(request)
    org = world.orgs.get(repo.owner.login)
    if reviewers and repo.private and (org is None or org.plan != "enterprise"):
        raise Answer(
            422,
            "Failed to create the environment protection rule: required reviewers are only "
            "available for private repositories on GitHub Enterprise.",
        )
    branch_policy = _branch_policy(request)
    name = request.params["environment_name"]
    env = repo.environments.get(name) or Environment(world.ids(), name)
    env.reviewers = reviewers
    env.prevent_self_review = bool(request.field("prevent_self_review"))
    env.wait_timer = int(request.field("wait_timer") or 0)
    env.branch_policy = branch_policy
    env.updated_at = now()
    repo.environments[name] = env
    return Response(200, request.f.environment(repo, env))


# ---- custom deployment branch and tag policies
@route("GET", POLICIES)
def list_policies(request: Request) -> Response:
    repo = request.repo("read")
    env = _environment(request, repo)
    page = request.page(env.policies)
    body: dict[str, Any] = {
        "total_count": len(env.policies),
        "branch_policies": [request.f.deployment_policy(p) for p in page.body],
    }
    return Response(200, body, page.headers)


@route("POST", POLICIES)
def create_policy(request: Request) -> Response:
    repo = request.repo("admin")
    env = _environment(request, repo)
    if not (env.branch_policy or {}).get("custom_branch_policies"):
        raise Answer(404, "Not Found")
    name = str(request.need("name"))
    kind = request.field("type", "branch")
    if kind not in ("branch", "tag"):
        raise Answer(422, f"Invalid request.\n\n{kind!r} is not a valid type.")
    if any(p.name == name and p.type == kind for p in env.policies):
        return Response(303, None, {"Location": f"{request.world.api_url}{request.path}"})
    policy = DeploymentPolicy(request.world.ids(), name, kind)
    env.policies.append(policy)
    return Response(200, request.f.deployment_policy(policy))


def _policy(request: Request, env: Environment) -> DeploymentPolicy:
    return by_id(env.policies, request.params["branch_policy_id"])


@route("GET", POLICIES + "/{branch_policy_id}")
def get_policy(request: Request) -> Response:
    repo = request.repo("read")
    return Response(200, request.f.deployment_policy(_policy(request, _environment(request, repo))))


@route("DELETE", POLICIES + "/{branch_policy_id}")
def delete_policy(request: Request) -> Response:
    repo = request.repo("admin")
    env = _environment(request, repo)
    env.policies.remove(_policy(request, env))
    return Response(204)

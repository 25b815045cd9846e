"""Repository rulesets (``/repos/{owner}/{repo}/rulesets``): stored as given, checked the way GitHub checks
them (a name, a known target and enforcement, bypass actors that exist, rule types it knows), and applied
to pushes of matching tags by ``rules.ruleset_refusal``."""

from __future__ import annotations

from typing import Any

from tests.standin.rest import Answer, Request, Response, by_id, route
from tests.standin.state import Repo, Ruleset, now

UPGRADE = "Upgrade to GitHub Pro or make this repository public to enable this feature."
TARGETS = ("branch", "tag", "push")
ENFORCEMENTS = ("disabled", "active", "evaluate")
ACTOR_TYPES = ("Integration", "OrganizationAdmin", "RepositoryRole", "Team", "DeployKey", "User")
BYPASS_MODES = ("always", "pull_request", "exempt")
RULE_TYPES = (
    "creation", "update", "deletion", "required_linear_history", "merge_queue", "required_deployments",
    "required_signatures", "pull_request", "required_status_checks", "non_fast_forward",
    "commit_message_pattern", "commit_author_email_pattern", "committer_email_pattern",
    "branch_name_pattern", "tag_name_pattern", "workflows", "code_scanning", "copilot_code_review",
    "license_compliance_scanning", "file_path_restriction", "max_file_path_length",
    "file_extension_restriction", "max_file_size",
)  # fmt: skip


def _repo(request: Request, level: str) -> Repo:
    repo = request.repo(level)
    org = request.world.orgs.get(repo.owner.login)
    if repo.private and org is not None and (org.plan == "free" or not org.rulesets):
        raise Answer(403, UPGRADE)
    return repo


def _invalid(message: str, field: str | None = None) -> Answer:
    """GitHub's 422: each error an object naming the resource, a code and what is wrong."""
    error: dict[str, Any] = {"resource": "Ruleset", "code": "invalid", "message": message}
    if field is not None:
        error["field"] = field
    return Answer(422, "Validation Failed", errors=[error])


def _bypass_actors(request: Request, given: Any) -> list[dict[str, Any]]:
    if not isinstance(given, list):
        raise _invalid("Invalid property /bypass_actors: data must be an array")
    world = request.world
    actors = []
    for item in given:
        kind, number = item.get("actor_type"), item.get("actor_id")
        mode = item.get("bypass_mode", "always")
        if kind not in ACTOR_TYPES or mode not in BYPASS_MODES:
            raise _invalid(f"Invalid bypass actor {item!r}")
        if kind == "Team" and not any(t.id == number for t in world.teams.values()):
            raise _invalid(f"Actor {number} of type Team not found")
        if kind == "User" and not any(u.id == number for u in world.users.values()):
            raise _invalid(f"Actor {number} of type User not found")
        actors.append({"actor_id": number, "actor_type": kind, "bypass_mode": mode})
    return actors


def _rules(given: Any) -> list[dict[str, Any]]:
    if not isinstance(given, list) or not all(isinstance(r, dict) for r in given):
        raise _invalid("Invalid property /rules: data must be an array of objects")
    for rule in given:
        if rule.get("type") not in RULE_TYPES:
            raise _invalid(f"Invalid rule type {rule.get('type')!r}")
    return [dict(rule) for rule in given]


def _conditions(given: Any) -> dict[str, Any]:
    ref_name = (given or {}).get("ref_name") if isinstance(given, dict) else None
    if not isinstance(ref_name, dict):
        raise _invalid("Invalid property /conditions: ref_name is required")
    include, exclude = ref_name.get("include") or [], ref_name.get("exclude") or []
    if not all(isinstance(x, str) for x in [*include, *exclude]):
        raise _invalid("Invalid property /conditions/ref_name: patterns must be strings")
    return {"ref_name": {"include": list(include), "exclude": list(exclude)}}


def _apply(request: Request, ruleset: Ruleset) -> None:
    """The fields the body gives, all checked before any is stored."""
    changes: dict[str, Any] = {}
    if request.field("name") is not None:
        changes["name"] = str(request.field("name"))
    for key, allowed in (("target", TARGETS), ("enforcement", ENFORCEMENTS)):
        value = request.field(key)
        if value is not None:
            if value not in allowed:
                raise _invalid(f"Invalid {key} {value!r}")
            changes[key] = value
    if request.field("bypass_actors") is not None:
        changes["bypass_actors"] = _bypass_actors(request, request.field("bypass_actors"))
    if request.field("conditions") is not None:
        changes["conditions"] = _conditions(request.field("conditions"))
    if request.field("rules") is not None:
        changes["rules"] = _rules(request.field("rules"))
    for key, value in changes.items():
        setattr(ruleset, key, value)
    ruleset.updated_at = now()


def _name_taken(request: Request, repo: Repo, ruleset: Ruleset | None) -> None:
    name = request.field("name")
    if name is not None and any(r is not ruleset and r.name == name for r in repo.rulesets):
        raise _invalid("Name must be unique", "name")


@route("GET", "/repos/{owner}/{repo}/rulesets")
def list_rulesets(request: Request) -> Response:
    repo = _repo(request, "read")
    targets = set((request.arg("targets") or ",".join(TARGETS)).split(","))
    page = request.page([r for r in repo.rulesets if r.target in targets])
    listed = [request.f.ruleset(repo, r, request.user, full=False) for r in page.body]
    return Response(200, listed, page.headers)


@route("POST", "/repos/{owner}/{repo}/rulesets")
def create_ruleset(request: Request) -> Response:
    repo = _repo(request, "admin")
    request.need("name"), request.need("enforcement")
    ruleset = Ruleset(request.world.ids(), "", "branch", "disabled")
    _name_taken(request, repo, None)
    _apply(request, ruleset)
    repo.rulesets.append(ruleset)
    return Response(201, request.f.ruleset(repo, ruleset, request.user))


def _ruleset(request: Request, repo: Repo) -> Ruleset:
    return by_id(repo.rulesets, request.params["ruleset_id"])


@route("GET", "/repos/{owner}/{repo}/rulesets/{ruleset_id}")
def get_ruleset(request: Request) -> Response:
    repo = _repo(request, "read")
    return Response(200, request.f.ruleset(repo, _ruleset(request, repo), request.user))


@route("PUT", "/repos/{owner}/{repo}/rulesets/{ruleset_id}")
def update_ruleset(request: Request) -> Response:
    repo = _repo(request, "admin")
    ruleset = _ruleset(request, repo)
    _name_taken(request, repo, ruleset)
    _apply(request, ruleset)
    return Response(200, request.f.ruleset(repo, ruleset, request.user))


@route("DELETE", "/repos/{owner}/{repo}/rulesets/{ruleset_id}")
def delete_ruleset(request: Request) -> Response:
    repo = _repo(request, "admin")
    repo.rulesets.remove(_ruleset(request, repo))
    return Response(204)

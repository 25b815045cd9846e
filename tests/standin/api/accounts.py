"""Users, organizations and teams."""

from __future__ import annotations

import re

from tests.standin.rest import Answer, Request, Response, route
from tests.standin.state import Org, Team, User


def _org(request: Request) -> Org:
    org = request.world.orgs.get(request.params["org"])
    if org is None:
        raise Answer(404, "Not Found")
    return org


def _team(request: Request) -> Team:
    org = _org(request)
    team = request.world.teams.get((org.user.login, request.params["team_slug"]))
    if team is None:
        raise Answer(404, "Not Found")
    return team


def _org_admin(request: Request, org: Org) -> None:
    if request.user.login not in org.owners:
        raise Answer(403, "You must be an organization owner to do this.")


def _account(request: Request, login: str) -> User:
    user = request.world.users.get(login)
    if user is None:
        raise Answer(404, "Not Found")
    return user


@route("GET", "/user")
def get_authenticated(request: Request) -> Response:
    if request.token is not None and request.token.app is not None:
        raise Answer(403, "Resource not accessible by integration")
    return Response(200, request.f.public_user(request.user, private=True))


@route("GET", "/users/{username}")
def get_user(request: Request) -> Response:
    user = _account(request, request.params["username"])
    return Response(200, request.f.public_user(user))


@route("GET", "/orgs/{org}")
def get_org(request: Request) -> Response:
    return Response(200, request.f.organization(_org(request)))


@route("GET", "/orgs/{org}/teams")
def list_teams(request: Request) -> Response:
    org = _org(request)
    if request.token is None or request.user.login not in org.members | org.owners:
        raise Answer(403, "Must be a member of the organization")
    teams = [t for (o, _), t in request.world.teams.items() if o == org.user.login]
    return request.page([request.f.team(t) for t in sorted(teams, key=lambda t: t.id)])


@route("POST", "/orgs/{org}/teams")
def create_team(request: Request) -> Response:
    org = _org(request)
    _org_admin(request, org)
    name = str(request.need("name"))
    slug = re.sub(r"[^a-z0-9_]+", "-", name.lower()).strip("-")
    if (org.user.login, slug) in request.world.teams:
        raise Answer(
            422,
            "Validation Failed",
            errors=[
                {
                    "resource": "Team",
                    "code": "already_exists",
                    "field": "name",
                    "message": "Name must be unique for this org",
                }
            ],
        )
    team = Team(
        request.world.ids(),
        org.user.login,
        name,
        slug,
        request.field("description"),
        request.field("privacy") or "secret",
        request.field("permission") or "pull",
    )
    # GitHub makes the creator a maintainer of the new team, besides those named
    team.members[request.user.login] = "maintainer"
    for login in request.field("maintainers") or []:
        team.members[login] = "maintainer"
    request.world.teams[(org.user.login, slug)] = team
    # the (deprecated, still honoured) permission the repositories in repo_names are added with
    granted = {"pull": "read", "push": "write"}.get(str(request.field("permission") or "pull"), "read")
    for full_name in request.field("repo_names") or []:
        team.repos[request.world.repo(full_name).full_name] = granted
    return Response(201, request.f.team(team, full=True))


@route("GET", "/orgs/{org}/teams/{team_slug}")
def get_team(request: Request) -> Response:
    team = _team(request)
    return Response(200, request.f.team(team, full=True))


@route("GET", "/orgs/{org}/teams/{team_slug}/members")
def list_team_members(request: Request) -> Response:
    team = _team(request)
    role = request.arg("role", "all")
    logins = [m for m, r in team.members.items() if role in ("all", r)]
    return request.page([request.f.simple_user(request.world.users[m]) for m in logins])


@route("GET", "/orgs/{org}/teams/{team_slug}/memberships/{username}")
def get_membership(request: Request) -> Response:
    team = _team(request)
    if request.token is not None and request.token.app is not None:
        raise Answer(404, "Not Found")  # a workflow token cannot read team membership
    if request.params["username"] not in team.members:
        raise Answer(404, "Not Found")
    return Response(200, request.f.team_membership(team, request.params["username"]))


@route("PUT", "/orgs/{org}/teams/{team_slug}/memberships/{username}")
def add_membership(request: Request) -> Response:
    team = _team(request)
    org = _org(request)
    _org_admin(request, org)
    user = _account(request, request.params["username"])
    team.members[user.login] = request.field("role") or "member"
    org.members.add(user.login)
    return Response(200, request.f.team_membership(team, user.login))


@route("DELETE", "/orgs/{org}/teams/{team_slug}/memberships/{username}")
def remove_membership(request: Request) -> Response:
    team = _team(request)
    _org_admin(request, _org(request))
    team.members.pop(request.params["username"], None)
    return Response(204)


@route("PUT", "/orgs/{org}/teams/{team_slug}/repos/{owner}/{repo}")
def add_team_repo(request: Request) -> Response:
    team = _team(request)
    _org_admin(request, _org(request))
    repo = request.repo("admin")
    permission = request.field("permission") or "push"
    team.repos[repo.full_name] = {"pull": "read", "push": "write"}.get(permission, permission)
    return Response(204)


@route("GET", "/repos/{owner}/{repo}/teams")
def list_repo_teams(request: Request) -> Response:
    repo = request.repo("read")
    teams = [t for t in request.world.teams.values() if repo.full_name in t.repos]
    legacy = {"read": "pull", "write": "push"}
    return request.page(
        [
            request.f.team(t, permission=legacy.get(t.repos[repo.full_name], t.repos[repo.full_name]))
            for t in teams
        ]
    )

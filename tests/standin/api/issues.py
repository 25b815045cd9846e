"""Labels, issues, their comments and events (the events say who labelled an issue)."""

from __future__ import annotations

from tests.standin.rest import Answer, Request, Response, route
from tests.standin.state import Comment, Issue, IssueEvent, Label, Repo, User, now

DEFAULT_COLOR = "ededed"


def _issue(request: Request, repo: Repo) -> Issue:
    try:
        issue = repo.issues.get(int(request.params["issue_number"]))
    except ValueError:
        issue = None
    if issue is None:
        raise Answer(404, "Not Found")
    return issue


def _label(request: Request, repo: Repo, name: str, *, create: bool = False) -> Label:
    label = repo.labels.get(name.lower())
    if label is None:
        if not create:
            raise Answer(404, "Label does not exist")
        label = Label(request.world.ids(), name, DEFAULT_COLOR, None)
        repo.labels[name.lower()] = label
    return label


def add_labels(request: Request, repo: Repo, issue: Issue, names: list[str], actor: User) -> None:
    for name in names:
        label = _label(request, repo, str(name), create=True)
        if label.name not in issue.labels:
            issue.labels.append(label.name)
            issue.events.append(IssueEvent(request.world.ids(), actor, "labeled", label.name))
    issue.updated_at = now()


def _set_state(request: Request, issue: Issue, state: str, reason: str | None, actor: User) -> None:
    if state not in ("open", "closed"):
        raise Answer(
            422, "Validation Failed", errors=[{"resource": "Issue", "field": "state", "code": "invalid"}]
        )
    if state == issue.state:
        return
    issue.state = state
    issue.closed_at = now() if state == "closed" else None
    issue.state_reason = (reason or "completed") if state == "closed" else "reopened"
    issue.events.append(IssueEvent(request.world.ids(), actor, "closed" if state == "closed" else "reopened"))


# ---- labels
@route("GET", "/repos/{owner}/{repo}/labels")
def list_labels(request: Request) -> Response:
    repo = request.repo("read")
    return request.page([request.f.label(repo, label) for label in repo.labels.values()])


@route("POST", "/repos/{owner}/{repo}/labels")
def create_label(request: Request) -> Response:
    repo = request.repo("write")
    name = str(request.need("name"))
    if name.lower() in repo.labels:
        raise Answer(
            422,
            "Validation Failed",
            errors=[{"resource": "Label", "code": "already_exists", "field": "name"}],
        )
    label = Label(
        request.world.ids(),
        name,
        str(request.field("color") or DEFAULT_COLOR).lstrip("#"),
        request.field("description"),
    )
    repo.labels[name.lower()] = label
    return Response(201, request.f.label(repo, label))


@route("GET", "/repos/{owner}/{repo}/labels/{name}")
def get_label(request: Request) -> Response:
    repo = request.repo("read")
    return Response(200, request.f.label(repo, _label(request, repo, request.params["name"])))


@route("PATCH", "/repos/{owner}/{repo}/labels/{name}")
def edit_label(request: Request) -> Response:
    repo = request.repo("write")
    label = _label(request, repo, request.params["name"])
    new_name = request.field("new_name")
    if new_name and new_name != label.name:
        if new_name.lower() in repo.labels and new_name.lower() != label.name.lower():
            raise Answer(422, "Validation Failed", errors=[{"resource": "Label", "code": "already_exists"}])
        del repo.labels[label.name.lower()]
        for issue in repo.issues.values():
            issue.labels = [new_name if n == label.name else n for n in issue.labels]
        label.name = new_name
        repo.labels[new_name.lower()] = label
    label.updated_at = now()
    if request.field("color") is not None:
        label.color = str(request.field("color")).lstrip("#")
    if request.field("description") is not None:
        label.description = request.field("description")
    return Response(200, request.f.label(repo, label))


# ---- issues
@route("GET", "/repos/{owner}/{repo}/issues")
def list_issues(request: Request) -> Response:
    repo = request.repo("read")
    state = request.arg("state", "open")
    wanted = {n.strip().lower() for n in (request.arg("labels") or "").split(",") if n.strip()}
    creator = request.arg("creator")
    found = [
        issue
        for issue in repo.issues.values()
        if state in ("all", issue.state)
        and wanted <= {n.lower() for n in issue.labels}
        and (creator is None or issue.user.login == creator)
    ]
    reverse = request.arg("direction", "desc") == "desc"
    found.sort(
        key=lambda i: (i.updated_at if request.arg("sort") == "updated" else i.created_at, i.number),
        reverse=reverse,
    )
    return request.page([request.f.issue(repo, issue) for issue in found])


@route("POST", "/repos/{owner}/{repo}/issues")
def create_issue(request: Request) -> Response:
    repo = request.repo("read")
    user = request.user
    number = max(repo.issues, default=0) + 1
    issue = Issue(request.world.ids(), number, str(request.need("title")), request.field("body"), user)
    repo.issues[number] = issue
    if request.world.can(repo, user, "triage"):
        add_labels(request, repo, issue, list(request.field("labels") or []), user)
    return Response(201, request.f.issue(repo, issue))


@route("GET", "/repos/{owner}/{repo}/issues/{issue_number}")
def get_issue(request: Request) -> Response:
    repo = request.repo("read")
    return Response(200, request.f.issue(repo, _issue(request, repo)))


@route("PATCH", "/repos/{owner}/{repo}/issues/{issue_number}")
def edit_issue(request: Request) -> Response:
    repo = request.repo("read")
    issue = _issue(request, repo)
    user = request.user
    if issue.user is not user and not request.world.can(repo, user, "triage"):
        raise Answer(403, "Must have triage rights to edit this issue.")
    for key in ("title", "body"):
        if request.field(key) is not None:
            setattr(issue, key, request.field(key))
    if request.field("body") is not None:
        issue.edited_at = now()
        issue.editor = user
    if request.field("state") is not None:
        _set_state(request, issue, request.field("state"), request.field("state_reason"), user)
    if request.field("labels") is not None:
        names = [str(n["name"] if isinstance(n, dict) else n) for n in request.field("labels")]
        for gone in [n for n in issue.labels if n.lower() not in {x.lower() for x in names}]:
            issue.labels.remove(gone)
            issue.events.append(IssueEvent(request.world.ids(), user, "unlabeled", gone))
        add_labels(request, repo, issue, names, user)
    issue.updated_at = now()
    return Response(200, request.f.issue(repo, issue))


@route("GET", "/repos/{owner}/{repo}/issues/{issue_number}/comments")
def list_comments(request: Request) -> Response:
    repo = request.repo("read")
    issue = _issue(request, repo)
    return request.page([request.f.comment(repo, issue, c) for c in issue.comments])


@route("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments")
def create_comment(request: Request) -> Response:
    repo = request.repo("read")
    issue = _issue(request, repo)
    comment = Comment(request.world.ids(), request.user, str(request.need("body")))
    issue.comments.append(comment)
    issue.updated_at = now()
    return Response(201, request.f.comment(repo, issue, comment))


def _comment(request: Request, repo: Repo) -> tuple[Issue, Comment]:
    """The comment of the path, and its issue; only its author or someone with write access may change it."""
    wanted = request.params["comment_id"]
    for issue in repo.issues.values():
        for comment in issue.comments:
            if str(comment.id) == wanted:
                if comment.user is not request.user and not request.world.can(repo, request.user, "write"):
                    raise Answer(403, "Must have write access to change another user's comment.")
                return issue, comment
    raise Answer(404, "Not Found")


@route("GET", "/repos/{owner}/{repo}/issues/comments/{comment_id}")
def get_comment(request: Request) -> Response:
    repo = request.repo("read")
    for issue in repo.issues.values():
        for comment in issue.comments:
            if str(comment.id) == request.params["comment_id"]:
                return Response(200, request.f.comment(repo, issue, comment))
    raise Answer(404, "Not Found")


@route("PATCH", "/repos/{owner}/{repo}/issues/comments/{comment_id}")
def edit_comment(request: Request) -> Response:
    repo = request.repo("read")
    issue, comment = _comment(request, repo)
    comment.body = str(request.need("body"))
    comment.edited_at = comment.updated_at = now()
    comment.editor = request.user
    return Response(200, request.f.comment(repo, issue, comment))


@route("DELETE", "/repos/{owner}/{repo}/issues/comments/{comment_id}")
def delete_comment(request: Request) -> Response:
    repo = request.repo("read")
    issue, comment = _comment(request, repo)
    issue.comments.remove(comment)
    deleted = IssueEvent(request.world.ids(), request.user, "comment_deleted", deleted_author=comment.user)
    issue.events.append(deleted)
    return Response(204)


@route("POST", "/repos/{owner}/{repo}/issues/{issue_number}/labels")
def add_issue_labels(request: Request) -> Response:
    repo = request.repo("triage")
    issue = _issue(request, repo)
    body = request.body
    names = body if isinstance(body, list) else request.field("labels") or []
    add_labels(
        request, repo, issue, [str(n["name"] if isinstance(n, dict) else n) for n in names], request.user
    )
    return Response(200, [request.f.label(repo, repo.labels[n.lower()]) for n in issue.labels])


@route("DELETE", "/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}")
def remove_issue_label(request: Request) -> Response:
    repo = request.repo("triage")
    issue = _issue(request, repo)
    name = next((n for n in issue.labels if n.lower() == request.params["name"].lower()), None)
    if name is None:
        raise Answer(404, "Label does not exist")
    issue.labels.remove(name)
    issue.events.append(IssueEvent(request.world.ids(), request.user, "unlabeled", name))
    issue.updated_at = now()
    return Response(200, [request.f.label(repo, repo.labels[n.lower()]) for n in issue.labels])


@route("GET", "/repos/{owner}/{repo}/issues/{issue_number}/events")
def list_issue_events(request: Request) -> Response:
    repo = request.repo("read")
    issue = _issue(request, repo)
    # the stand-in keeps comment deletions for GraphQL's CommentDeletedEvent only
    return request.page(
        [request.f.issue_event(repo, e) for e in issue.events if e.event != "comment_deleted"]
    )


@route("GET", "/repos/{owner}/{repo}/issues/events")
def list_repository_issue_events(request: Request) -> Response:
    """Every issue's events, newest first as GitHub lists them, each with its issue."""
    repo = request.repo("read")
    events = [
        (e, issue) for issue in repo.issues.values() for e in issue.events if e.event != "comment_deleted"
    ]
    events.sort(key=lambda pair: pair[0].id, reverse=True)
    return request.page([request.f.issue_event(repo, e, issue) for e, issue in events])

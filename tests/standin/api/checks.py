"""Check runs (only apps make them, and each belongs to its app), commit statuses and security advisories."""

from __future__ import annotations

import secrets

from tests.standin.rest import Answer, Request, Response, route
from tests.standin.state import Advisory, Annotation, CheckRun, Repo, Status, now

LEVELS = {"notice", "warning", "failure"}
CONCLUSIONS = {"success", "failure", "neutral", "cancelled", "skipped", "timed_out", "action_required"}
STATES = {"error", "failure", "pending", "success"}


def _annotations(request: Request) -> list[Annotation]:
    output = request.field("output") or {}
    items = output.get("annotations") or []
    if len(items) > 50:
        raise Answer(422, "Only 50 annotations are allowed per request")
    found = []
    for item in items:
        if item.get("annotation_level") not in LEVELS or not item.get("path") or not item.get("message"):
            raise Answer(422, f"Invalid annotation {item!r}")
        found.append(
            Annotation(
                str(item["path"]),
                int(item["start_line"]),
                int(item["end_line"]),
                item["annotation_level"],
                str(item["message"]),
                item.get("title"),
            )
        )
    return found


def _apply(request: Request, run: CheckRun) -> None:
    for key in ("external_id", "details_url", "started_at", "completed_at"):
        if request.field(key) is not None:
            setattr(run, key, request.field(key))
    status, conclusion = request.field("status"), request.field("conclusion")
    if conclusion is not None:
        if conclusion not in CONCLUSIONS:
            raise Answer(422, f"Invalid conclusion {conclusion!r}")
        run.conclusion, run.status = conclusion, "completed"
        run.completed_at = run.completed_at or now()
    elif status is not None:
        if status == "completed":
            raise Answer(422, "conclusion is required when status is completed")
        run.status = status
    if run.status == "in_progress" and run.started_at is None:
        run.started_at = now()
    output = request.field("output")
    if output:
        run.title, run.summary = output.get("title", run.title), output.get("summary", run.summary)
        run.text = output.get("text", run.text)
        run.annotations += _annotations(request)


@route("POST", "/repos/{owner}/{repo}/check-runs")
def create_check_run(request: Request) -> Response:
    repo = request.repo("read")
    token = request.token
    if token is None or token.app is None:
        raise Answer(403, "You must authenticate via a GitHub App.")
    repo = request.repo("write")
    head_sha = repo.git.rev(str(request.need("head_sha")))
    if head_sha is None:
        raise Answer(422, "No commit found for SHA: " + str(request.field("head_sha")))
    suite = next((r.suite_id for r in repo.check_runs if r.head_sha == head_sha and r.app is token.app), 0)
    run = CheckRun(
        request.world.ids(),
        str(request.need("name")),
        head_sha,
        token.app,
        suite_id=suite or request.world.ids(),
    )
    run.started_at = request.field("started_at") or now()
    _apply(request, run)
    repo.check_runs.append(run)
    return Response(201, request.f.check_run(repo, run))


@route("PATCH", "/repos/{owner}/{repo}/check-runs/{check_run_id}")
def update_check_run(request: Request) -> Response:
    repo = request.repo("write")
    run = next((r for r in repo.check_runs if str(r.id) == request.params["check_run_id"]), None)
    if run is None:
        raise Answer(404, "Not Found")
    if request.token is None or request.token.app is not run.app:
        raise Answer(
            403, "Invalid app_id `0` - check run can only be modified by the GitHub App that created it."
        )
    if request.field("name") is not None:
        run.name = str(request.field("name"))
    _apply(request, run)
    return Response(200, request.f.check_run(repo, run))


def _commit(repo: Repo, ref: str) -> str:
    sha = repo.git.rev(ref)
    if sha is None:
        raise Answer(422, f"No commit found for SHA: {ref}")
    return sha


@route("GET", "/repos/{owner}/{repo}/commits/{ref}/check-runs")
def list_check_runs(request: Request) -> Response:
    repo = request.repo("read")
    sha = _commit(repo, request.params["ref"])
    name, status, app_id = request.arg("check_name"), request.arg("status"), request.arg("app_id")
    runs = [
        r
        for r in repo.check_runs
        if r.head_sha == sha
        and (name is None or r.name == name)
        and (status is None or r.status == status)
        and (app_id is None or (r.app is not None and str(r.app.id) == app_id))
    ]
    if request.arg("filter", "latest") == "latest":
        latest = {}
        for run in runs:
            latest[(run.name, run.app.id if run.app else 0)] = run
        runs = list(latest.values())
    runs.sort(key=lambda r: r.id, reverse=True)
    page = request.page([request.f.check_run(repo, r) for r in runs])
    page.body = {"total_count": len(runs), "check_runs": page.body}
    return page


@route("POST", "/repos/{owner}/{repo}/statuses/{sha}")
def create_status(request: Request) -> Response:
    repo = request.repo("write")
    sha = _commit(repo, request.params["sha"])
    state = request.need("state")
    if state not in STATES:
        raise Answer(
            422, "Validation Failed", errors=[{"resource": "Status", "field": "state", "code": "custom"}]
        )
    token = request.token
    assert token is not None  # request.repo("write") answered 401/404 otherwise
    status = Status(
        request.world.ids(),
        sha,
        state,
        str(request.field("context") or "default"),
        request.field("description"),
        request.field("target_url"),
        token.user,
        token.app,
    )
    repo.statuses.append(status)
    return Response(201, request.f.status(repo, status))


@route("GET", "/repos/{owner}/{repo}/commits/{ref}/status")
def combined_status(request: Request) -> Response:
    repo = request.repo("read")
    sha = _commit(repo, request.params["ref"])
    latest: dict[str, Status] = {}
    for status in repo.statuses:
        if status.sha == sha:
            latest[status.context] = status
    return Response(200, request.f.combined_status(repo, sha, list(latest.values())))


@route("POST", "/repos/{owner}/{repo}/security-advisories")
def create_advisory(request: Request) -> Response:
    repo = request.repo("admin")
    severity = request.field("severity")
    if severity is not None and severity not in ("critical", "high", "medium", "low"):
        raise Answer(422, f"Invalid severity {severity!r}")
    ghsa = "GHSA-" + "-".join(secrets.token_hex(2) for _ in range(3))
    advisory = Advisory(
        ghsa, str(request.need("summary")), str(request.need("description")), severity, request.user
    )
    repo.advisories.append(advisory)
    return Response(201, request.f.advisory(repo, advisory))

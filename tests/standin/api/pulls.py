"""Pull requests, reviews and merges (merges go through ``rules.merge``: real git, real protection)."""

from __future__ import annotations

from tests.standin import rules
from tests.standin.rest import Answer, Request, Response, route
from tests.standin.state import Issue, PullRequest, Repo, Review, now

REVIEW_EVENTS = {"APPROVE": "APPROVED", "REQUEST_CHANGES": "CHANGES_REQUESTED", "COMMENT": "COMMENTED"}


def _pull(request: Request, repo: Repo) -> PullRequest:
    try:
        pr = request.world.pull(repo, int(request.params["pull_number"]))
    except ValueError:
        pr = None
    if pr is None:
        raise Answer(404, "Not Found")
    return pr


def _branch_name(repo: Repo, value: str) -> str:
    owner, _, branch = value.rpartition(":")
    if owner and owner.lower() != repo.owner.login.lower():
        raise Answer(
            422,
            "Validation Failed",
            errors=[
                {
                    "resource": "PullRequest",
                    "field": "head",
                    "code": "invalid",
                    "message": "the stand-in models pull requests within one repository",
                }
            ],
        )
    return branch


@route("POST", "/repos/{owner}/{repo}/pulls")
def create_pull(request: Request) -> Response:
    repo = request.repo("read")
    head = _branch_name(repo, str(request.need("head")))
    base = str(request.need("base"))
    head_sha, base_sha = repo.git.rev(f"refs/heads/{head}"), repo.git.rev(f"refs/heads/{base}")
    if head_sha is None or base_sha is None:
        which = "head" if head_sha is None else "base"
        raise Answer(
            422, "Validation Failed", errors=[{"resource": "PullRequest", "field": which, "code": "invalid"}]
        )
    if any(p.head == head and p.base == base and p.issue.state == "open" for p in repo.pulls()):
        raise Answer(
            422,
            "Validation Failed",
            errors=[
                {
                    "resource": "PullRequest",
                    "code": "custom",
                    "message": f"A pull request already exists for {repo.owner.login}:{head}.",
                }
            ],
        )
    if not repo.git.rev_list(head_sha, f"^{base_sha}"):
        raise Answer(
            422,
            "Validation Failed",
            errors=[
                {
                    "resource": "PullRequest",
                    "code": "custom",
                    "message": f"No commits between {base} and {head}",
                }
            ],
        )
    world = request.world
    number = max(repo.issues, default=0) + 1
    issue = Issue(world.ids(), number, str(request.need("title")), request.field("body"), request.user)
    pr = PullRequest(world.ids(), issue, head, base, head_sha, base_sha, draft=bool(request.field("draft")))
    pr.last_pusher = request.user.login
    issue.pull = pr
    repo.issues[number] = issue
    return Response(201, request.f.pull(repo, pr))


@route("GET", "/repos/{owner}/{repo}/pulls")
def list_pulls(request: Request) -> Response:
    repo = request.repo("read")
    state = request.arg("state", "open")
    head = request.arg("head")
    base = request.arg("base")
    found = [
        pr
        for pr in repo.pulls()
        if state in ("all", pr.issue.state)
        and (head is None or pr.head == _branch_name(repo, head))
        and (base is None or pr.base == base)
    ]
    found.sort(key=lambda p: p.issue.number, reverse=request.arg("direction", "desc") == "desc")
    return request.page([request.f.pull(repo, pr, full=False) for pr in found])


@route("GET", "/repos/{owner}/{repo}/pulls/{pull_number}")
def get_pull(request: Request) -> Response:
    repo = request.repo("read")
    return Response(200, request.f.pull(repo, _pull(request, repo)))


@route("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews")
def list_reviews(request: Request) -> Response:
    repo = request.repo("read")
    pr = _pull(request, repo)
    return request.page([request.f.review(repo, pr, r) for r in pr.reviews])


@route("POST", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews")
def create_review(request: Request) -> Response:
    repo = request.repo("read")
    pr = _pull(request, repo)
    user = request.user
    event = request.field("event")
    if event not in REVIEW_EVENTS:
        raise Answer(422, "Unprocessable Entity", errors=[f"Invalid event {event!r}"])
    state = REVIEW_EVENTS[event]
    if user is pr.issue.user and state != "COMMENTED":
        word = "approve" if state == "APPROVED" else "request changes on"
        raise Answer(422, "Unprocessable Entity", errors=[f"Review Can not {word} your own pull request"])
    if pr.issue.state != "open":
        raise Answer(422, "Unprocessable Entity", errors=["Pull request is closed"])
    commit_id = request.field("commit_id") or pr.head_sha
    if repo.git.object_type(str(commit_id)) != "commit":
        raise Answer(422, "Unprocessable Entity", errors=["Commit id is not a commit"])
    review = Review(request.world.ids(), user, state, str(commit_id), str(request.field("body") or ""))
    pr.reviews.append(review)
    pr.issue.updated_at = now()
    return Response(200, request.f.review(repo, pr, review))


def _review(request: Request, pr: PullRequest) -> Review:
    review = next((r for r in pr.reviews if str(r.id) == request.params["review_id"]), None)
    if review is None:
        raise Answer(404, "Not Found")
    return review


@route("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}")
def get_review(request: Request) -> Response:
    repo = request.repo("read")
    pr = _pull(request, repo)
    return Response(200, request.f.review(repo, pr, _review(request, pr)))


@route("PUT", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}/dismissals")
def dismiss_review(request: Request) -> Response:
    repo = request.repo("write")
    pr = _pull(request, repo)
    review = _review(request, pr)
    request.need("message")
    if review.state not in ("APPROVED", "CHANGES_REQUESTED"):
        raise Answer(422, f"Can not dismiss a {review.state.lower()} pull request review")
    review.state = "DISMISSED"
    return Response(200, request.f.review(repo, pr, review))


@route("PUT", "/repos/{owner}/{repo}/pulls/{pull_number}/merge")
def merge_pull(request: Request) -> Response:
    repo = request.repo("write")
    pr = _pull(request, repo)
    try:
        sha = rules.merge(
            request.world,
            repo,
            pr,
            request.user,
            request.field("merge_method") or "merge",
            sha=request.field("sha"),
            title=request.field("commit_title"),
            message=request.field("commit_message"),
        )
    except rules.Refusal as refusal:
        raise Answer(refusal.status, refusal.message) from refusal
    return Response(200, {"sha": sha, "merged": True, "message": "Pull Request successfully merged"})


@route("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/commits")
def list_pull_commits(request: Request) -> Response:
    repo = request.repo("read")
    pr = _pull(request, repo)
    shas = request.world.pr_commits(repo, pr)[:250]
    return request.page([request.f.commit(repo, repo.git.commit(s)) for s in shas])


@route("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/files")
def list_pull_files(request: Request) -> Response:
    repo = request.repo("read")
    pr = _pull(request, repo)
    changes = request.world.pr_changes(repo, pr)[:3000]
    return request.page([request.f.diff_entry(repo, pr.head_sha, c) for c in changes])


@route("GET", "/repos/{owner}/{repo}/commits/{commit_sha}/pulls")
def pulls_of_commit(request: Request) -> Response:
    repo = request.repo("read")
    sha = repo.git.rev(request.params["commit_sha"])
    if sha is None:
        raise Answer(422, f"No commit found for SHA: {request.params['commit_sha']}")
    found = [pr for pr in repo.pulls() if sha in pr.landed or sha in request.world.pr_commits(repo, pr)]
    return request.page([request.f.pull(repo, pr, full=False) for pr in found])

"""Event payloads for ``GITHUB_EVENT_PATH``: each starts from GitHub's own example for the event and action
(``spec/webhooks/``, from @octokit/webhooks-examples) and is filled with the stand-in's real state."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.standin.factories import Json
from tests.standin.gitstore import commits_of

if TYPE_CHECKING:
    from tests.standin.core import StandIn
    from tests.standin.state import Repo

EXAMPLES = Path(__file__).parent / "spec" / "webhooks"


def example(name: str, action: str | None) -> Json:
    file = EXAMPLES / (f"{name}.{action}.json" if action else f"{name}.json")
    if not file.is_file():
        known = sorted(p.stem for p in EXAMPLES.glob("*.json"))
        raise ValueError(f"no example for {name}/{action}; known: {', '.join(known)}")
    loaded: Json = json.loads(file.read_text())
    return copy.deepcopy(loaded)


def event_payload(stand_in: StandIn, name: str, action: str | None = None, **state: Any) -> Json:
    """``state``: ``repo`` (owner/name, always), ``sender`` (a login), and per event ``number`` (a pull
    request or issue), ``review_id``, ``label``, ``comment_id``, ``before``/``after``/``ref`` (push),
    ``head_sha``/``base`` (merge_group)."""
    world = stand_in.world
    f = stand_in.server.factories
    with world.lock:
        repo = world.repo(state["repo"])
        payload = example(name, action)
        for key in ("installation", "enterprise", "organization"):
            payload.pop(key, None)
        payload["repository"] = f.repository(repo)
        org = world.orgs.get(repo.owner.login)
        if org is not None:
            payload["organization"] = f.organization(org, full=False)
        sender = world.users[state.get("sender") or repo.owner.login]
        payload["sender"] = f.simple_user(sender)
        builder = _BUILDERS.get(name)
        if builder is None:
            raise ValueError(f"the stand-in builds no {name} payload; add one to tests/standin/events.py")
        builder(stand_in, repo, payload, state)
        return payload


def _pull_request(stand_in: StandIn, repo: Repo, payload: Json, state: dict[str, Any]) -> None:
    pr = stand_in.world.pull(repo, int(state["number"]))
    if pr is None:
        raise ValueError(f"no pull request #{state['number']} in {repo.full_name}")
    payload["number"] = pr.issue.number
    payload["pull_request"] = stand_in.server.factories.pull(repo, pr)
    if payload.get("action") == "synchronize":
        payload["before"] = state.get("before") or payload.get("before")
        payload["after"] = pr.head_sha


def _review(stand_in: StandIn, repo: Repo, payload: Json, state: dict[str, Any]) -> None:
    pr = stand_in.world.pull(repo, int(state["number"]))
    if pr is None:
        raise ValueError(f"no pull request #{state['number']} in {repo.full_name}")
    f = stand_in.server.factories
    payload["pull_request"] = f.pull(repo, pr, full=False)
    wanted = state.get("review_id")
    review = (
        next((r for r in pr.reviews if wanted is None or r.id == int(wanted)), None) if pr.reviews else None
    )
    if review is None:
        raise ValueError(f"pull request #{pr.issue.number} has no review {wanted or ''}".strip())
    body = f.review(repo, pr, review)
    body["state"] = body["state"].lower()  # webhooks spell review states in lower case
    payload["review"] = body


def _merge_group(stand_in: StandIn, repo: Repo, payload: Json, state: dict[str, Any]) -> None:
    base = state.get("base") or repo.default_branch
    head_sha = state["head_sha"]
    info = repo.git.commit(head_sha)
    base_sha = repo.git.rev(f"refs/heads/{base}")
    payload["merge_group"] = {
        "head_sha": head_sha,
        "head_ref": f"refs/heads/gh-readonly-queue/{base}/pr-{state.get('number', 1)}-{base_sha}",
        "base_sha": base_sha,
        "base_ref": f"refs/heads/{base}",
        "head_commit": _head_commit(info),
    }


def _head_commit(info: Any) -> Json:
    return {
        "id": info.sha,
        "tree_id": info.tree,
        "message": info.message,
        "timestamp": info.committer.date,
        "author": {"name": info.author.name, "email": info.author.email},
        "committer": {"name": info.committer.name, "email": info.committer.email},
    }


def _push(stand_in: StandIn, repo: Repo, payload: Json, state: dict[str, Any]) -> None:
    ref = state.get("ref") or f"refs/heads/{repo.default_branch}"
    after = state.get("after") or repo.git.rev(ref) or "0" * 40
    before = state.get("before") or "0" * 40
    shas = repo.git.rev_list("--reverse", after, *([f"^{before}"] if before != "0" * 40 else []))
    commits = [
        {
            **_head_commit(c),
            "distinct": True,
            "added": [],
            "removed": [],
            "modified": [],
            "url": f"{stand_in.world.web_url}/{repo.full_name}/commit/{c.sha}",
        }
        for c in commits_of(repo.git, shas[-20:])
    ]
    payload.update(
        {
            "ref": ref,
            "before": before,
            "after": after,
            "created": before == "0" * 40,
            "deleted": False,
            "forced": False,
            "base_ref": None,
            "compare": f"{stand_in.world.web_url}/{repo.full_name}/compare",
            "commits": commits,
            "head_commit": commits[-1] if commits else None,
            "pusher": {"name": payload["sender"]["login"], "email": payload["sender"].get("email")},
        }
    )


def _issues(stand_in: StandIn, repo: Repo, payload: Json, state: dict[str, Any]) -> None:
    f = stand_in.server.factories
    issue = repo.issues[int(state["number"])]
    payload["issue"] = f.issue(repo, issue)
    if "label" in state:
        payload["label"] = f.label(repo, repo.labels[str(state["label"]).lower()])


def _issue_comment(stand_in: StandIn, repo: Repo, payload: Json, state: dict[str, Any]) -> None:
    f = stand_in.server.factories
    issue = repo.issues[int(state["number"])]
    payload["issue"] = f.issue(repo, issue)
    wanted = state.get("comment_id")
    comment = next((c for c in reversed(issue.comments) if wanted is None or c.id == int(wanted)), None)
    if comment is None:
        raise ValueError(f"issue #{issue.number} has no comment {wanted or ''}".strip())
    payload["comment"] = f.comment(repo, issue, comment)


_BUILDERS = {
    "pull_request": _pull_request,
    "pull_request_review": _review,
    "merge_group": _merge_group,
    "push": _push,
    "issues": _issues,
    "issue_comment": _issue_comment,
}

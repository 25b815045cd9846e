"""Git data, branches, commits and contents: all read from and written to the real bare repository."""

from __future__ import annotations

import base64

from tests.standin import rules
from tests.standin.gitstore import EMPTY_TREE, GitError, Person
from tests.standin.rest import Answer, Request, Response, route
from tests.standin.state import Repo, now

_MODES = {"100644", "100755", "040000", "160000", "120000"}


def _sha(value: object, what: str) -> str:
    if not isinstance(value, str) or len(value) != 40 or any(c not in "0123456789abcdef" for c in value):
        raise Answer(422, f"Invalid {what}: {value!r}")
    return value


def _commit_or_404(repo: Repo, ref: str) -> str:
    sha = repo.git.rev(ref)
    if sha is None:
        raise Answer(404, f"No commit found for SHA: {ref}")
    return sha


def _git_object(request: Request, kind: str) -> tuple[Repo, str]:
    """The repository and the object named by the path's ``{kind}_sha``; 404 unless it is a ``kind``."""
    repo = request.repo("read")
    sha = request.params[f"{kind}_sha"]
    if repo.git.object_type(sha) != kind:
        raise Answer(404, "Not Found")
    return repo, sha


@route("POST", "/repos/{owner}/{repo}/git/blobs")
def create_blob(request: Request) -> Response:
    repo = request.repo("write")
    content = request.need("content")
    data = base64.b64decode(content) if request.field("encoding") == "base64" else str(content).encode()
    return Response(201, request.f.short_blob(repo, repo.git.write_blob(data)))


@route("POST", "/repos/{owner}/{repo}/git/trees")
def create_tree(request: Request) -> Response:
    repo = request.repo("write")
    base_tree = request.field("base_tree")
    if base_tree is not None and repo.git.object_type(_sha(base_tree, "base_tree")) != "tree":
        raise Answer(422, "Invalid base_tree")
    changes: list[tuple[str, str, str | None]] = []
    for item in request.need("tree"):
        path = str(item.get("path") or "").strip("/")
        mode = str(item.get("mode") or "100644")
        if not path or ".." in path.split("/") or mode not in _MODES:
            raise Answer(422, f"Invalid tree entry {item!r}")
        if "content" in item and item["content"] is not None:
            changes.append((path, mode, repo.git.write_blob(str(item["content"]).encode())))
        elif item.get("sha") is None:
            changes.append((path, mode, None))
        else:
            sha = _sha(item["sha"], "sha")
            if repo.git.object_type(sha) is None:
                raise Answer(422, f"Invalid sha {sha} for {path}")
            changes.append((path, mode, sha))
    try:
        tree = repo.git.write_tree(base_tree, changes)
    except GitError as exc:
        raise Answer(422, f"Invalid tree: {exc}") from exc
    return Response(201, request.f.git_tree(repo, tree, repo.git.ls_tree(tree)))


@route("POST", "/repos/{owner}/{repo}/git/commits")
def create_commit(request: Request) -> Response:
    repo = request.repo("write")
    user = request.user
    tree = _sha(request.need("tree"), "tree")
    if repo.git.object_type(tree) != "tree":
        raise Answer(422, "Tree SHA does not exist")
    parents = [_sha(p, "parent") for p in request.field("parents") or []]
    if any(repo.git.object_type(p) != "commit" for p in parents):
        raise Answer(422, "Parent SHA does not exist or is not a commit object")
    when = now()

    def person(value: object) -> Person:
        if isinstance(value, dict) and value.get("name") and value.get("email"):
            return Person(value["name"], value["email"], value.get("date") or when)
        return Person(user.name or user.login, user.email or f"{user.login}@users.noreply.example", when)

    author = person(request.field("author"))
    committer = person(request.field("committer") or request.field("author"))
    sha = repo.git.commit_tree(tree, parents, str(request.need("message")), author, committer)
    return Response(201, request.f.git_commit(repo, repo.git.commit(sha)))


@route("GET", "/repos/{owner}/{repo}/git/commits/{commit_sha}")
def get_git_commit(request: Request) -> Response:
    repo, sha = _git_object(request, "commit")
    return Response(200, request.f.git_commit(repo, repo.git.commit(sha)))


def _move_ref(request: Request, repo: Repo, ref: str, new: str, old: str) -> None:
    """A branch moved through the API: protection applies as for a push, pull requests follow."""
    reason = rules.refuse_push(request.world, repo, ref, old, new, request.user)
    if reason:
        raise Answer(422, reason.replace("\n", " "))
    repo.git.update_ref(ref, new, old if old != rules.ZERO else None)
    if ref.startswith("refs/heads/"):
        request.world.on_branch_moved(repo, ref.removeprefix("refs/heads/"), new, request.user.login)


@route("POST", "/repos/{owner}/{repo}/git/refs")
def create_ref(request: Request) -> Response:
    repo = request.repo("write")
    ref = str(request.need("ref"))
    sha = _sha(request.need("sha"), "sha")
    if not ref.startswith("refs/") or ref.count("/") < 2:
        raise Answer(422, "Reference name must start with 'refs/' and have at least two slashes.")
    if repo.git.run_raw(["check-ref-format", ref]).returncode != 0:
        raise Answer(422, f"{ref} is not a valid ref name.")
    if repo.git.object_type(sha) is None:
        raise Answer(422, "Object does not exist")
    if ref in repo.git.refs(ref):
        raise Answer(422, "Reference already exists")
    _move_ref(request, repo, ref, sha, rules.ZERO)
    return Response(201, request.f.git_ref(repo, ref, sha))


@route("PATCH", "/repos/{owner}/{repo}/git/refs/{ref}")
def update_ref(request: Request) -> Response:
    repo = request.repo("write")
    ref = f"refs/{request.params['ref']}"
    old = repo.git.refs(ref).get(ref)
    if old is None:
        raise Answer(422, "Reference does not exist")
    new = _sha(request.need("sha"), "sha")
    if repo.git.object_type(new) != "commit":
        raise Answer(422, "Object does not exist")
    if not request.field("force") and not repo.git.is_ancestor(old, new):
        raise Answer(422, "Update is not a fast forward")
    _move_ref(request, repo, ref, new, old)
    return Response(200, request.f.git_ref(repo, ref, new))


@route("GET", "/repos/{owner}/{repo}/git/ref/{ref}")
def get_ref(request: Request) -> Response:
    repo = request.repo("read")
    ref = f"refs/{request.params['ref']}"
    sha = repo.git.refs(ref).get(ref)
    if sha is None:
        raise Answer(404, "Not Found")
    return Response(200, request.f.git_ref(repo, ref, sha))


@route("GET", "/repos/{owner}/{repo}/git/matching-refs/{ref}")
def list_matching_refs(request: Request) -> Response:
    """Every ref whose name starts with ``refs/{ref}`` (GitHub answers them all, unpaged)."""
    repo = request.repo("read")
    prefix = f"refs/{request.params['ref']}"
    found = sorted((ref, sha) for ref, sha in repo.git.refs("refs/").items() if ref.startswith(prefix))
    return Response(200, [request.f.git_ref(repo, ref, sha) for ref, sha in found])


@route("GET", "/repos/{owner}/{repo}/git/tags/{tag_sha}")
def get_tag(request: Request) -> Response:
    repo, sha = _git_object(request, "tag")
    return Response(200, request.f.git_tag(repo, sha, repo.git.run("cat-file", "tag", sha)))


@route("GET", "/repos/{owner}/{repo}/branches/{branch}")
def get_branch(request: Request) -> Response:
    repo = request.repo("read")
    name = request.params["branch"]
    sha = repo.git.refs(f"refs/heads/{name}").get(f"refs/heads/{name}")
    if sha is None:
        raise Answer(404, "Branch not found")
    return Response(200, request.f.branch(repo, name, sha))


@route("GET", "/repos/{owner}/{repo}/commits/{ref}")
def get_commit(request: Request) -> Response:
    repo = request.repo("read")
    sha = _commit_or_404(repo, request.params["ref"])
    info = repo.git.commit(sha)
    files = repo.git.changes(info.parents[0] if info.parents else EMPTY_TREE, sha)
    return Response(200, request.f.commit(repo, info, files))


@route("GET", "/repos/{owner}/{repo}/contents/{path}")
def get_contents(request: Request) -> Response:
    repo = request.repo("read")
    ref = request.arg("ref") or repo.default_branch
    commit = _commit_or_404(repo, ref)
    path = request.params["path"].strip("/")
    entry = repo.git.entry(commit, path)
    if entry is None:
        raise Answer(404, "Not Found")
    if entry.type == "tree":
        listing = repo.git.ls_tree(commit, f"{path}/" if path else "")
        return Response(200, [request.f.content(repo, e.path, ref, e, with_content=False) for e in listing])
    return Response(200, request.f.content(repo, path, ref, entry))

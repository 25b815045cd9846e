"""GitHub's GraphQL API, executed by graphql-core against GitHub's real schema (``spec/schema.graphql``)
with resolvers over the stand-in's state. Objects are dicts; a value that costs something to compute is
a callable taking the field's arguments. A field the schema allows but the stand-in does not model is an
error naming it (and a contract problem that fails the test), never a silent null."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.standin import rules
from tests.standin.factories import node_id
from tests.standin.gitstore import CommitInfo, Person, commits_of
from tests.standin.state import CheckRun, Comment, Issue, PullRequest, Repo, Token, User

if TYPE_CHECKING:
    from graphql import GraphQLResolveInfo, GraphQLSchema

    from tests.standin.world import World

SCHEMA = Path(__file__).parent / "spec" / "schema.graphql"
NOT_MODELED = "the stand-in does not model"
Obj = dict[str, Any]


@lru_cache(maxsize=1)
def load_schema() -> GraphQLSchema:
    from graphql import build_schema

    # GitHub's published SDL repeats a field or two, which graphql-core's SDL check refuses: the schema is
    # GitHub's own, so it is taken as valid (and not re-validated on every query).
    schema = build_schema(SCHEMA.read_text(), assume_valid=True, assume_valid_sdl=True)
    schema._validation_errors = []
    return schema


def resolve_field(source: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
    name = info.field_name
    if not isinstance(source, dict) or name not in source:
        from graphql import GraphQLError

        raise GraphQLError(f"{NOT_MODELED} {info.parent_type.name}.{name}")
    value = source[name]
    return value(**args) if callable(value) else value


def _cursor(offset: int) -> str:
    return base64.b64encode(f"cursor:{offset}".encode()).decode()


_COAUTHOR = re.compile(r"^co-authored-by:[ \t]*(.*?)[ \t]*<([^<>\n]+)>[ \t]*$", re.IGNORECASE | re.MULTILINE)


def _coauthors(message: str, date: str) -> list[Person]:
    return [Person(name, email, date) for name, email in _COAUTHOR.findall(message)]


def _offset(after: str | None) -> int:
    if not after:
        return 0
    try:
        return int(base64.b64decode(after).decode().split(":", 1)[1]) + 1
    except (ValueError, IndexError) as exc:
        from graphql import GraphQLError

        raise GraphQLError(f"`{after}` does not appear to be a valid cursor.") from exc


def connection(
    items: Sequence[Any],
    build: Callable[[Any], Obj],
    first: int | None = None,
    after: str | None = None,
    total: int | None = None,
    more: bool | None = None,
    start: int | None = None,
    last: int | None = None,
) -> Obj:
    """A connection over ``items`` (all of them, or one page already cut when ``start`` is given);
    ``last`` takes the end of the list (no ``before`` cursor)."""
    for limit in (first, last):
        if limit is not None and not 0 <= limit <= 100:
            from graphql import GraphQLError

            raise GraphQLError("Requesting more than 100 records on the connection is not allowed.")
    if start is None and last is not None and first is None and after is None:
        start = max(len(items) - last, 0)
        page = list(items[start:])
        more, total = False, len(items)
    elif start is None:
        start = _offset(after)
        size = 100 if first is None else first
        page = list(items[start : start + size])
        more = start + size < len(items)
        total = len(items)
    else:
        page = list(items)
    nodes = [build(item) for item in page]
    return {
        "totalCount": total,
        "nodes": nodes,
        "edges": [{"cursor": _cursor(start + i), "node": n} for i, n in enumerate(nodes)],
        "pageInfo": {
            "hasNextPage": bool(more),
            "hasPreviousPage": start > 0,
            "startCursor": _cursor(start) if nodes else None,
            "endCursor": _cursor(start + len(nodes) - 1) if nodes else None,
        },
    }


NODE_LIMIT = 500_000  # GitHub refuses a query that could ask for more nodes than this


def node_count(document: Any, variables: dict[str, Any] | None) -> tuple[int, str]:
    """The most nodes a query could ask for, counted as GitHub counts them (each connection's
    ``first``/``last`` times those of the connections around it, summed), and the connection where the
    count first passes :data:`NODE_LIMIT` ("" when it never does)."""
    from graphql import (
        FieldNode,
        FragmentDefinitionNode,
        FragmentSpreadNode,
        InlineFragmentNode,
        IntValueNode,
        OperationDefinitionNode,
        VariableNode,
    )

    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    given = variables or {}
    total = 0
    passed = ""

    def size(field: Any) -> int | None:
        for argument in field.arguments or ():
            if argument.name.value not in ("first", "last"):
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                return int(value.value)
            if isinstance(value, VariableNode):
                return int(given.get(value.name.value) or 0)
        return None

    def walk(selections: Any, times: int) -> None:
        nonlocal total, passed
        for node in selections or ():
            if isinstance(node, FieldNode):
                limit = size(node)
                inner = times
                if limit is not None:
                    inner = times * limit
                    total += inner
                    if total > NODE_LIMIT and not passed:
                        passed = node.name.value
                if node.selection_set is not None:
                    walk(node.selection_set.selections, inner)
            elif isinstance(node, InlineFragmentNode):
                walk(node.selection_set.selections, times)
            elif isinstance(node, FragmentSpreadNode) and node.name.value in fragments:
                walk(fragments[node.name.value].selection_set.selections, times)

    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            walk(definition.selection_set.selections, 1)
    return total, passed


class GraphQL:
    """Called by the server with (token, request body); answers (status, body, was it a mutation)."""

    def __init__(self, world: World, problems: list[str]) -> None:
        self.world = world
        self.problems = problems

    def __call__(self, token: Token | None, payload: Any) -> tuple[int, Any, bool]:
        from graphql import graphql_sync, parse

        if token is None:
            return 401, {"message": "This endpoint requires you to be authenticated."}, False
        if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
            return 400, {"message": "A query attribute must be specified and must be a string."}, False
        query = payload["query"]
        try:
            document = parse(query)
        except Exception:
            document = None
        mutation = document is not None and any(
            getattr(d, "operation", None) is not None and d.operation.value == "mutation"
            for d in document.definitions
        )
        if document is not None:
            total, passed = node_count(document, payload.get("variables"))
            if passed:
                message = (
                    f"By the time this query traverses to the {passed} connection, it is requesting up to "
                    f"{total:,} possible nodes which exceeds the maximum limit of {NODE_LIMIT:,}."
                )
                return 200, {"errors": [{"type": "MAX_NODE_LIMIT_EXCEEDED", "message": message}]}, False
        resolver = Resolver(self.world, token)
        result = graphql_sync(
            load_schema(),
            query,
            root_value=resolver.root(),
            variable_values=payload.get("variables"),
            operation_name=payload.get("operationName"),
            field_resolver=resolve_field,
        )
        body = result.formatted
        if body.get("data") is None and body.get("errors"):
            body.pop("data", None)  # a query refused before it ran: GitHub answers with errors alone
        for err in result.errors or []:
            if NOT_MODELED in err.message:
                self.problems.append(f"graphql: {err.message} (path {err.path})")
        return 200, body, mutation


class Resolver:
    """The objects of one query, as seen by one token."""

    def __init__(self, world: World, token: Token) -> None:
        self.w = world
        self.token = token

    def root(self) -> Obj:
        return {
            "repository": self._repository_field,
            "organization": self._organization_field,
            "viewer": lambda **_: self.user(self.token.user),
            # null, not an error, for a login nobody holds (as GitHub answers)
            "repositoryOwner": lambda login, **_: self.user(
                next((u for name, u in self.w.users.items() if name.lower() == login.lower()), None)
            ),
            "pinIssue": self._pin_issue,
            "createLabel": self._create_label,
        }

    def _error(self, message: str) -> Exception:
        from graphql import GraphQLError

        return GraphQLError(message, extensions={"type": "NOT_FOUND"})

    def _readable(self, repo: Repo | None) -> Repo | None:
        if repo is None or self.w.permission(repo, self.token.user) == "none":
            return None
        return repo

    # ---- roots
    def _repository_field(self, owner: str, name: str, **_: Any) -> Obj:
        repo = self._readable(self.w.repos.get(f"{owner}/{name}".lower()))
        if repo is None:
            raise self._error(f"Could not resolve to a Repository with the name '{owner}/{name}'.")
        return self.repository(repo)

    def _organization_field(self, login: str, **_: Any) -> Obj:
        org = self.w.orgs.get(login)
        if org is None:
            raise self._error(f"Could not resolve to an Organization with the login of '{login}'.")
        repos = [r for r in self.w.repos.values() if r.owner is org.user and self._readable(r)]
        repos.sort(key=lambda r: r.id)
        return {
            "__typename": "Organization",
            "login": org.user.login,
            "name": org.user.name,
            "id": node_id("Organization", org.user.id),
            "databaseId": org.user.id,
            "repositories": lambda first=None, after=None, **_: connection(
                repos, self.repository, first, after
            ),
        }

    def _pin_issue(self, input: Obj) -> Obj:
        for repo in self.w.repos.values():
            for issue in repo.issues.values():
                if node_id("Issue", issue.id) == input["issueId"]:
                    if not self.w.can(repo, self.token.user, "triage"):
                        raise self._error("Resource not accessible")
                    issue.pinned = True
                    from tests.standin.state import IssueEvent

                    issue.events.append(IssueEvent(self.w.ids(), self.token.user, "pinned"))
                    return {
                        "issue": self.issue(repo, issue),
                        "clientMutationId": input.get("clientMutationId"),
                    }
        raise self._error(f"Could not resolve to a node with the global id of '{input['issueId']}'")

    def _create_label(self, input: Obj) -> Obj:
        from tests.standin.state import Label

        repo = next(
            (r for r in self.w.repos.values() if node_id("Repository", r.id) == input["repositoryId"]), None
        )
        if repo is None or not self.w.can(repo, self.token.user, "write"):
            raise self._error(f"Could not resolve to a node with the global id of '{input['repositoryId']}'")
        name = str(input["name"])
        if name.lower() in repo.labels:
            from graphql import GraphQLError

            raise GraphQLError("Name has already been taken", extensions={"type": "UNPROCESSABLE"})
        label = Label(self.w.ids(), name, str(input["color"]).lstrip("#"), input.get("description"))
        repo.labels[name.lower()] = label
        return {
            "label": {
                "__typename": "Label",
                "id": node_id("Label", label.id),
                "name": label.name,
                "color": label.color,
                "description": label.description,
            },
            "clientMutationId": input.get("clientMutationId"),
        }

    # ---- objects
    def user(self, user: User | None) -> Obj | None:
        if user is None:
            return None
        kind = "Bot" if user.type == "Bot" else "Organization" if user.type == "Organization" else "User"
        return {
            "__typename": kind,
            "login": user.login.removesuffix("[bot]"),  # GraphQL names github-actions[bot] github-actions
            "name": user.name,
            "email": user.email or "",
            "id": node_id(kind, user.id),
            "databaseId": user.id,
            "url": f"{self.w.web_url}/{user.login}",
        }

    def repository(self, repo: Repo) -> Obj:
        return {
            "__typename": "Repository",
            "id": node_id("Repository", repo.id),
            "databaseId": repo.id,
            "name": repo.name,
            "nameWithOwner": repo.full_name,
            "owner": {
                "__typename": "Organization" if repo.owner.type == "Organization" else "User",
                "login": repo.owner.login,
                "id": node_id("Owner", repo.owner.id),
            },
            "isPrivate": repo.private,
            "isArchived": repo.archived,
            "visibility": "PRIVATE" if repo.private else "PUBLIC",
            "url": f"{self.w.web_url}/{repo.full_name}",
            "defaultBranchRef": lambda **_: self.ref(repo, repo.default_branch),
            "ref": lambda qualifiedName, **_: self.ref(repo, qualifiedName.removeprefix("refs/heads/")),
            "object": lambda oid=None, expression=None, **_: self._object(repo, oid or expression),
            "pullRequest": lambda number, **_: self._pull_by_number(repo, number),
            "label": lambda name, **_: self._label(repo, name) if name.lower() in repo.labels else None,
            "labels": lambda first=None, after=None, **_: connection(
                sorted(repo.labels.values(), key=lambda label: label.id),
                lambda label: self._label(repo, label.name),
                first,
                after,
            ),
            "issue": lambda number, **_: (
                self.issue(repo, repo.issues[number])
                if number in repo.issues and repo.issues[number].pull is None
                else None
            ),
            "pullRequests": lambda **args: self._pulls(repo, **args),
            "issues": lambda first=None, after=None, labels=None, states=None, **_: connection(
                [
                    i
                    for i in repo.issues.values()
                    if i.pull is None
                    and (states is None or i.state.upper() in states)
                    and (not labels or any(n.lower() in {x.lower() for x in labels} for n in i.labels))
                ],
                lambda i: self.issue(repo, i),
                first,
                after,
            ),
        }

    def _pulls(
        self,
        repo: Repo,
        first: int | None = None,
        after: str | None = None,
        states: list[str] | None = None,
        baseRefName: str | None = None,
        headRefName: str | None = None,
        **_: Any,
    ) -> Obj:
        found = [
            p
            for p in repo.pulls()
            if (states is None or self._pr_state(p) in states)
            and (baseRefName is None or p.base == baseRefName)
            and (headRefName is None or p.head == headRefName)
        ]
        return connection(found, lambda p: self.pull(repo, p), first, after)

    def ref(self, repo: Repo, branch: str) -> Obj | None:
        sha = repo.git.rev(f"refs/heads/{branch}")
        if sha is None:
            return None
        return {
            "__typename": "Ref",
            "name": branch,
            "prefix": "refs/heads/",
            "id": node_id("Ref", f"{repo.id}:{branch}"),
            "target": lambda **_: self.commit(repo, repo.git.commit(sha)),
        }

    def _object(self, repo: Repo, rev: str | None) -> Obj | None:
        sha = repo.git.rev(rev) if rev else None
        return self.commit(repo, repo.git.commit(sha)) if sha else None

    def commit(self, repo: Repo, info: CommitInfo) -> Obj:
        sha = info.sha

        def git_actor(person: Any) -> Obj:
            found = self.w.user_by_email(person.email)
            return {"name": person.name, "email": person.email, "date": person.date, "user": self.user(found)}

        def history(
            first: int | None = None,
            after: str | None = None,
            path: str | None = None,
            since: str | None = None,
            until: str | None = None,
            **_: Any,
        ) -> Obj:
            size = 100 if first is None else first
            start = _offset(after)
            args = [f"--skip={start}", f"--max-count={size + 1}"]
            args += [f"--since={since}"] if since else []
            args += [f"--until={until}"] if until else []
            shas = repo.git.rev_list(*args, sha, *(["--", path] if path else []))
            page = commits_of(repo.git, shas[:size])
            return connection(page, lambda c: self.commit(repo, c), first, start=start, more=len(shas) > size)

        return {
            "__typename": "Commit",
            "id": node_id("Commit", sha),
            "oid": sha,
            "abbreviatedOid": sha[:7],
            "message": info.message,
            "messageHeadline": info.message.split("\n", 1)[0],
            "messageBody": info.message.split("\n", 1)[1].strip() if "\n" in info.message else "",
            "committedDate": info.committer.date,
            "authoredDate": info.author.date,
            "tree": {"__typename": "Tree", "id": node_id("Tree", info.tree), "oid": info.tree},
            "url": f"{self.w.web_url}/{repo.full_name}/commit/{sha}",
            "author": lambda **_: git_actor(info.author),
            "committer": lambda **_: git_actor(info.committer),
            # the git author first, then each Co-authored-by trailer, as GitHub lists them
            "authors": lambda first=None, after=None, **_: connection(
                [info.author, *_coauthors(info.message, info.author.date)], git_actor, first, after
            ),
            "parents": lambda first=None, after=None, **_: connection(
                commits_of(repo.git, list(info.parents)), lambda c: self.commit(repo, c), first, after
            ),
            "history": history,
            "associatedPullRequests": lambda first=None, after=None, **_: connection(
                [p for p in repo.pulls() if sha in p.landed or sha in self.w.pr_commits(repo, p)],
                lambda p: self.pull(repo, p),
                first,
                after,
            ),
            "checkSuites": lambda first=None, after=None, last=None, filterBy=None, **_: connection(
                self._suites(repo, sha, filterBy or {}),
                lambda s: self._suite(repo, s),
                first,
                after,
                last=last,
            ),
            "status": lambda **_: self._status(repo, sha),
            "file": lambda path, **_: self._file(repo, sha, path),
        }

    def _file(self, repo: Repo, sha: str, path: str) -> Obj | None:
        """``Commit.file``: the tree entry at ``path``, its blob's text when it is a file."""
        entry = repo.git.entry(sha, path)
        if entry is None:
            return None
        blob: Obj | None = None
        if entry.type == "blob":
            content = repo.git.read_blob(entry.sha)
            binary = b"\0" in content[:8000]
            blob = {
                "__typename": "Blob",
                "oid": entry.sha,
                "byteSize": len(content),
                "isBinary": binary,
                "isTruncated": False,
                "text": None if binary else content.decode("utf-8", "replace"),
            }
        return {
            "__typename": "TreeEntry",
            "name": entry.path.rsplit("/", 1)[-1],
            "path": entry.path,
            "mode": int(entry.mode, 8),
            "type": entry.type,
            "oid": entry.sha,
            "object": blob,
        }

    def _suites(self, repo: Repo, sha: str, only: dict[str, Any]) -> list[list[CheckRun]]:
        """The check suites on ``sha`` (oldest first), as ``filterBy`` (appId, checkName) narrows them."""
        suites: dict[int, list[CheckRun]] = {}
        for run in repo.check_runs:
            if run.head_sha == sha:
                suites.setdefault(run.suite_id, []).append(run)
        found = list(suites.values())
        if only.get("appId") is not None:
            found = [s for s in found if s[0].app is not None and s[0].app.id == only["appId"]]
        if only.get("checkName") is not None:
            found = [s for s in found if any(r.name == only["checkName"] for r in s)]
        return found

    def _suite(self, repo: Repo, runs: list[CheckRun]) -> Obj:
        app = runs[0].app
        done = all(r.status == "completed" for r in runs)
        conclusions = [r.conclusion for r in runs]
        conclusion = None
        if done:
            bad = next((c for c in conclusions if c not in rules.PASSING), None)
            conclusion = (bad or ("success" if "success" in conclusions else conclusions[0]) or "").upper()
        return {
            "__typename": "CheckSuite",
            "id": node_id("CheckSuite", runs[0].suite_id),
            "databaseId": runs[0].suite_id,
            "app": None
            if app is None
            else {
                "__typename": "App",
                "databaseId": app.id,
                "slug": app.slug,
                "name": app.name,
                "id": node_id("App", app.id),
            },
            "status": "COMPLETED" if done else "IN_PROGRESS",
            "conclusion": conclusion,
            "checkRuns": lambda first=None, after=None, last=None, filterBy=None, **_: connection(
                self._runs(runs, filterBy or {}), self._check_run, first, after, last=last
            ),
        }

    @staticmethod
    def _runs(runs: list[CheckRun], only: dict[str, Any]) -> list[CheckRun]:
        """A suite's check runs as ``filterBy`` narrows them (appId, checkName; other filters are an
        error naming them)."""
        unmodelled = sorted(set(only) - {"appId", "checkName"})
        if unmodelled:
            from graphql import GraphQLError

            raise GraphQLError(f"{NOT_MODELED} CheckRunFilter.{unmodelled[0]}")
        return [
            r
            for r in runs
            if (only.get("appId") is None or (r.app is not None and r.app.id == only["appId"]))
            and (only.get("checkName") is None or r.name == only["checkName"])
        ]

    def _check_run(self, run: CheckRun) -> Obj:
        return {
            "__typename": "CheckRun",
            "id": node_id("CheckRun", run.id),
            "databaseId": run.id,
            "name": run.name,
            "status": run.status.upper(),
            "conclusion": run.conclusion.upper() if run.conclusion else None,
            "detailsUrl": run.details_url,
            "startedAt": run.started_at,
            "completedAt": run.completed_at,
            "title": run.title,
            "summary": run.summary,
        }

    def _status(self, repo: Repo, sha: str) -> Obj | None:
        latest = {s.context: s for s in repo.statuses if s.sha == sha}
        if not latest:
            return None
        states = {s.state for s in latest.values()}
        state = (
            "FAILURE" if states & {"failure", "error"} else "PENDING" if "pending" in states else "SUCCESS"
        )
        return {
            "state": state,
            "contexts": [
                {
                    "context": s.context,
                    "state": s.state.upper(),
                    "description": s.description,
                    "creator": self.user(s.creator),
                    "targetUrl": s.target_url,
                }
                for s in latest.values()
            ],
        }

    def _pull_by_number(self, repo: Repo, number: int) -> Obj:
        pr = self.w.pull(repo, number)
        if pr is None:
            raise self._error(f"Could not resolve to a PullRequest with the number of {number}.")
        return self.pull(repo, pr)

    @staticmethod
    def _pr_state(pr: PullRequest) -> str:
        return "MERGED" if pr.merged else pr.issue.state.upper()

    def pull(self, repo: Repo, pr: PullRequest) -> Obj:
        def reviews(
            first: int | None = None,
            after: str | None = None,
            last: int | None = None,
            states: list[str] | None = None,
            author: str | None = None,
            **_: Any,
        ) -> Obj:
            found = [
                r
                for r in pr.reviews
                if (states is None or r.state in states) and (author is None or r.user.login == author)
            ]
            return connection(found, review, first, after, last=last)

        def review(r: Any) -> Obj:
            return {
                "__typename": "PullRequestReview",
                "id": node_id("PullRequestReview", r.id),
                "databaseId": r.id,
                "author": self.user(r.user),
                "state": r.state,
                "body": r.body,
                "submittedAt": r.submitted_at,
                "createdAt": r.submitted_at,
                "commit": lambda **_: self.commit(repo, repo.git.commit(r.commit_id)),
            }

        merge_commit = pr.merge_commit_sha
        return {
            "__typename": "PullRequest",
            "id": node_id("PullRequest", pr.id),
            "databaseId": pr.id,
            "number": pr.issue.number,
            "title": pr.issue.title,
            "body": pr.issue.body or "",
            "url": f"{self.w.web_url}/{repo.full_name}/pull/{pr.issue.number}",
            "state": self._pr_state(pr),
            "isDraft": pr.draft,
            "merged": pr.merged,
            "mergedAt": pr.merged_at,
            "createdAt": pr.issue.created_at,
            "author": self.user(pr.issue.user),
            "mergedBy": self.user(pr.merged_by),
            "headRefName": pr.head,
            "headRefOid": pr.head_sha,
            "baseRefName": pr.base,
            "baseRefOid": pr.base_sha,
            "baseRef": lambda **_: self.ref(repo, pr.base),  # null once the branch is deleted
            "mergeCommit": lambda **_: (
                self.commit(repo, repo.git.commit(merge_commit)) if merge_commit else None
            ),
            "reviews": reviews,
            "commits": lambda first=None, after=None, last=None, **_: connection(
                commits_of(repo.git, self.w.pr_commits(repo, pr)),
                lambda c: {"__typename": "PullRequestCommit", "commit": self.commit(repo, c)},
                first,
                after,
                last=last,
            ),
            "files": lambda first=None, after=None, **_: connection(
                self.w.pr_changes(repo, pr),
                lambda c: {
                    "path": c.path,
                    "additions": c.additions,
                    "deletions": c.deletions,
                    "changeType": {
                        "added": "ADDED",
                        "removed": "DELETED",
                        "renamed": "RENAMED",
                        "copied": "COPIED",
                    }.get(c.status, "MODIFIED"),
                },
                first,
                after,
            ),
            "labels": lambda first=None, after=None, **_: connection(
                pr.issue.labels, lambda n: {"name": n}, first, after
            ),
        }

    def issue(self, repo: Repo, issue: Issue) -> Obj:
        return {
            "__typename": "Issue",
            "id": node_id("Issue", issue.id),
            "databaseId": issue.id,
            "number": issue.number,
            "title": issue.title,
            "body": issue.body or "",
            "state": issue.state.upper(),
            "url": f"{self.w.web_url}/{repo.full_name}/issues/{issue.number}",
            "author": self.user(issue.user),
            "createdAt": issue.created_at,
            "updatedAt": issue.updated_at,
            "closedAt": issue.closed_at,
            "isPinned": issue.pinned,
            "lastEditedAt": issue.edited_at,
            "editor": self.user(issue.editor),
            "labels": lambda first=None, after=None, **_: connection(
                issue.labels, lambda n: self._label(repo, n), first, after
            ),
            "comments": lambda first=None, after=None, **_: connection(
                issue.comments, lambda c: self._comment(repo, issue, c), first, after
            ),
            "timelineItems": lambda itemTypes=None, first=None, after=None, **_: connection(
                self._timeline(repo, issue, itemTypes), lambda item: item, first, after
            ),
        }

    def _label(self, repo: Repo, name: str) -> Obj:
        label = repo.labels.get(name.lower())
        if label is None:  # deleted since: the stand-in keeps its name, nothing else
            return {"__typename": "Label", "name": name, "createdAt": None, "updatedAt": None}
        return {
            "__typename": "Label",
            "id": node_id("Label", label.id),
            "name": label.name,
            "color": label.color,
            "createdAt": label.created_at,
            "updatedAt": label.updated_at,
        }

    def _comment(self, repo: Repo, issue: Issue, comment: Comment) -> Obj:
        return {
            "url": f"{self.w.web_url}/{repo.full_name}/issues/{issue.number}#issuecomment-{comment.id}",
            "__typename": "IssueComment",
            "id": node_id("IssueComment", comment.id),
            "body": comment.body,
            "author": self.user(comment.user),
            "editor": self.user(comment.editor),
            "createdAt": comment.created_at,
            "lastEditedAt": comment.edited_at,
            "databaseId": comment.id,
        }

    def _timeline(self, repo: Repo, issue: Issue, types: list[str] | None) -> list[Obj]:
        """Labels added and removed, comments and comment deletions, oldest first, as
        ``Issue.timelineItems`` lists them."""
        items: list[tuple[str, int, Obj]] = []
        for event in issue.events:
            kind = {"labeled": "LabeledEvent", "unlabeled": "UnlabeledEvent"}.get(event.event)
            if kind is not None:
                node = {
                    "__typename": kind,
                    "id": node_id(kind, event.id),
                    "actor": self.user(event.actor),
                    "createdAt": event.created_at,
                    "label": self._label(repo, event.label or ""),
                }
                items.append((event.created_at, event.id, node))
            elif event.event == "comment_deleted":
                node = {
                    "__typename": "CommentDeletedEvent",
                    "id": node_id("CommentDeletedEvent", event.id),
                    "databaseId": event.id,
                    "actor": self.user(event.actor),
                    "deletedCommentAuthor": self.user(event.deleted_author),
                    "createdAt": event.created_at,
                }
                items.append((event.created_at, event.id, node))
        for comment in issue.comments:
            items.append((comment.created_at, comment.id, self._comment(repo, issue, comment)))
        names = {
            "LABELED_EVENT": "LabeledEvent",
            "UNLABELED_EVENT": "UnlabeledEvent",
            "ISSUE_COMMENT": "IssueComment",
            "COMMENT_DELETED_EVENT": "CommentDeletedEvent",
            "TRANSFERRED_EVENT": "TransferredEvent",  # the stand-in moves no issue: never any
        }
        wanted = {names.get(t, t) for t in (types or [])}
        unmodelled = wanted - set(names.values())
        if not types or unmodelled:
            raise self._error(f"{NOT_MODELED} Issue.timelineItems of {sorted(unmodelled) or 'every type'}")
        ordered = sorted(items, key=lambda i: (i[0], i[1]))
        return [node for _time, _id, node in ordered if node["__typename"] in wanted]

"""The GitHub calls the gate makes, through PyGithub (imported only here and by the other GitHub commands).

Every failure that survives PyGithub's retries becomes :class:`Unreachable`: the gate then cannot decide,
and blocks (exit 2), saying why.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NamedTuple

from toolkit.errors import UserError
from toolkit.forge.github.names import ACTIONS_APP_ID, CHECK_NAME
from toolkit.forge.github.reviews import MergedPull, PullRequest, Review
from toolkit.i18n import _

if TYPE_CHECKING:
    from github import Github
    from github.Issue import Issue

DEFAULT_API = "https://api.github.com"
PAGE = 100  # items per page, GitHub's most
MAX_ANNOTATIONS = 50  # a check run's annotations: what GitHub takes in one request


class Unreachable(UserError):
    """GitHub could not be asked (no token, the API down, an answer that makes no sense)."""


class Annotation(NamedTuple):
    path: str
    message: str
    title: str


@contextmanager
def _asking(what: str, answered: str | None = None, unreached: str | None = None) -> Iterator[None]:
    """Turn whatever PyGithub and requests raise, after their retries, into :class:`Unreachable`, worded
    by ``answered`` (fields status, what, detail) and ``unreached`` (what, detail); the gate's by default."""
    import requests
    from github import GithubException

    try:
        yield
    except GithubException as error:
        template = answered or _(
            "cannot decide: GitHub answered {status} to {what} ({detail}); the gate blocks"
        )
        raise Unreachable(
            template.format(status=error.status, what=what, detail=_detail(error.data))
        ) from error
    except (requests.RequestException, OSError) as error:
        template = unreached or _(
            "cannot decide: GitHub could not be reached for {what} ({detail}); the gate blocks"
        )
        raise Unreachable(template.format(what=what, detail=type(error).__name__)) from error


def _detail(data: Any) -> str:
    if isinstance(data, Mapping):
        message = data.get("message") or data.get("errors")
        return str(message)[:200] if message else "-"
    return str(data)[:200] if data else "-"


def checked_api_url(api_url: str, named: str = "GITHUB_API_URL") -> str:
    """``api_url`` without its trailing slash, once it is a web address (http or https, with a host):
    Python's URL parser, and so PyGithub, raise ValueError on some typos (``http://[::1``), which must
    be a clear "cannot decide", not a traceback. ``named``: where the address came from."""
    import urllib.parse

    try:
        parts = urllib.parse.urlsplit(api_url.strip())
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
        parts.port  # noqa: B018 -- raises ValueError on a port that is not a number
    except ValueError:
        valid = False
    if not valid:
        raise Unreachable(
            _(
                "cannot decide: {name} is '{url}', not a web address with http or https and a host; set "
                "it to GitHub's API (https://api.github.com, or https://HOST/api/v3 on GitHub Enterprise "
                "Server) or leave it unset"
            ).format(name=named, url=api_url)
        )
    return api_url.strip().rstrip("/")


def make_client(token: str, api_url: str = DEFAULT_API, named: str = "GITHUB_API_URL") -> Github:
    """A client of GitHub's API at ``api_url`` (checked by :func:`checked_api_url`, worded by ``named``)."""
    from github import Auth, Github
    from github.GithubRetry import GithubRetry

    base_url = checked_api_url(api_url, named)
    # PyGithub retries 5xx and rate limits itself (secondary limits by their Retry-After).
    return Github(auth=Auth.Token(token), base_url=base_url, retry=GithubRetry(total=6), timeout=30)


def graphql(
    client: Github,
    query: str,
    variables: dict[str, Any],
    what: str,
    answered: str | None = None,
    unreached: str | None = None,
) -> dict[str, Any]:
    """The ``data`` of a GraphQL answer; failures worded as :func:`_asking` words them."""
    with _asking(what, answered, unreached):
        _headers, data = client.requester.graphql_query(query, variables)
    result = data.get("data")
    if not isinstance(result, dict):
        raise Unreachable(
            _("cannot decide: GitHub's answer to {what} holds no data; the gate blocks").format(what=what)
        )
    return result


def sync_issue(
    client: Github, full_name: str, label: str, title: str, body: str, labels: tuple[str, ...] = ()
) -> tuple[str, Issue]:
    """Keep the one open issue labelled ``label`` of ``full_name`` as given (run inside :func:`_asking`):
    created when missing, edited only when it differs. Returns what happened (created, updated or
    unchanged) and the issue. Calls: one to list, one to write when something changed."""
    repo = client.withLazy(True).get_repo(full_name)
    wanted = sorted({label, *labels})
    # oldest first, the first page only: the issue is made before anyone else labels theirs (provisioning
    # makes it), so issues others label later never cost a call more; a page of pull requests alone (the
    # issue closed, then remade) is read on. A pull request's web address names it (``pull_request``
    # itself would cost a call per issue).
    listed = repo.get_issues(state="open", labels=[label], sort="created", direction="asc")
    first = listed.get_page(0)
    found = [i for i in first if "/pull/" not in i.html_url]
    if not found and len(first) >= client.per_page:
        found = [i for i in listed if "/pull/" not in i.html_url]
    if not found:
        return "created", repo.create_issue(title=title, body=body, labels=wanted)
    issue = min(found, key=lambda i: i.number)  # the first one made; a second is someone's copy
    if (
        issue.title == title
        and (issue.body or "") == body
        and sorted(name.name for name in issue.labels) == wanted
    ):
        return "unchanged", issue
    issue.edit(title=title, body=body, labels=wanted)
    return "updated", issue


TAG_HOPS = 5  # a tag of a tag of ...: followed this far, then taken as naming no commit


def release_tag_commits(read: Callable[[str], Any], full_name: str) -> dict[str, str]:
    """Each release tag (``v*``) of ``full_name`` and the commit it names, an annotated tag peeled; ``""``
    for one naming no commit. ``read(path)`` answers a GET (``None`` for 404). Calls: one, and one per
    annotated tag."""
    from toolkit.forge.github.desired import release_tag_prefix

    listed = read(f"/repos/{full_name}/git/matching-refs/tags/{release_tag_prefix()}") or []
    found: dict[str, str] = {}
    for ref in listed if isinstance(listed, list) else []:
        target = ref.get("object") or {}
        for _hop in range(TAG_HOPS):
            if target.get("type") != "tag":
                break
            target = (read(f"/repos/{full_name}/git/tags/{target.get('sha')}") or {}).get("object") or {}
        commit = str(target.get("sha") or "") if target.get("type") == "commit" else ""
        found[str(ref.get("ref") or "").removeprefix("refs/tags/")] = commit
    return found


class GitHub:
    """One repository on GitHub (or GitHub Enterprise Server at ``api_url``), as a token sees it."""

    def __init__(self, repository: str, token: str, api_url: str = DEFAULT_API) -> None:
        owner, _sep, name = repository.partition("/")
        if not owner or not name or "/" in name:
            raise UserError(
                _("the repository must be given as OWNER/NAME, not '{name}'").format(name=repository)
            )
        self.owner, self.name, self.full_name = owner, name, repository
        self.client: Github = make_client(token, api_url)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> GitHub:
        """The repository and token of a GitHub Actions job (``GITHUB_REPOSITORY``, ``GITHUB_TOKEN``,
        ``GITHUB_API_URL``)."""
        env = os.environ if environ is None else environ
        token = env.get("GITHUB_TOKEN", "")
        repository = env.get("GITHUB_REPOSITORY", "")
        if not token:
            raise Unreachable(
                _(
                    "cannot decide: no GITHUB_TOKEN in the environment (pass it to the step: "
                    "env: GITHUB_TOKEN: ${{{{ github.token }}}}); the gate blocks"
                )
            )
        if not repository:
            raise Unreachable(_("cannot decide: GITHUB_REPOSITORY is not set; the gate blocks"))
        api_url = checked_api_url(env.get("GITHUB_API_URL") or DEFAULT_API)
        return cls(repository, token, api_url)

    def graphql(self, query: str, variables: dict[str, Any], what: str) -> dict[str, Any]:
        return graphql(self.client, query, variables, what)

    def pull_request(self, number: int, need_base: bool = True) -> OpenPull:
        """The pull request with its latest reviews that are a verdict (see :data:`_PULL_QUERY`), the
        commit at the tip of its base branch, and the repository's default branch, in one query. Who
        wrote its commits is read from the checkout, and asked of GitHub where git cannot tell
        (:mod:`toolkit.forge.github.accounts`)."""
        what = _("pull request #{number}").format(number=number)
        variables = {"owner": self.owner, "name": self.name, "number": number}
        repository = self.graphql(_PULL_QUERY, variables, what).get("repository") or {}
        pull = repository.get("pullRequest")
        if not pull:
            raise Unreachable(
                _("cannot decide: {repo} has no pull request #{number}; the gate blocks").format(
                    repo=self.full_name, number=number
                )
            )
        reviews = [_review(node) for node in pull["reviews"]["nodes"] if node is not None]
        base_tip = ((pull.get("baseRef") or {}).get("target") or {}).get("oid") or ""
        if not base_tip and need_base:
            raise Unreachable(
                _("cannot decide: the base branch of pull request #{number} is gone; the gate blocks").format(
                    number=number
                )
            )
        author = (pull.get("author") or {}).get("login")
        found = PullRequest(number, author, pull["headRefOid"], pull["baseRefName"], tuple(reviews))
        default = str((repository.get("defaultBranchRef") or {}).get("name") or "")
        return OpenPull(found, base_tip, default)

    def linked_accounts(self, commits: list[str]) -> dict[str, tuple[str, ...]]:
        """For each of ``commits``, the accounts GitHub links to it (see :func:`_accounts`): one query per
        100 commits."""
        what = _("the authors of {count} commits")
        found = self._per_commit(commits, "accounts", _ACCOUNT_FIELDS, what)
        return {oid: _accounts(commit)[1] for oid, commit in found.items()}

    def landed_pulls(self, commits: list[str], branch: str) -> dict[str, list[MergedPull]]:
        """For each of ``commits`` (of ``branch``'s history), the pull requests merged into ``branch`` that
        GitHub associates with it: the one that brought it. One query per 100 commits."""
        what = _("the pull requests that brought {count} commits")
        found = self._per_commit(commits, "landed", _LANDED_FIELDS, what)
        pulls: dict[str, list[MergedPull]] = {}
        for oid, commit in found.items():
            nodes = (commit.get("associatedPullRequests") or {}).get("nodes") or []
            merged = [_merged(n) for n in nodes if n and n.get("merged") and n.get("baseRefName") == branch]
            pulls[oid] = [m for m in merged if m is not None]
        return pulls

    def _per_commit(self, commits: list[str], name: str, fields: str, what: str) -> dict[str, Any]:
        """``fields`` of each of ``commits``, 100 commits a query (``what``: worded with {count})."""
        found: dict[str, Any] = {}
        for start in range(0, len(commits), PAGE):
            batch = commits[start : start + PAGE]
            variables: dict[str, Any] = {"owner": self.owner, "name": self.name}
            variables |= {f"c{i}": oid for i, oid in enumerate(batch)}
            said = what.format(count=len(batch))
            data = self.graphql(_per_commit_query(len(batch), name, fields), variables, said)
            repository = data.get("repository") or {}
            for i, oid in enumerate(batch):
                commit = repository.get(f"c{i}")
                if not commit or commit.get("oid") != oid:
                    raise Unreachable(
                        _("cannot decide: GitHub does not know commit {commit}; the gate blocks").format(
                            commit=oid[:12]
                        )
                    )
                found[oid] = commit
        return found

    def landings(self, branch: str) -> list[Landing]:
        """For the audit: every pull request merged into ``branch`` with who merged it, its own commits (to
        recognise them rebased) and the ``sop-gate`` check runs of the GitHub Actions app on its head."""
        found: list[Landing] = []
        after: str | None = None
        what = _("the pull requests merged into {branch}").format(branch=branch)
        while True:
            variables = {"owner": self.owner, "name": self.name, "branch": branch, "after": after}
            page = (
                (self.graphql(_LANDINGS_QUERY, variables, what).get("repository") or {}).get("pullRequests")
            ) or {}
            for node in page.get("nodes") or []:
                merged = _merged(node)
                if merged is None:
                    continue
                commits = [n["commit"] for n in (node.get("commits") or {}).get("nodes") or [] if n]
                heads = [n["commit"] for n in (node.get("head") or {}).get("nodes") or [] if n]
                gate = self._gate_on(heads[-1], merged.pull.head) if heads else None
                found.append(
                    Landing(
                        merged,
                        ((node.get("mergedBy") or {}).get("login")),
                        tuple(_own_commit(c) for c in commits),
                        int((node.get("commits") or {}).get("totalCount") or len(commits)),
                        gate,
                    )
                )
            info = page.get("pageInfo") or {}
            if not info.get("hasNextPage"):
                return found
            after = info.get("endCursor")

    def _gate_on(self, head: Mapping[str, Any], oid: str) -> str | None:
        """The conclusion of the GitHub Actions app's last ``sop-gate`` check run on ``head`` (the pull
        request's head commit ``oid``), every page of its check suites read."""
        if head.get("oid") != oid:
            return None
        suites = head.get("checkSuites") or {}
        nodes = list(suites.get("nodes") or [])
        what = _("the check suites of commit {commit}").format(commit=oid[:12])
        after: str | None = None
        while (suites.get("pageInfo") or {}).get("hasNextPage"):
            previous, after = after, (suites.get("pageInfo") or {}).get("endCursor")
            if not after or after == previous:  # a list that does not move on is never judged on in part
                said = _("cannot decide: GitHub's answer to {what} holds no data; the gate blocks")
                raise Unreachable(said.format(what=what))
            variables = {"owner": self.owner, "name": self.name, "oid": oid, "suitesAfter": after}
            found = (self.graphql(_SUITES_QUERY, variables, what).get("repository") or {}).get("object")
            suites = (found or {}).get("checkSuites") or {}
            nodes += suites.get("nodes") or []
        runs = [
            str(run.get("conclusion") or "").lower()  # GraphQL says SUCCESS
            for suite in nodes
            if ((suite or {}).get("app") or {}).get("databaseId") == ACTIONS_APP_ID
            for run in (suite.get("checkRuns") or {}).get("nodes") or []
            if run and run.get("name") == CHECK_NAME
        ]
        return runs[-1] if runs else None

    def protection(self, branch: str) -> dict[str, Any] | None:
        """The branch's protection as GitHub holds it; ``None`` when it has none (reading it needs admin)."""
        from github import GithubException

        url = f"/repos/{self.full_name}/branches/{branch}/protection"
        with _asking(_("the branch protection")):
            try:
                _headers, data = self.client.requester.requestJsonAndCheck("GET", url)
            except GithubException as error:
                if error.status == 404 and "not protected" in str(error.data).lower():
                    return None
                raise
        return data if isinstance(data, dict) else None

    def _read(self, path: str, what: str, **params: Any) -> Any:
        """The answer to GET ``path`` (every page of a list); ``None`` when GitHub answers 404, or 403
        because the plan lacks the feature."""
        from github import GithubException

        found: list[Any] = []
        url: str | None = path
        query: dict[str, Any] | None = params or None
        with _asking(what):
            try:
                while url:
                    headers, data = self.client.requester.requestJsonAndCheck("GET", url, parameters=query)
                    if not isinstance(data, list):
                        return data
                    found += data
                    following = re.search(r'<([^>]+)>;\s*rel="next"', headers.get("link", ""))
                    url, query = (following.group(1), None) if following else (None, None)
            except GithubException as error:
                if error.status == 404 or (error.status == 403 and "upgrade" in str(error.data).lower()):
                    return None
                raise
        return found

    def release_path(self, owner_teams: tuple[str, ...]) -> list[str]:
        """What the release path lacks: the production environment deploying only tags ``v*``, and the tag
        ruleset letting only the teams ``owner_teams`` push them (see :mod:`toolkit.forge.github.desired`)."""
        from toolkit.forge.github.desired import ENVIRONMENT, RULESET_NAME, release_path_gaps

        base = f"/repos/{self.full_name}"
        environment = self._read(
            f"{base}/environments/{ENVIRONMENT}", _("environment {env}").format(env=ENVIRONMENT)
        )
        policies = []
        if environment is not None:
            what = _("the deployment policies of {env}").format(env=ENVIRONMENT)
            listed = self._read(
                f"{base}/environments/{ENVIRONMENT}/deployment-branch-policies", what, per_page=PAGE
            )
            policies = list((listed or {}).get("branch_policies") or [])
        what = _("ruleset {name}").format(name=RULESET_NAME)
        # every target: a ruleset retargeted at branches guards no tag, and is drift
        rulesets = self._read(f"{base}/rulesets", what, per_page=PAGE, includes_parents="false")
        found = next((r for r in rulesets or [] if r.get("name") == RULESET_NAME), None)
        ruleset = None if found is None else self._read(f"{base}/rulesets/{found['id']}", what)
        teams = [
            self._read(f"/orgs/{self.owner}/teams/{slug}", _("team {team}").format(team=slug))
            for slug in owner_teams
        ]
        ids = [int(team["id"]) for team in teams if team]
        return release_path_gaps(environment, policies, ruleset, ids)

    def team_members(self, slugs: tuple[str, ...]) -> dict[str, list[tuple[str, int]]]:
        """The login and account number of each team's members (maintainers too); a team GitHub does not
        have is left out."""
        found: dict[str, list[tuple[str, int]]] = {}
        for slug in slugs:
            what = _("team {team}'s members").format(team=slug)
            members = self._read(f"/orgs/{self.owner}/teams/{slug}/members", what, per_page=PAGE)
            if members is not None:
                found[slug] = [(str(m.get("login")), int(m.get("id") or 0)) for m in members]
        return found

    def release_tags(self) -> dict[str, str]:
        """Each release tag and the commit it names (see :func:`release_tag_commits`)."""
        from toolkit.forge.github.desired import RELEASE_TAGS

        what = _("the tags {tags}").format(tags=RELEASE_TAGS)
        return release_tag_commits(lambda path: self._read(path, what), self.full_name)

    def sync_tracking(self, title: str, body: str, labels: tuple[str, ...]) -> str:
        """Keep the one open issue labelled ``sop-pelacakan`` as given: created when missing, edited only
        when it differs. Returns what happened: created, updated or unchanged."""
        from toolkit.forge.github.names import TRACKING_LABEL

        with _asking(_("the tracking issue")):
            return sync_issue(self.client, self.full_name, TRACKING_LABEL, title, body, labels)[0]

    def start_check(self, head_sha: str, name: str) -> int | None:
        """An ``in_progress`` check run on ``head_sha``, made before the gate judges: until it is completed
        it keeps a required check pending, so a verdict that cannot be published later leaves no earlier
        ``success`` standing. Its id; ``None`` when the token may not write checks (a fork's pull
        request)."""
        from github import GithubException

        repo = self.client.withLazy(True).get_repo(self.full_name)
        with _asking(_("the check run")):
            try:
                return int(repo.create_check_run(name=name, head_sha=head_sha, status="in_progress").id)
            except GithubException as error:
                if error.status in (403, 404):  # the token may not write checks
                    return None
                raise

    def publish_check(
        self,
        head_sha: str,
        name: str,
        conclusion: str,
        title: str,
        summary: str,
        annotations: list[Annotation],
        run_id: int | None = None,
    ) -> bool:
        """The check run completed with the first :data:`MAX_ANNOTATIONS` of ``annotations`` on the files
        (GitHub takes 50 a request; the summary names every problem): the run
        ``run_id`` (:meth:`start_check`) when given, else a new one; False when the token may not write
        checks (a fork's pull request), so the caller reports another way."""
        from github import GithubException

        notes = [
            {
                "path": a.path,
                "start_line": 1,
                "end_line": 1,
                "annotation_level": "failure",
                "message": a.message,
                "title": a.title,
            }
            for a in annotations
        ]
        if len(notes) > MAX_ANNOTATIONS:  # one request's worth: the calls must not grow with the files
            more = _(
                "{shown} of {count} annotations are shown on the files; the report above names them all."
            )
            summary = f"{summary}\n\n{more.format(shown=MAX_ANNOTATIONS, count=len(notes))}"
        output: dict[str, Any] = {
            "title": title,
            "summary": summary[:65_000],
            "annotations": notes[:MAX_ANNOTATIONS],
        }
        with _asking(_("the check run")):
            if run_id is None:
                repo = self.client.withLazy(True).get_repo(self.full_name)
                try:
                    made = repo.create_check_run(
                        name=name, head_sha=head_sha, status="completed", conclusion=conclusion, output=output
                    )
                except GithubException as error:
                    if error.status in (403, 404):  # the token may not write checks
                        return False
                    raise
                run_id = int(made.id)
            else:
                self._edit_check(run_id, {"status": "completed", "conclusion": conclusion, "output": output})
        return True

    def _edit_check(self, run_id: int, fields: dict[str, Any]) -> None:
        url = f"/repos/{self.full_name}/check-runs/{run_id}"
        self.client.requester.requestJsonAndCheck("PATCH", url, input=fields)


class OpenPull(NamedTuple):
    pull: PullRequest
    base_tip: str  # the commit at the tip of its base branch ("" when the branch is gone)
    default_branch: str  # the repository's default branch, as GitHub holds it ("" when it has none)


def _accounts(commit: Mapping[str, Any]) -> tuple[str, tuple[str, ...]]:
    """A commit and the GitHub accounts GitHub links to it (its authors: the git author and each
    Co-authored-by; and its committer), each as the identities the own-work rule compares: the login and
    the account's number."""
    from toolkit.evidence.identity import github_account, github_identity

    authors = commit.get("authors") or {}
    if (authors.get("pageInfo") or {}).get("hasNextPage"):  # never judge on part of the list
        raise Unreachable(
            _("cannot decide: commit {commit} names more than 100 authors; the gate blocks").format(
                commit=str(commit.get("oid") or "?")[:12]
            )
        )
    found: list[str] = []
    for actor in [*(authors.get("nodes") or []), commit.get("committer")]:
        user = (actor or {}).get("user") or {}
        if user.get("login"):
            found.append(github_identity(str(user["login"])))
        if isinstance(user.get("databaseId"), int):
            found.append(github_account(user["databaseId"]))
    return str(commit.get("oid") or ""), tuple(dict.fromkeys(found))


class Landing(NamedTuple):
    """How a pull request reached the branch, as the audit needs it."""

    merged: MergedPull
    merged_by: str | None
    commits: tuple[tuple[str, str, str, str], ...]  # its own commits: (id, author e-mail, authored, message)
    commit_count: int
    gate: str | None  # the conclusion of the Actions app's last sop-gate check run on its head, if any


def _own_commit(commit: Mapping[str, Any]) -> tuple[str, str, str, str]:
    author = commit.get("author") or {}
    return (
        str(commit.get("oid") or ""),
        str(author.get("email") or "").lower(),
        str(commit.get("authoredDate") or ""),
        str(commit.get("message") or ""),
    )


def _merged(node: Mapping[str, Any]) -> MergedPull | None:
    merge = node.get("mergeCommit") or {}
    head = ((node.get("commits") or {}).get("nodes") or [None])[-1] or {}
    head_commit = head.get("commit") or {}
    if not merge.get("oid") or not node.get("headRefOid"):
        return None
    reviews = node.get("reviews") or {}
    pull = PullRequest(
        int(node["number"]),
        (node.get("author") or {}).get("login"),
        str(node["headRefOid"]),
        str(node.get("baseRefName") or ""),
        tuple(_review(r) for r in reviews.get("nodes") or [] if r is not None),
    )
    head_tree = str((head_commit.get("tree") or {}).get("oid") or "")
    if head_commit.get("oid") != pull.head:
        head_tree = ""  # the last commit listed is not the head: the head's tree is not known
    return MergedPull(
        pull,
        str(merge["oid"]),
        str((merge.get("tree") or {}).get("oid") or ""),
        head_tree,
    )


def _review(node: Mapping[str, Any]) -> Review:
    submitted = node.get("submittedAt")
    when = int(dt.datetime.fromisoformat(submitted.replace("Z", "+00:00")).timestamp()) if submitted else 0
    author = node.get("author") or {}
    account = author.get("databaseId")
    return Review(
        int(node.get("databaseId") or 0),
        author.get("login"),
        str(node.get("state") or ""),
        str((node.get("commit") or {}).get("oid") or ""),
        when,
        account if isinstance(account, int) and not isinstance(account, bool) else None,
    )


# Reviews: the latest 100 that are a verdict, whatever the number of comments. Each author's latest
# verdict among them is their verdict; an author with none among them (100 verdicts came after) counts for
# nothing, which blocks rather than passes. One page, so that nobody can make the gate's calls grow.
_PULL_QUERY = """
query($owner: String!, $name: String!, $number: Int!) {
  repository(owner: $owner, name: $name) {
    defaultBranchRef { name }
    pullRequest(number: $number) {
      number
      author { login }
      headRefOid
      baseRefName
      baseRef { target { oid } }
      reviews(last: 100, states: [APPROVED, CHANGES_REQUESTED, DISMISSED]) {
        nodes { databaseId author { login ... on User { databaseId } } state submittedAt commit { oid } }
      }
    }
  }
}
"""

_ACCOUNT_FIELDS = """
oid
authors(first: 100) { pageInfo { hasNextPage } nodes { user { login databaseId } } }
committer { user { login databaseId } }
"""


def _per_commit_query(count: int, name: str, fields: str) -> str:
    """A query for ``fields`` of ``count`` commits, given as variables ``c0``, ``c1``, ..."""
    params = "".join(f", $c{i}: GitObjectID!" for i in range(count))
    aliases = "".join(f"c{i}: object(oid: $c{i}) {{ ...{name} }}\n" for i in range(count))
    return (
        f"query($owner: String!, $name: String!{params}) {{\n"
        f"  repository(owner: $owner, name: $name) {{\n{aliases}  }}\n}}\n"
        f"fragment {name} on Commit {{{fields}}}\n"
    )


# A commit's pull requests, with what the approvals of a merged one need (as the audit reads them too).
_LANDED_FIELDS = """
oid
associatedPullRequests(first: 10) {
  nodes {
    number
    merged
    author { login }
    headRefOid
    baseRefName
    mergeCommit { oid tree { oid } }
    commits(last: 1) { nodes { commit { oid tree { oid } } } }
    reviews(last: 100, states: [APPROVED, CHANGES_REQUESTED, DISMISSED]) {
      nodes { databaseId author { login ... on User { databaseId } } state submittedAt commit { oid } }
    }
  }
}
"""

# The check suites of the GitHub Actions app on a commit (oldest first), each with its last sop-gate run.
# GitHub refuses a query that could return over 500,000 nodes: with 50 pull requests a page, the suites are
# read for the head alone, 100 a page, and one run each.
_SUITES = f"""
checkSuites(first: 100, after: $suitesAfter, filterBy: {{appId: {ACTIONS_APP_ID}}}) {{
  pageInfo {{ hasNextPage endCursor }}
  nodes {{
    app {{ databaseId }}
    checkRuns(last: 1, filterBy: {{checkName: "{CHECK_NAME}"}}) {{ nodes {{ name conclusion }} }}
  }}
}}
"""

_SUITES_QUERY = (
    """
query($owner: String!, $name: String!, $oid: GitObjectID!, $suitesAfter: String) {
  repository(owner: $owner, name: $name) {
    object(oid: $oid) { ... on Commit { """
    + _SUITES
    + """ } }
  }
}
"""
)

_LANDINGS_QUERY = (
    """
query($owner: String!, $name: String!, $branch: String!, $after: String, $suitesAfter: String) {
  repository(owner: $owner, name: $name) {
    pullRequests(states: MERGED, baseRefName: $branch, first: 50, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes {
        number
        author { login }
        mergedBy { login }
        headRefOid
        baseRefName
        mergeCommit { oid tree { oid } }
        commits(last: 100) {
          totalCount
          nodes {
            commit {
              oid
              message
              authoredDate
              author { email }
              tree { oid }
            }
          }
        }
        head: commits(last: 1) { nodes { commit { oid """
    + _SUITES
    + """ } } }
        reviews(last: 100, states: [APPROVED, CHANGES_REQUESTED, DISMISSED]) {
          nodes { databaseId author { login ... on User { databaseId } } state submittedAt commit { oid } }
        }
      }
    }
  }
}
"""
)

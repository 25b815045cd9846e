"""``sopkit github provision``: make a GitHub repository match what the SOP needs, writing only differences.

Every step reads GitHub's state, compares it with :mod:`toolkit.forge.github.desired` and writes when it
differs, so a second run writes nothing and a run after a failure continues where the last one stopped.
POST and PATCH are not retried (a POST GitHub carried out but answered 5xx would be made twice); the next
run finds what the failed one made. The end reads the settings back and fails on any that did not take.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from toolkit.errors import UserError
from toolkit.forge.github.api import (
    DEFAULT_API,
    PAGE,
    Unreachable,
    _asking,
    checked_api_url,
    release_tag_commits,
)
from toolkit.forge.github.desired import (
    CODEOWNERS_PATH,
    ENVIRONMENT,
    PROTECTION_BODY,
    RELEASE_TAGS,
    RULESET_NAME,
    Desired,
    DesiredTeam,
    environment_body,
    environment_right,
    first_parent_line,
    foreign_policies,
    is_release_policy,
    label_differences,
    off_line_text,
    policy_name,
    protection_gaps,
    release_ruleset,
    ruleset_gaps,
    settings_differences,
    tags_off_line,
)
from toolkit.forge.github.names import ACTIONS_APP_ID, CHECK_NAME, TRACKING_LABEL
from toolkit.i18n import _
from toolkit.paths import POLICY_FILE, ROSTER_FILE
from toolkit.repo.scaffold_files import Scaffold

if TYPE_CHECKING:
    from github.Requester import Requester

PAUSE_VARIABLE = "SOPKIT_GITHUB_PAUSE"  # seconds between write calls; GitHub asks for at least one
PUSH_ACCESS = {"push", "maintain", "admin"}
_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')
STEPS = 11


def client(token: str, api_url: str = DEFAULT_API) -> Requester:
    """PyGithub's requester for ``api_url``: GET, PUT and DELETE retried on 5xx and rate limits (they are
    idempotent), POST and PATCH not."""
    from github import Auth, Github
    from github.GithubRetry import GithubRetry

    try:
        pause = float(os.environ.get(PAUSE_VARIABLE, "1"))
    except ValueError:
        raise UserError(_("{name} must be a number of seconds").format(name=PAUSE_VARIABLE)) from None
    retry = GithubRetry(total=6, allowed_methods=frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"}))
    hub = Github(
        auth=Auth.Token(token),
        base_url=checked_api_url(api_url, "--api-url"),
        retry=retry,
        timeout=30,
        seconds_between_requests=0,
        seconds_between_writes=max(pause, 0),
    )
    return hub.requester


@dataclass
class Summary:
    """What a run did (or, in a dry run, would do), line by line."""

    dry_run: bool
    created: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    right: list[str] = field(default_factory=list)
    not_enforced: list[str] = field(default_factory=list)
    attention: list[str] = field(default_factory=list)  # found on GitHub, for a person to judge
    notes: list[str] = field(default_factory=list)

    def render(self) -> str:
        heads = (
            (_("Would create") if self.dry_run else _("Created"), self.created),
            (_("Would change") if self.dry_run else _("Changed"), self.changed),
            (_("Already right"), self.right),
            (_("Could not be enforced"), self.not_enforced),
            (_("Needs attention"), self.attention),
            (_("Notes"), self.notes),
        )
        out: list[str] = []
        for head, lines in heads:
            if lines:
                out.append(f"{head} ({len(lines)}):")
                out += [f"  - {line}" for line in lines]
        return "\n".join(out) + "\n"


class Provisioner:
    """One run against organisation ``org``'s repository ``name``."""

    def __init__(
        self,
        requester: Requester,
        org: str,
        name: str,
        want: Desired,
        scaffold: Scaffold,
        *,
        dry_run: bool = False,
        progress: Callable[[str], None] = lambda _line: None,
    ) -> None:
        self.r = requester
        self.org, self.name, self.full = org, name, f"{org}/{name}"
        self.want = want
        self.scaffold = scaffold
        self.summary = Summary(dry_run)
        self.dry_run = dry_run
        self._progress = progress
        self._done = 0
        self.branch = "main"
        self.node_id = ""
        self.enforce_reviewers = False
        self.team_ids: dict[str, int] = {}
        self.org_teams: dict[str, Mapping[str, Any]] = {}  # the organisation's teams by slug, read once
        self.pushed_codeowners = False
        self.ruleset_id: int | None = None  # the release tags' ruleset, once known
        self.rulesets_available = True
        # what the ruleset's bypass list and the environment's reviewer hold after their steps; teams made
        # later in the run are added after the teams step
        self.bypass_held: set[int] | None = None
        self.reviewer_pending = False

    # ---- calls
    @contextmanager
    def _calling(self, what: str) -> Iterator[None]:
        with _asking(
            what,
            _(
                "GitHub answered {status} to {what} ({detail}); provisioning stopped there. Fix the cause "
                "and run it again: it continues where it stopped"
            ),
            _(
                "GitHub could not be reached for {what} ({detail}); provisioning stopped there. Run it "
                "again: it continues where it stopped"
            ),
        ):
            yield

    def _get(self, path: str, what: str, **params: Any) -> Any:
        """The answer to GET ``path``; ``None`` when GitHub answers 404."""
        from github import GithubException

        with self._calling(what):
            try:
                return self.r.requestJsonAndCheck("GET", path, parameters=params or None)[1]
            except GithubException as error:
                if error.status == 404:  # "Not Found", "Branch not protected", ...
                    return None
                raise

    def _list(self, path: str, what: str, key: str | None = None, **params: Any) -> list[Any]:
        """Every item of a paged list (under ``key`` when the answer wraps it in an object)."""
        found: list[Any] = []
        url: str | None = path
        query: dict[str, Any] | None = {"per_page": PAGE, **params}
        while url:
            with self._calling(what):
                headers, page = self.r.requestJsonAndCheck("GET", url, parameters=query)
            found += (page.get(key) if key and isinstance(page, Mapping) else page) or []
            following = _NEXT.search(headers.get("link", ""))
            url, query = (following.group(1), None) if following else (None, None)
        return found

    def _write(self, method: str, path: str, what: str, body: Mapping[str, Any] | None = None) -> Any:
        with self._calling(what):
            return self.r.requestJsonAndCheck(method, path, input=dict(body) if body is not None else None)[1]

    def _step(self, text: str) -> None:
        self._done += 1
        self._progress(f"[{self._done}/{STEPS - self.dry_run}] {text}")

    # ---- the run
    def run(self) -> Summary:
        self._organisation()
        self._accounts()
        repo = self._get(f"/repos/{self.full}", _("the repository"))
        fresh = repo is None
        if not fresh:
            self._same_rules()
        self._repository(repo)
        self._files(fresh)
        # the release path stands before any team gets push access: no window for a branch or tag pushed
        # around it. The organisation's teams are read first, for the ids of those that exist already.
        self._read_org_teams()
        self._protection(fresh)
        self._environment(fresh)
        self._release_tags(fresh)
        self._teams(fresh)
        self._release_settled(fresh)
        self._labels(fresh)
        self._issue(fresh)
        if not self.dry_run:
            self._verify()
        return self.summary

    def _organisation(self) -> None:
        self._step(_("organisation {org}").format(org=self.org))
        org = self._get(f"/orgs/{self.org}", _("the organisation"))
        if org is None:
            raise UserError(
                _("GitHub has no organisation '{org}' (or the token cannot see it); check --org").format(
                    org=self.org
                )
            )
        plan = (org.get("plan") or {}).get("name")
        if not plan:
            raise UserError(
                _(
                    "cannot see the plan of organisation '{org}': the token must belong to an owner of the "
                    "organisation (scopes repo and admin:org)"
                ).format(org=self.org)
            )
        if plan == "free":
            raise UserError(
                _(
                    "organisation '{org}' is on GitHub Free, which cannot protect a private repository: the "
                    "gate could be bypassed. Nothing was changed. Move the organisation to Team or "
                    "Enterprise (or use a plain git server: sopkit server init)"
                ).format(org=self.org)
            )
        self.enforce_reviewers = plan == "enterprise"

    def _accounts(self) -> None:
        """Who each roster login names on GitHub now, read before anything is written (one query): a login
        whose account is not the number the roster pins was renamed away, or taken by someone else, and
        must get no team. Unpinned accounts are listed with their numbers, to be pinned."""
        accounts = self.want.accounts
        if not accounts:
            return
        params = ", ".join(f"$u{i}: String!" for i in range(len(accounts)))
        fields = " ".join(
            f"u{i}: repositoryOwner(login: $u{i}) {{ login ... on User {{ databaseId }} }}"
            for i in range(len(accounts))
        )
        variables = {f"u{i}": login for i, (_member, login, _number) in enumerate(accounts)}
        with self._calling(_("the roster's GitHub accounts")):
            data = self.r.graphql_query(f"query({params}) {{ {fields} }}", variables)[1].get("data") or {}
        wrong, unpinned = [], []
        for i, (member, login, pinned) in enumerate(accounts):
            number = (data.get(f"u{i}") or {}).get("databaseId")
            if pinned is None:
                if isinstance(number, int):
                    unpinned.append(f"{member}: github_id: {number}")
            elif number != pinned:
                wrong.append(
                    _(
                        "member {member}: '{login}' is account {number} on GitHub, not github_id {pinned}"
                    ).format(member=member, login=login, number=number or "-", pinned=pinned)
                )
        if wrong:
            raise UserError(
                _(
                    ".sop/roster.yaml: {wrong}. The account was renamed and its login taken by someone "
                    "else, or github_id is wrong: correct the member's github: (and github_id:) and run "
                    "again. Nothing was changed"
                ).format(wrong="; ".join(wrong))
            )
        if unpinned:
            self.summary.notes.append(
                _(
                    "the roster names these GitHub accounts by login alone, which passes to whoever takes it "
                    "after a rename; pin their numbers in .sop/roster.yaml: {accounts}"
                ).format(accounts=", ".join(unpinned))
            )

    def _repository(self, repo: Mapping[str, Any] | None) -> None:
        self._step(_("repository {repo}").format(repo=self.full))
        wanted = self.want.settings
        what = _("repository {repo} (private; merge methods, delete merged branches)").format(repo=self.full)
        if repo is None:
            self.summary.created.append(what)
            if self.dry_run:
                return
            body = {"name": self.name, "auto_init": True, "has_wiki": False, **wanted}
            repo = self._write("POST", f"/orgs/{self.org}/repos", _("creating the repository"), body)
        else:
            differing = settings_differences(wanted, repo)
            if differing:
                self.summary.changed.append(
                    _("repository settings: {keys}").format(keys=", ".join(sorted(differing)))
                )
                if not self.dry_run:
                    repo = self._write(
                        "PATCH", f"/repos/{self.full}", _("the repository settings"), differing
                    )
            else:
                self.summary.right.append(what)
        assert repo is not None
        self.branch = str(repo.get("default_branch") or "main")
        self.node_id = str(repo.get("node_id") or "")

    # ---- the scaffold's files
    def _files(self, fresh: bool) -> None:
        self._step(_("the scaffold's files"))
        tip = (
            None
            if fresh
            else self._get(f"/repos/{self.full}/branches/{self.branch}", _("the default branch"))
        )
        if not fresh and tip is None:
            raise UserError(
                _(
                    "{repo} exists but is empty: GitHub takes no files through its API into an empty "
                    "repository. Push the scaffold with git (git push URL HEAD:{branch}) and run again"
                ).format(repo=self.full, branch=self.branch)
            )
        if tip is not None and not self._only_initial_commit(tip):
            self.summary.notes.append(
                _(
                    "the repository has content already (the scaffold, or other files): its files were left "
                    "as they are"
                )
            )
            self._compare_codeowners()
            return
        what = _("first commit: the scaffold ({count} files) with CODEOWNERS generated from sop.yaml").format(
            count=len(self.scaffold.files)
        )
        self.summary.created.append(what)
        if not self.scaffold.clean:
            self.summary.notes.append(_("uncommitted changes in the folder were not pushed"))
        if self.dry_run:
            return
        parent = str(tip["commit"]["sha"]) if tip is not None else None
        if parent is None:  # the repository was made in this run, with GitHub's first commit
            found = self._get(f"/repos/{self.full}/git/ref/heads/{self.branch}", _("the default branch"))
            parent = str(found["object"]["sha"])
        self._push(parent)

    def _only_initial_commit(self, tip: Mapping[str, Any]) -> bool:
        """Whether the branch holds only the commit GitHub made with the repository (a README)."""
        if tip["commit"].get("parents"):
            return False
        root = self._get(f"/repos/{self.full}/contents/", _("the repository's files"), ref=self.branch)
        return isinstance(root, list) and [e.get("name") for e in root] == ["README.md"]

    def _push(self, parent: str) -> None:
        entries: list[dict[str, Any]] = []
        files = [f for f in self.scaffold.files if f.path != CODEOWNERS_PATH]
        for item in files:
            text = item.text
            if text is not None:
                entries.append({"path": item.path, "mode": item.mode, "type": "blob", "content": text})
                continue
            blob = self._write(
                "POST",
                f"/repos/{self.full}/git/blobs",
                _("the file {path}").format(path=item.path),
                {"content": base64.b64encode(item.data).decode(), "encoding": "base64"},
            )
            entries.append({"path": item.path, "mode": item.mode, "type": "blob", "sha": blob["sha"]})
        entries.append(
            {"path": CODEOWNERS_PATH, "mode": "100644", "type": "blob", "content": self.want.codeowners}
        )
        tree = self._write(
            "POST", f"/repos/{self.full}/git/trees", _("the scaffold's tree"), {"tree": entries}
        )
        commit = self._write(
            "POST",
            f"/repos/{self.full}/git/commits",
            _("the first commit"),
            {
                "message": "Scaffold aplikasi dari sopkit new, CODEOWNERS dari sop.yaml\n",
                "tree": tree["sha"],
                "parents": [parent],
            },
        )
        self._write(
            "PATCH",
            f"/repos/{self.full}/git/refs/heads/{self.branch}",
            _("moving {branch} to the first commit").format(branch=self.branch),
            {"sha": commit["sha"], "force": False},
        )
        self.pushed_codeowners = True

    def _compare_codeowners(self) -> None:
        stored = self._read_codeowners()
        if stored == self.want.codeowners:
            self.summary.right.append(_("CODEOWNERS matches sop.yaml"))
        else:
            self.summary.not_enforced.append(
                _(
                    "{path} differs from what sop.yaml gives (or is missing); it is not overwritten on a "
                    "protected branch: change it by a pull request the policy owners approve "
                    "(--dry-run prints "
                    "the expected file)"
                ).format(path=CODEOWNERS_PATH)
            )

    def _read_codeowners(self) -> str | None:
        found = self._read_file(CODEOWNERS_PATH)
        try:
            return None if found is None else found.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def _read_file(self, path: str) -> bytes | None:
        """The file ``path`` on the default branch; ``None`` when it has none."""
        found = self._get(
            f"/repos/{self.full}/contents/{path}", _("the file {path}").format(path=path), ref=self.branch
        )
        if not isinstance(found, Mapping) or found.get("encoding") != "base64":
            return None
        try:
            return base64.b64decode(str(found.get("content") or ""))
        except ValueError:
            return None

    def _same_rules(self) -> None:
        """Teams and CODEOWNERS follow the policy and roster the gate judges by: those on the default
        branch, changed only by pull requests the policy owners approve. A folder whose copies differ
        would give people teams nobody approved: refused before anything is written."""
        differ = [
            path
            for path in (POLICY_FILE, ROSTER_FILE)
            if (stored := self._read_file(path)) is not None and stored != self.scaffold.get(path)
        ]
        if differ:
            raise UserError(
                _(
                    "{files} in the folder differ from {branch} of {repo}: provisioning follows what the "
                    "gate judges by. Propose the change by a pull request the policy owners approve, then "
                    "run again from a clone of {branch}. Nothing was changed"
                ).format(files=", ".join(differ), branch=self.branch, repo=self.full)
            )

    # ---- teams
    def _read_org_teams(self) -> None:
        listed = self._list(f"/orgs/{self.org}/teams", _("the organisation's teams"))
        self.org_teams = {str(t["slug"]): t for t in listed}
        wanted = {team.slug for team in self.want.teams}
        self.team_ids = {slug: int(t["id"]) for slug, t in self.org_teams.items() if slug in wanted}

    def _teams(self, fresh: bool) -> None:
        self._step(_("teams and their members"))
        existing = self.org_teams
        granted: dict[str, str] = {}
        if not fresh:
            for team in self._list(f"/repos/{self.full}/teams", _("the repository's teams")):
                granted[team["slug"]] = str(team.get("permission") or "")
        me: str | None = None
        for team in self.want.teams:
            found = existing.get(team.slug)
            if found is None:
                if me is None and not self.dry_run:
                    me = str(self._get("/user", _("the token's user"))["login"])
                self._create_team(team, me)
                continue
            self.team_ids[team.slug] = int(found["id"])
            if found.get("privacy") == "secret":
                self.summary.not_enforced.append(
                    _(
                        "team {team} is secret: GitHub ignores secret teams in CODEOWNERS; make it visible"
                    ).format(team=team.slug)
                )
            if granted.get(team.slug) not in PUSH_ACCESS:
                self.summary.changed.append(
                    _("team {team}: push access to the repository").format(team=team.slug)
                )
                if not self.dry_run:
                    self._write(
                        "PUT",
                        f"/orgs/{self.org}/teams/{team.slug}/repos/{self.full}",
                        _("team {team}'s access").format(team=team.slug),
                        {"permission": "push"},
                    )
            members = self._list(
                f"/orgs/{self.org}/teams/{team.slug}/members",
                _("team {team}'s members").format(team=team.slug),
            )
            self._sync_members(team, {str(m["login"]) for m in members}, created=False)
        if self.want.without_login:
            self.summary.notes.append(
                _(
                    "roster members holding a role today without a github: login (not in any team): {who}"
                ).format(who=", ".join(self.want.without_login))
            )

    def _create_team(self, team: DesiredTeam, me: str | None) -> None:
        self.summary.created.append(
            _("team {team} with push access, members: {members}").format(
                team=team.slug, members=", ".join(sorted(team.members)) or "-"
            )
        )
        if self.dry_run or me is None:
            return
        made = self._write(
            "POST",
            f"/orgs/{self.org}/teams",
            _("creating team {team}").format(team=team.slug),
            {
                "name": team.slug,
                "description": team.description,
                "privacy": "closed",  # visible to the organisation: CODEOWNERS ignores secret teams
                "repo_names": [self.full],
                "permission": "push",
            },
        )
        if made.get("slug") != team.slug:
            raise UserError(
                _(
                    "GitHub named the new team '{got}', not '{team}': rename it on GitHub or change team: "
                    "in sop.yaml"
                ).format(got=made.get("slug"), team=team.slug)
            )
        self.team_ids[team.slug] = int(made["id"])
        # GitHub makes the creator a maintainer of the team
        self._sync_members(team, {me}, created=True, creator=me)

    def _sync_members(
        self, team: DesiredTeam, current: set[str], *, created: bool, creator: str | None = None
    ) -> None:
        wanted = {login.lower(): login for login in team.members}
        have = {login.lower(): login for login in current}
        adds = [wanted[k] for k in sorted(wanted) if k not in have]
        removes = [have[k] for k in sorted(have) if k not in wanted]
        if created and creator is not None and creator.lower() in wanted:
            adds.append(wanted[creator.lower()])  # from maintainer (GitHub's choice) to member
        if not created:
            self.summary.changed += [
                _("team {team}: {login} added").format(team=team.slug, login=x) for x in adds
            ]
            self.summary.changed += [
                _("team {team}: {login} removed").format(team=team.slug, login=x) for x in removes
            ]
            if not adds and not removes:
                self.summary.right.append(
                    _("team {team}, members as in the roster: {logins}").format(
                        team=team.slug, logins=", ".join(sorted(team.members)) or "-"
                    )
                )
        if self.dry_run:
            return
        for login in adds:
            self._add_member(team.slug, login)
        for login in removes:
            self._write(
                "DELETE",
                f"/orgs/{self.org}/teams/{team.slug}/memberships/{login}",
                _("removing {login} from team {team}").format(login=login, team=team.slug),
            )

    def _add_member(self, slug: str, login: str) -> None:
        from github import GithubException

        path = f"/orgs/{self.org}/teams/{slug}/memberships/{login}"
        with self._calling(_("adding {login} to team {team}").format(login=login, team=slug)):
            try:
                answer = self.r.requestJsonAndCheck("PUT", path, input={"role": "member"})[1]
            except GithubException as error:
                if error.status != 404:
                    raise
                raise UserError(
                    _(
                        ".sop/roster.yaml: GitHub has no user '{login}' (github: of a member holding a "
                        "role); "
                        "correct the login in the roster and run again"
                    ).format(login=login)
                ) from error
        if answer.get("state") == "pending":
            self.summary.notes.append(
                _("{login} was invited to the organisation; team {team} counts them once they accept").format(
                    login=login, team=slug
                )
            )

    # ---- protection and environment
    def _protection(self, fresh: bool) -> None:
        self._step(_("protection of {branch}").format(branch=self.branch))
        stored = (
            None
            if fresh
            else self._get(
                f"/repos/{self.full}/branches/{self.branch}/protection", _("the branch protection")
            )
        )
        self.summary.not_enforced.append(
            _(
                "who posts the {check} check: any workflow in the repository (one a programmer pushes on a "
                "branch, with checks: write) runs as the GitHub Actions app ({app}) the check is bound to, "
                "so branch protection cannot tell its {check} from the gate's; `sopkit github audit` "
                "judges every merged pull request again and reports such a merge. To close it: an "
                "organisation ruleset that requires the central sop-gate workflow, or a GitHub App of the "
                "office's own for the check"
            ).format(check=CHECK_NAME, app=ACTIONS_APP_ID)
        )
        gaps = protection_gaps(stored)
        if not gaps:
            self.summary.right.append(_("protection of {branch}").format(branch=self.branch))
            return
        where = self.summary.created if stored is None else self.summary.changed
        where.append(_("protection of {branch}: {gaps}").format(branch=self.branch, gaps="; ".join(gaps)))
        if self.dry_run:
            return
        self._write(
            "PUT",
            f"/repos/{self.full}/branches/{self.branch}/protection",
            _("the branch protection"),
            PROTECTION_BODY,
        )

    def _reviewer_team_id(self) -> int | None:
        team = self.want.security_team
        if not self.enforce_reviewers or team is None:
            return None
        return self.team_ids.get(team)

    def _environment(self, fresh: bool) -> None:
        self._step(_("environment {env}").format(env=ENVIRONMENT))
        if not self.enforce_reviewers:
            self.summary.not_enforced.append(
                _(
                    "reviewers of environment {env}: required reviewers on a private repository need GitHub "
                    "Enterprise; the environment exists without them, so the release gate is advisory "
                    "here: a release workflow edited on the tagged commit deploys without it. What holds is "
                    "who may tag: ruleset {ruleset} lets only the policy owners' teams push tags {tags}, "
                    "and only those tags deploy to {env}"
                ).format(env=ENVIRONMENT, ruleset=RULESET_NAME, tags=RELEASE_TAGS)
            )
        path = f"/repos/{self.full}/environments/{ENVIRONMENT}"
        stored = None if fresh else self._get(path, _("environment {env}").format(env=ENVIRONMENT))
        if environment_right(stored, self.want.security_team, self.enforce_reviewers):
            self.summary.right.append(_("environment {env}").format(env=ENVIRONMENT))
        else:
            text = _(
                "environment {env} (deploys from tags {tags} only; reviewers: team {team}, no self-review)"
            ).format(
                env=ENVIRONMENT,
                tags=RELEASE_TAGS,
                team=self.want.security_team if self.enforce_reviewers else "-",
            )
            (self.summary.created if stored is None else self.summary.changed).append(text)
            if not self.dry_run:
                reviewer = self._reviewer_team_id()
                body = environment_body(reviewer)
                self._write("PUT", path, _("environment {env}").format(env=ENVIRONMENT), body)
                # the security team made later in this run: its reviewers are set after the teams step
                self.reviewer_pending = (
                    reviewer is None and self.enforce_reviewers and self.want.security_team is not None
                )
        self._deployment_policies(made=stored is None)

    def _policies_path(self) -> str:
        return f"/repos/{self.full}/environments/{ENVIRONMENT}/deployment-branch-policies"

    def _read_policies(self) -> list[Any]:
        what = _("the deployment policies of {env}").format(env=ENVIRONMENT)
        return self._list(self._policies_path(), what, key="branch_policies")

    def _deployment_policies(self, made: bool) -> None:
        """Only tags ``v*`` deploy: that policy present, any other one (drift) deleted and reported."""
        stored = [] if made else self._read_policies()
        for policy in foreign_policies(stored):
            self.summary.changed.append(
                _("environment {env}: deployment policy {policy} removed (only tags {tags} deploy)").format(
                    env=ENVIRONMENT, policy=policy_name(policy), tags=RELEASE_TAGS
                )
            )
            if not self.dry_run:
                self._write(
                    "DELETE",
                    f"{self._policies_path()}/{policy['id']}",
                    _("removing deployment policy {policy}").format(policy=policy_name(policy)),
                )
        what = _("environment {env}: deployment policy tag {tags}").format(env=ENVIRONMENT, tags=RELEASE_TAGS)
        if any(is_release_policy(p) for p in stored):
            self.summary.right.append(what)
            return
        self.summary.created.append(what)
        if not self.dry_run:
            self._write("POST", self._policies_path(), what, {"name": RELEASE_TAGS, "type": "tag"})

    # ---- who may push release tags
    def _bypass_ids(self) -> list[int]:
        return [self.team_ids[slug] for slug in self.want.owner_teams if slug in self.team_ids]

    def _release_tags(self, fresh: bool) -> None:
        self._step(_("ruleset {name} for tags {tags}").format(name=RULESET_NAME, tags=RELEASE_TAGS))
        stored = None
        if not fresh:
            listed = self._rulesets()
            if listed is None:
                return
            found = next((r for r in listed if r.get("name") == RULESET_NAME), None)
            if found is not None:
                self.ruleset_id = int(found["id"])
                stored = self._get(
                    f"/repos/{self.full}/rulesets/{self.ruleset_id}",
                    _("ruleset {name}").format(name=RULESET_NAME),
                )
        gaps = ruleset_gaps(stored, self._bypass_ids())
        if not gaps:
            self.summary.right.append(_("ruleset {name}").format(name=RULESET_NAME))
            self.bypass_held = set(self._bypass_ids())
            return
        where = self.summary.created if stored is None else self.summary.changed
        where.append("; ".join(gaps))
        if self.dry_run:
            return
        body = release_ruleset(self._bypass_ids())
        what = _("ruleset {name}").format(name=RULESET_NAME)
        if self.ruleset_id is None:
            made = self._unless_unavailable("POST", f"/repos/{self.full}/rulesets", body)
            if made is not None:
                self.ruleset_id = int(made["id"])
                self.bypass_held = set(self._bypass_ids())
        else:
            self._write("PUT", f"/repos/{self.full}/rulesets/{self.ruleset_id}", what, body)
            self.bypass_held = set(self._bypass_ids())

    def _release_settled(self, fresh: bool) -> None:
        """The teams made in this run join the ruleset's bypass list and the environment's reviewers (what
        was written is known: nothing is read again); then the release tags already made are looked at."""
        self._step(_("who may push tags {tags}, and the tags already made").format(tags=RELEASE_TAGS))
        if not self.dry_run:
            if self.ruleset_id is not None and self.bypass_held not in (None, set(self._bypass_ids())):
                what = _("ruleset {name}").format(name=RULESET_NAME)
                body = release_ruleset(self._bypass_ids())
                self._write("PUT", f"/repos/{self.full}/rulesets/{self.ruleset_id}", what, body)
            reviewer = self._reviewer_team_id()
            if self.reviewer_pending and reviewer is not None:
                path = f"/repos/{self.full}/environments/{ENVIRONMENT}"
                what = _("environment {env}").format(env=ENVIRONMENT)
                self._write("PUT", path, what, environment_body(reviewer))
        if not (fresh and self.dry_run):  # a dry run's repository may not exist
            self._tags_made()

    def _tags_made(self) -> None:
        """Every release tag whose commit is not on the default branch's first-parent line goes under
        "needs attention": it deploys, but the gate never judged it as the branch's state."""
        what = _("the tags {tags}").format(tags=RELEASE_TAGS)
        tags = release_tag_commits(lambda path: self._get(path, what), self.full)
        commits = {commit for commit in tags.values() if commit}
        line: list[str] = []
        if commits:
            line = self._first_parent_line(commits)
        for name in tags_off_line(tags, line):
            self.summary.attention.append(off_line_text(name, tags[name], self.branch))

    def _first_parent_line(self, wanted: set[str]) -> list[str]:
        """The default branch's first-parent line, read 100 commits a query until it holds every commit of
        ``wanted`` or reaches the first commit."""
        parents: dict[str, str | None] = {}
        tip: str | None = None
        after: str | None = None
        what = _("the history of {branch}").format(branch=self.branch)
        while True:
            variables = {
                "owner": self.org,
                "name": self.name,
                "ref": f"refs/heads/{self.branch}",
                "after": after,
            }
            with self._calling(what):
                data = self.r.graphql_query(_HISTORY_QUERY, variables)[1].get("data") or {}
            target = ((data.get("repository") or {}).get("ref") or {}).get("target") or {}
            tip = tip or target.get("oid")
            history = target.get("history") or {}
            for node in history.get("nodes") or []:
                first = ((node.get("parents") or {}).get("nodes") or [None])[0]
                parents[str(node["oid"])] = str(first["oid"]) if first else None
            line, whole = first_parent_line(parents, str(tip or ""))
            info = history.get("pageInfo") or {}
            if whole or wanted <= set(line) or not info.get("hasNextPage"):
                return line
            after = info.get("endCursor")

    def _rulesets(self) -> list[Any] | None:
        """The repository's rulesets; ``None`` when the plan or server has none (then said so)."""
        found = self._unless_unavailable("GET", f"/repos/{self.full}/rulesets")
        return list(found) if found is not None else None

    def _unless_unavailable(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
        """A rulesets call; when GitHub answers that the plan lacks rulesets (403 "Upgrade", or 404 from a
        server without them), that goes under "could not be enforced" and the run goes on."""
        from github import GithubException

        what = _("ruleset {name}").format(name=RULESET_NAME)
        try:
            if method == "GET":
                # every target: a ruleset retargeted at branches keeps its name, and is put right
                return self._list(path, what, includes_parents="false")
            return self._write(method, path, what, body)
        except Unreachable as failed:
            error = failed.__cause__
            lacking = isinstance(error, GithubException) and (
                error.status == 404 or (error.status == 403 and "upgrade" in str(error.data).lower())
            )
            if not lacking:
                raise
        self.rulesets_available = False
        self.summary.not_enforced.append(
            _(
                "who may push tags {tags}: GitHub answered that this plan or server has no repository "
                "rulesets, so any programmer may tag a commit {tags} and deploy it through {env}; restrict "
                "release tags another way (GitHub Team or Enterprise Cloud, or GitHub Enterprise Server "
                "3.11 or later)"
            ).format(tags=RELEASE_TAGS, env=ENVIRONMENT)
        )
        return None

    # ---- labels and the tracking issue
    def _labels(self, fresh: bool) -> None:
        self._step(_("labels"))
        stored = [] if fresh else self._list(f"/repos/{self.full}/labels", _("the labels"))
        missing, differing = label_differences(self.want.labels, stored)
        if missing:
            self.summary.created.append(
                _("labels: {names}").format(names=", ".join(label.name for label in missing))
            )
        for label in differing:
            self.summary.changed.append(_("label {name}: colour and description").format(name=label.name))
        if not missing and not differing:
            self.summary.right.append(_("labels ({count})").format(count=len(self.want.labels)))
            return
        if self.dry_run:
            return
        if missing:
            self._create_labels(missing)
        for label in differing:
            self._write(
                "PATCH",
                f"/repos/{self.full}/labels/{label.name}",
                _("label {name}").format(name=label.name),
                {"color": label.color, "description": label.description},
            )
        after = self._list(f"/repos/{self.full}/labels", _("the labels"))
        still, wrong = label_differences(self.want.labels, after)
        if still or wrong:
            raise UserError(
                _("GitHub did not take the labels {names}; run again").format(
                    names=", ".join(x.name for x in [*still, *wrong])
                )
            )

    def _create_labels(self, missing: list[Any]) -> None:
        """All missing labels in one GraphQL request (GitHub has no REST call for several); a label that
        exists already is fine: the labels are read back after."""
        fields = ", ".join(f"$l{i}: CreateLabelInput!" for i in range(len(missing)))
        calls = " ".join(
            f"l{i}: createLabel(input: $l{i}) {{ label {{ name }} }}" for i in range(len(missing))
        )
        variables = {
            f"l{i}": {
                "repositoryId": self.node_id,
                "name": x.name,
                "color": x.color,
                "description": x.description,
            }
            for i, x in enumerate(missing)
        }
        with self._calling(_("creating the labels")):
            self.r.graphql_query(f"mutation({fields}) {{ {calls} }}", variables)

    def _issue(self, fresh: bool) -> None:
        self._step(_("the tracking issue"))
        found = (
            []
            if fresh
            else [
                issue
                for issue in self._list(
                    f"/repos/{self.full}/issues", _("the tracking issue"), labels=TRACKING_LABEL, state="open"
                )
                if "pull_request" not in issue
            ]
        )
        if found:
            numbers = ", ".join(f"#{issue['number']}" for issue in found)
            self.summary.right.append(_("tracking issue {numbers}").format(numbers=numbers))
            if len(found) > 1:
                self.summary.notes.append(
                    _("several open issues carry the label {label} ({numbers}); close all but one").format(
                        label=TRACKING_LABEL, numbers=numbers
                    )
                )
            return
        self.summary.created.append(_('tracking issue "{title}"').format(title=self.want.issue_title))
        if not self.dry_run:
            body = {"title": self.want.issue_title, "body": self.want.issue_body, "labels": [TRACKING_LABEL]}
            self._write("POST", f"/repos/{self.full}/issues", _("the tracking issue"), body)

    # ---- read back
    def _verify(self) -> None:
        """Read the settings back; any that did not take fails the run."""
        self._step(_("reading the settings back"))
        failed: list[str] = []
        repo = self._get(f"/repos/{self.full}", _("the repository")) or {}
        differing = settings_differences(self.want.settings, repo)
        if differing:
            failed.append(_("repository settings {keys}").format(keys=", ".join(sorted(differing))))
        protection = self._get(
            f"/repos/{self.full}/branches/{self.branch}/protection", _("the branch protection")
        )
        failed += protection_gaps(protection)
        granted = {
            t["slug"]: str(t.get("permission") or "")
            for t in self._list(f"/repos/{self.full}/teams", _("the repository's teams"))
        }
        failed += [
            _("team {team} with push access").format(team=t.slug)
            for t in self.want.teams
            if granted.get(t.slug) not in PUSH_ACCESS
        ]
        environment = self._get(f"/repos/{self.full}/environments/{ENVIRONMENT}", _("the environment"))
        if not environment_right(environment, self.want.security_team, self.enforce_reviewers):
            failed.append(_("environment {env}").format(env=ENVIRONMENT))
        policies = self._read_policies()
        if foreign_policies(policies) or not any(is_release_policy(p) for p in policies):
            failed.append(
                _("deployment policies of {env}: tags {tags} only").format(env=ENVIRONMENT, tags=RELEASE_TAGS)
            )
        if self.rulesets_available:
            stored = (
                None
                if self.ruleset_id is None
                else self._get(
                    f"/repos/{self.full}/rulesets/{self.ruleset_id}",
                    _("ruleset {name}").format(name=RULESET_NAME),
                )
            )
            failed += ruleset_gaps(stored, self._bypass_ids())
        if self.pushed_codeowners and self._read_codeowners() != self.want.codeowners:
            failed.append(CODEOWNERS_PATH)
        if failed:
            raise Unreachable(
                _(
                    "read back from GitHub, these settings did not take: {failed}; run again, and if it "
                    "persists check the token's rights (repo, admin:org) and the plan"
                ).format(failed="; ".join(failed))
            )


_HISTORY_QUERY = """
query($owner: String!, $name: String!, $ref: String!, $after: String) {
  repository(owner: $owner, name: $name) {
    ref(qualifiedName: $ref) {
      target {
        ... on Commit {
          oid
          history(first: 100, after: $after) {
            pageInfo { hasNextPage endCursor }
            nodes { oid parents(first: 1) { nodes { oid } } }
          }
        }
      }
    }
  }
}
"""

"""What provisioning wants on GitHub, computed from ``sop.yaml`` and the roster (pure: no disk, no network).

The adapter (``provision.py``) reads GitHub's state, compares it with what is here and writes only the
difference; the comparisons live here too, so they are tested without GitHub.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from toolkit.errors import UserError
from toolkit.evidence.roster import Roster
from toolkit.forge.github.names import (
    ACTIONS_APP_ID,
    CHECK_NAME,
    STEP_COLOR,
    TRACKING_COLOR,
    TRACKING_LABEL,
    step_label,
)
from toolkit.i18n import _
from toolkit.sop.globs import is_glob
from toolkit.sop.model import Sop

CODE_ROLE = "web-programmer"  # owns application code when sop.yaml has it; else the policy owners do
SECURITY_ROLE = "security"  # reviews deployments to the production environment
ENVIRONMENT = "production"
RELEASE_TAGS = "v*"  # the only refs that may deploy to the environment, and the tags the ruleset guards
RULESET_NAME = "sop-rilis"
RULESET_RULES = ("creation", "update", "deletion", "non_fast_forward")
# only refs matching the custom policies deploy (GitHub: exactly one of the two is true)
DEPLOYMENT_BRANCH_POLICY = {"protected_branches": False, "custom_branch_policies": True}
CODEOWNERS_PATH = ".github/CODEOWNERS"
MERGE_METHODS = ("merge", "squash", "rebase")
LABEL_DESCRIPTION_MAX = 100  # GitHub's limit


class DesiredTeam(NamedTuple):
    slug: str
    role: str
    description: str
    members: frozenset[str]  # GitHub logins, as the roster spells them
    # the account numbers the roster pins, by login in lower case (a renamed account frees its login)
    account_ids: tuple[tuple[str, int], ...] = ()


class Label(NamedTuple):
    name: str
    color: str
    description: str


class Desired(NamedTuple):
    teams: tuple[DesiredTeam, ...]
    codeowners: str
    labels: tuple[Label, ...]
    settings: dict[str, bool]
    security_team: str | None
    owner_teams: tuple[str, ...]  # the policy owners' teams: they alone may push release tags
    issue_title: str
    issue_body: str
    without_login: tuple[str, ...]  # "member (role)" holding a role today with no github: login
    # every team member's (member id, login, the account number the roster pins or None)
    accounts: tuple[tuple[str, str, int | None], ...] = ()


def desired(
    sop: Sop, roster: Roster, org: str, app_name: str, day: dt.date, merge_methods: Iterable[str]
) -> Desired:
    teams = desired_teams(sop, roster, day)
    missing = sorted(
        f"{member.id} ({grant.role})"
        for member in roster.members
        for grant in member.grants
        if not member.github and grant.role in sop.roles and grant.covers(day)
    )
    security = sop.roles.get(SECURITY_ROLE)
    return Desired(
        teams,
        codeowners(sop, org),
        labels(sop),
        repository_settings(merge_methods),
        security.team if security is not None else None,
        owner_teams(sop),
        f"Pelacakan SOP: {app_name}",  # the issue's title is Indonesian, as the office reads it
        tracking_body(app_name),
        tuple(missing),
        tuple(
            (member.id, member.github, member.github_id)
            for member in roster.members
            if member.github and any(member.github in team.members for team in teams)
        ),
    )


def desired_teams(sop: Sop, roster: Roster, day: dt.date) -> tuple[DesiredTeam, ...]:
    """A team per role that names one (``team:``), its members the GitHub logins of those holding the role
    on ``day``."""
    found: dict[str, DesiredTeam] = {}
    for role in sop.roles.values():
        if not role.team:
            continue
        holders = [
            member
            for member in roster.members
            if member.github and any(g.role == role.id and g.covers(day) for g in member.grants)
        ]
        members = frozenset(str(member.github) for member in holders)
        pinned = tuple((str(m.github).lower(), m.github_id) for m in holders if m.github_id is not None)
        if role.team in found:  # two roles may share a team: its members are both roles' holders
            previous = found[role.team]
            both = tuple(dict.fromkeys((*previous.account_ids, *pinned)))
            found[role.team] = previous._replace(members=previous.members | members, account_ids=both)
            continue
        found[role.team] = DesiredTeam(role.team, role.id, f"SOP: {role.title.id}", members, pinned)
    return tuple(found.values())


def owner_teams(sop: Sop) -> tuple[str, ...]:
    """The slugs of the policy owners' teams (the Kasi's and the Kabid's), each once."""
    teams = [sop.roles[role].team for role in sop.policy.owners if role in sop.roles]
    return tuple(dict.fromkeys(str(team) for team in teams if team))


def _team_of(sop: Sop, role: str, org: str, used_for: str) -> str:
    found = sop.roles.get(role)
    if found is None or not found.team:
        raise UserError(
            _(
                "sop.yaml: role '{role}' ({use}) has no 'team:'; add the GitHub team's slug to the role "
                "(roles: {role}: team: SLUG)"
            ).format(role=role, use=used_for)
        )
    return f"@{org}/{found.team}"


def _owners(sop: Sop, roles: Iterable[str], org: str, used_for: str) -> str:
    teams: list[str] = []
    for role in roles:
        team = _team_of(sop, role, org, used_for)
        if team not in teams:
            teams.append(team)
    return " ".join(teams)


def artefact_folder(path: str) -> str:
    """The folder an artefact lies in, as a CODEOWNERS pattern (``/docs/07-skpl/``); an artefact at the
    root is owned by its own path."""
    parts = path.split("/")
    literal: list[str] = []
    for part in parts[:-1]:
        if is_glob(part):
            break
        literal.append(part)
    return "/" + "/".join(literal) + "/" if literal else "/" + path


def codeowners_pattern(pattern: str) -> str:
    """A policy path of sop.yaml as a CODEOWNERS pattern, anchored at the root (``.sop/**`` -> ``/.sop/``)."""
    if any(c in pattern for c in "[]!\\ #"):
        raise UserError(
            _(
                "sop.yaml: policy path '{pattern}' cannot be written in CODEOWNERS (no spaces, '#', '!', "
                "'\\', "
                "'[' or ']'); name the files plainly or with * and **"
            ).format(pattern=pattern)
        )
    anchored = "/" + pattern.lstrip("/")
    return anchored[: -len("**")] if anchored.endswith("/**") else anchored


def codeowners(sop: Sop, org: str) -> str:
    """CODEOWNERS from sop.yaml: code to the code role's team, each step's artefact folders to the teams of
    the roles that sign it off, the policy paths to the policy owners' teams (GitHub applies the last
    matching line, so the policy comes last)."""
    code_roles = (CODE_ROLE,) if CODE_ROLE in sop.roles else sop.policy.owners
    lines = [
        "# Dibuat oleh `sopkit github provision` dari .sop/sop.yaml; ubah sop.yaml, bukan berkas ini.",
        "# Generated by `sopkit github provision` from .sop/sop.yaml; change sop.yaml, not this file.",
        "",
        "# Kode aplikasi / application code",
        f"*  {_owners(sop, code_roles, org, 'code')}",
        "",
        "# Dokumen SOP per langkah / SOP documents per step",
    ]
    folders: dict[str, list[str]] = {}
    for step in sop.steps:
        for artefact in step.artefacts:
            owners = folders.setdefault(artefact_folder(artefact.path), [])
            for role in step.signoffs:
                if role not in owners:
                    owners.append(role)
    for folder, roles in folders.items():
        if roles and not any(
            folder != other and folder.startswith(other) and folders[other] == roles for other in folders
        ):
            lines.append(f"{folder}  {_owners(sop, roles, org, 'sign-off')}")
    lines += ["", "# Berkas kebijakan / policy files"]
    policy = _owners(sop, sop.policy.owners, org, "policy owner")
    lines += [f"{codeowners_pattern(path)}  {policy}" for path in sop.policy.paths]
    return "\n".join(lines) + "\n"


def labels(sop: Sop) -> tuple[Label, ...]:
    tracking = Label(TRACKING_LABEL, TRACKING_COLOR, "Isu pelacakan langkah SOP aplikasi ini")
    steps = [
        Label(step_label(step.no), STEP_COLOR, step.title.id[:LABEL_DESCRIPTION_MAX]) for step in sop.steps
    ]
    return (tracking, *steps)


def repository_settings(merge_methods: Iterable[str]) -> dict[str, bool]:
    allowed = set(merge_methods)
    unknown = allowed - set(MERGE_METHODS)
    if unknown or not allowed:
        raise UserError(
            _("--merge-methods takes one or more of merge, squash, rebase, not '{given}'").format(
                given=",".join(sorted(unknown)) or "-"
            )
        )
    return {
        "private": True,
        "allow_merge_commit": "merge" in allowed,
        "allow_squash_merge": "squash" in allowed,
        "allow_rebase_merge": "rebase" in allowed,
        "delete_branch_on_merge": True,
    }


def settings_differences(wanted: Mapping[str, bool], repo: Mapping[str, Any]) -> dict[str, bool]:
    return {key: value for key, value in wanted.items() if repo.get(key) is not value}


def tracking_body(app_name: str) -> str:
    return (
        f"Isu ini melacak langkah-langkah SOP aplikasi **{app_name}**. Isinya diperbarui otomatis oleh "
        "`sopkit github track` setiap ada push ke cabang utama.\n\n"
        f"This issue tracks the SOP steps of **{app_name}**; `sopkit github track` rewrites it on every push "
        "to the default branch.\n"
    )


# ---- branch protection
PROTECTION_BODY: dict[str, Any] = {
    "required_status_checks": {"strict": True, "checks": [{"context": CHECK_NAME, "app_id": ACTIONS_APP_ID}]},
    "enforce_admins": True,
    "required_pull_request_reviews": {
        "dismiss_stale_reviews": True,
        "require_code_owner_reviews": True,
        "required_approving_review_count": 1,
        "require_last_push_approval": True,
        # nobody merges around the reviews, and no list of who may dismiss them ({}: switched off)
        "bypass_pull_request_allowances": {"users": [], "teams": [], "apps": []},
        "dismissal_restrictions": {},
    },
    "restrictions": None,
    "allow_force_pushes": False,
    "allow_deletions": False,
}


def _names_anyone(allowance: Any) -> bool:
    """Whether a bypass or dismissal list (users, teams, apps) names anyone; a shape not understood
    counts as naming someone (fail closed)."""
    if allowance is None:
        return False
    if not isinstance(allowance, Mapping):
        return True
    return any(allowance.get(kind) for kind in ("users", "teams", "apps"))


def _enabled(value: Any) -> bool:
    return bool(value.get("enabled")) if isinstance(value, Mapping) else bool(value)


def protection_gaps(stored: Mapping[str, Any] | None) -> list[str]:
    """What the branch protection GitHub holds (its GET/PUT answer) lacks; empty when it is at least as
    strict as provisioning wants."""
    if stored is None:
        return [_("the default branch is not protected")]
    gaps: list[str] = []
    checks = stored.get("required_status_checks") or {}
    bound = {
        (c.get("context"), c.get("app_id")) for c in checks.get("checks") or [] if isinstance(c, Mapping)
    }
    if (CHECK_NAME, ACTIONS_APP_ID) not in bound:
        gaps.append(
            _("required check {check} bound to the GitHub Actions app ({app})").format(
                check=CHECK_NAME, app=ACTIONS_APP_ID
            )
        )
    if not checks.get("strict"):
        gaps.append(_("branches must be up to date before merging"))
    reviews = stored.get("required_pull_request_reviews")
    if not isinstance(reviews, Mapping):
        gaps.append(_("pull requests with an approving review"))
        reviews = {}
    elif int(reviews.get("required_approving_review_count") or 0) < 1:
        gaps.append(_("at least one approving review"))
    for key, what in (
        ("require_code_owner_reviews", _("code-owner review")),
        ("dismiss_stale_reviews", _("stale approvals dismissed on a new push")),
        ("require_last_push_approval", _("approval of the most recent push")),
    ):
        if reviews and not reviews.get(key):
            gaps.append(what)
    for key, what in (
        ("bypass_pull_request_allowances", _("nobody allowed to bypass the pull-request requirements")),
        ("dismissal_restrictions", _("no list of who may dismiss reviews (provisioning sets none)")),
    ):
        if _names_anyone(reviews.get(key)):
            gaps.append(what)
    if not _enabled(stored.get("enforce_admins")):
        gaps.append(_("rules enforced for administrators"))
    if _enabled(stored.get("allow_force_pushes")):
        gaps.append(_("no force pushes"))
    if _enabled(stored.get("allow_deletions")):
        gaps.append(_("no deletion of the branch"))
    return gaps


# ---- the production environment
def environment_right(stored: Mapping[str, Any] | None, security_team: str | None, enforce: bool) -> bool:
    """Whether the environment exists, lets only refs of its custom policies deploy and, where reviewers can
    be enforced, is reviewed by the security team alone with self-review prevented."""
    if stored is None or stored.get("deployment_branch_policy") != DEPLOYMENT_BRANCH_POLICY:
        return False
    if not enforce or security_team is None:
        return True
    return environment_reviewers(stored) == ({("Team", security_team)}, True)


def environment_body(reviewer_team_id: int | None) -> dict[str, Any]:
    """The PUT body of the environment: only release tags deploy; reviewers where they can be enforced."""
    body: dict[str, Any] = {"deployment_branch_policy": dict(DEPLOYMENT_BRANCH_POLICY)}
    if reviewer_team_id is not None:
        body |= {"reviewers": [{"type": "Team", "id": reviewer_team_id}], "prevent_self_review": True}
    return body


def environment_reviewers(stored: Mapping[str, Any]) -> tuple[set[tuple[str, str]], bool]:
    reviewers: set[tuple[str, str]] = set()
    prevent = False
    for rule in stored.get("protection_rules") or []:
        if not isinstance(rule, Mapping) or rule.get("type") != "required_reviewers":
            continue
        prevent = prevent or bool(rule.get("prevent_self_review"))
        for item in rule.get("reviewers") or []:
            who = item.get("reviewer") or {}
            reviewers.add((str(item.get("type")), str(who.get("slug") or who.get("login"))))
    return reviewers, prevent


def is_release_policy(policy: Mapping[str, Any]) -> bool:
    return policy.get("name") == RELEASE_TAGS and policy.get("type") == "tag"


def foreign_policies(stored: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The environment's deployment policies other than the one for release tags: drift, each a branch
    or tag pattern someone added so that it may deploy."""
    return [p for p in stored if not is_release_policy(p)]


def policy_name(policy: Mapping[str, Any]) -> str:
    return f"{policy.get('type') or 'branch'} {policy.get('name')}"


# ---- the ruleset for release tags
def release_ruleset(bypass_team_ids: Iterable[int]) -> dict[str, Any]:
    """The tag ruleset: only the policy owners' teams create, move or delete a ``v*`` tag."""
    return {
        "name": RULESET_NAME,
        "target": "tag",
        "enforcement": "active",
        "conditions": {"ref_name": {"include": [f"refs/tags/{RELEASE_TAGS}"], "exclude": []}},
        "rules": [{"type": rule} for rule in RULESET_RULES],
        "bypass_actors": [
            {"actor_id": team, "actor_type": "Team", "bypass_mode": "always"}
            for team in sorted(bypass_team_ids)
        ],
    }


def ruleset_gaps(stored: Mapping[str, Any] | None, bypass_team_ids: Iterable[int]) -> list[str]:
    """What the stored tag ruleset (GET one) lacks against :func:`release_ruleset`; empty when right."""
    if stored is None:
        return [
            _("a ruleset {name}: only the policy owners' teams create, move or delete tags {tags}").format(
                name=RULESET_NAME, tags=RELEASE_TAGS
            )
        ]
    gaps: list[str] = []
    if stored.get("target") != "tag":
        gaps.append(_("ruleset {name} targets tags").format(name=RULESET_NAME))
    if stored.get("enforcement") != "active":
        gaps.append(_("ruleset {name} is active").format(name=RULESET_NAME))
    names = (stored.get("conditions") or {}).get("ref_name") or {}
    if f"refs/tags/{RELEASE_TAGS}" not in (names.get("include") or []) or names.get("exclude"):
        gaps.append(
            _("ruleset {name} applies to every tag {tags}, none excluded").format(
                name=RULESET_NAME, tags=RELEASE_TAGS
            )
        )
    kinds = {str(rule.get("type")) for rule in stored.get("rules") or [] if isinstance(rule, Mapping)}
    missing = [rule for rule in RULESET_RULES if rule not in kinds]
    if missing:
        gaps.append(_("ruleset {name} rules: {rules}").format(name=RULESET_NAME, rules=", ".join(missing)))
    wanted = {("Team", team, "always") for team in bypass_team_ids}
    actors = {
        (str(a.get("actor_type")), a.get("actor_id"), str(a.get("bypass_mode") or "always"))
        for a in stored.get("bypass_actors") or []
        if isinstance(a, Mapping)
    }
    if actors != wanted:
        gaps.append(
            _("ruleset {name}: only the policy owners' teams may bypass it").format(name=RULESET_NAME)
        )
    return gaps


def release_path_gaps(
    environment: Mapping[str, Any] | None,
    policies: Iterable[Mapping[str, Any]],
    ruleset: Mapping[str, Any] | None,
    bypass_team_ids: Iterable[int],
) -> list[str]:
    """For the audit: what the release path lacks (the environment, its deployment policies, the tag
    ruleset); empty when it is as provisioning leaves it."""
    gaps: list[str] = []
    policies = list(policies)
    if environment is None:
        gaps.append(_("environment {env}").format(env=ENVIRONMENT))
    elif environment.get("deployment_branch_policy") != DEPLOYMENT_BRANCH_POLICY:
        gaps.append(_("environment {env} deploys only from its deployment policies").format(env=ENVIRONMENT))
    foreign = foreign_policies(policies)
    if foreign:
        gaps.append(
            _("no deployment policy of {env} besides tag {tags} (found: {names})").format(
                env=ENVIRONMENT, tags=RELEASE_TAGS, names=", ".join(policy_name(p) for p in foreign)
            )
        )
    if environment is not None and not any(is_release_policy(p) for p in policies):
        gaps.append(
            _("environment {env}: deployment policy tag {tags}").format(env=ENVIRONMENT, tags=RELEASE_TAGS)
        )
    return gaps + ruleset_gaps(ruleset, bypass_team_ids)


# ---- labels
def label_differences(
    wanted: Iterable[Label], stored: Iterable[Mapping[str, Any]]
) -> tuple[list[Label], list[Label]]:
    """(missing, differing) labels; names compare without case, as on GitHub."""
    by_name = {str(x.get("name", "")).lower(): x for x in stored}
    missing: list[Label] = []
    differing: list[Label] = []
    for label in wanted:
        found = by_name.get(label.name.lower())
        if found is None:
            missing.append(label)
        elif (str(found.get("color", "")).lower(), found.get("description") or "") != (
            label.color.lower(),
            label.description,
        ):
            differing.append(label)
    return missing, differing


# ---- release tags made before the ruleset held them, and who may make them
def release_tag_prefix() -> str:
    """The ref prefix every release tag starts with (``v`` of ``v*``): GitHub lists tags by prefix."""
    return RELEASE_TAGS.rstrip("*")


def first_parent_line(parents: Mapping[str, str | None], tip: str) -> tuple[list[str], bool]:
    """The first-parent line from ``tip`` as far as ``parents`` (commit -> its first parent, ``None`` for a
    root) knows it, and whether it reached the root."""
    line: list[str] = []
    commit: str | None = tip
    while commit is not None and commit in parents:
        line.append(commit)
        commit = parents[commit]
    return line, commit is None


def tags_off_line(tags: Mapping[str, str], line: Iterable[str]) -> list[str]:
    """The release tags (name -> commit; ``""`` when it names no commit) whose commit is not on the default
    branch's first-parent line: such a commit never passed the gate as the branch's state, yet it deploys."""
    on_line = set(line)
    return sorted(name for name, commit in tags.items() if not commit or commit not in on_line)


def off_line_text(name: str, commit: str, branch: str) -> str:
    return _(
        "tag {tag} ({commit}) is not on the first-parent line of {branch} (made before the ruleset held tags "
        "{tags}, or by someone it let through), yet it may deploy to {env}: delete it, or check what it holds"
    ).format(tag=name, commit=commit[:12] or "?", branch=branch, tags=RELEASE_TAGS, env=ENVIRONMENT)


def owner_team_drift(
    wanted: Iterable[DesiredTeam], stored: Mapping[str, Iterable[tuple[str, int]]]
) -> list[str]:
    """For each policy owners' team (``stored``: slug -> its members' logins and account numbers on GitHub),
    who is in it without holding its role in the roster today, and who holds the role but is not in it:
    they decide who may push release tags. A member whose number the roster pins is that account, whatever
    login it has now; other logins compare without case, as on GitHub."""
    gaps: list[str] = []
    for team in wanted:
        if team.slug not in stored:
            continue
        pinned = dict(team.account_ids)
        numbers = set(pinned.values())
        have = {_account_key(login, n, numbers): login for login, n in stored[team.slug]}
        want = {_account_key(login, pinned.get(login.lower()), numbers): login for login in team.members}
        extra = sorted(have[k] for k in have if k not in want)
        missing = sorted(want[k] for k in want if k not in have)
        if extra:
            gaps.append(
                _("team {team} has members the roster does not give its role today: {logins}").format(
                    team=team.slug, logins=", ".join(extra)
                )
            )
        if missing:
            gaps.append(
                _("team {team} lacks the roster's holders of its role: {logins}").format(
                    team=team.slug, logins=", ".join(missing)
                )
            )
    return gaps


def _account_key(login: str, number: int | None, pinned: set[int]) -> str | int:
    """How a team member is told apart: by the account's number where the roster pins it, else its login."""
    return number if number is not None and number in pinned else login.lower()

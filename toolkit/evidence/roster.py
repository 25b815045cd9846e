"""The roster: who holds which SOP role, with which SSH keys, and when.

``.sop/roster.yaml`` (readable; the office's staff edit it)::

    version: 1
    members:
      budi:
        name: Budi Santoso
        email: budi@sumbarprov.go.id          # one or a list; git author e-mails of this person
        keys:
          - ssh-ed25519 AAAAC3Nza... budi@laptop
        github: budi-santoso                   # optional: GitHub login, for reviews as sign-offs
        github_id: 1234567                     # optional: that account's number (a rename frees a login)
        roles:
          - role: kasi
            from: 2026-01-01                   # optional: first day
            until: 2026-06-30                  # optional: last day (acting officials, staff who left)

Dates are days in the office's time zone (``settings.timezone`` of the policy, default Asia/Jakarta).

From it, ``allowed_signers`` produces git's allowed-signers format (``ssh-keygen -Y verify``), with each
grant's validity window as ``valid-after``/``valid-before``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from toolkit.cache import NO_CACHE, Cache
from toolkit.errors import Problem, ProblemsError
from toolkit.evidence.identity import identities
from toolkit.i18n import _
from toolkit.sop.source import JsonPath, Located, parse_yaml

_KEY = re.compile(
    r"^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|"
    r"sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+=*( .*)?$"
)
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_GITHUB = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")


class Grant(NamedTuple):
    role: str
    start: dt.date | None = None
    until: dt.date | None = None  # inclusive

    def covers(self, day: dt.date) -> bool:
        """Whether the grant holds on ``day`` (a date in the office's time zone)."""
        return (self.start is None or day >= self.start) and (self.until is None or day <= self.until)


class Member(NamedTuple):
    id: str
    name: str
    emails: tuple[str, ...]
    keys: tuple[str, ...]
    grants: tuple[Grant, ...]
    github: str | None = None  # GitHub login, for reviews as sign-offs
    # the number of that GitHub account: a renamed account frees its login for anyone to take; the number
    # stays, so when it is given an account counts only by its number
    github_id: int | None = None

    def identities(self) -> frozenset[str]:
        """Every identity the own-work rule knows this member by (e-mails, GitHub account)."""
        return identities(self.emails, self.github, self.github_id)

    def is_account(self, login: str, account_id: int | None) -> bool:
        """Whether the GitHub account ``login`` (number ``account_id``) is this member's."""
        if self.github_id is not None:
            return account_id == self.github_id
        return self.github is not None and self.github.lower() == login.lower()


class Roster(NamedTuple):
    members: tuple[Member, ...]

    def member(self, member_id: str) -> Member | None:
        return next((m for m in self.members if m.id == member_id), None)

    def holds(self, member_id: str, role: str, day: dt.date) -> bool:
        member = self.member(member_id)
        return member is not None and any(g.role == role and g.covers(day) for g in member.grants)

    def by_github(self, login: str, account_id: int | None = None) -> Member | None:
        """The member whose GitHub account is ``login`` (GitHub compares logins without regard to case),
        number ``account_id``: a member with a ``github_id`` is matched by the number alone."""
        return next((m for m in self.members if m.is_account(login, account_id)), None)

    def named(self, login: str) -> Member | None:
        """The member whose roster login is ``login``: a person named in an officer's text, never the
        account that acted (that is :meth:`by_github`)."""
        return next((m for m in self.members if m.github and m.github.lower() == login.lower()), None)


EMPTY = Roster(())


def office_zone(name: str) -> dt.tzinfo:
    """The office's time zone (a validated IANA name such as ``Asia/Jakarta``)."""
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def office_day(timestamp: int, timezone: str) -> dt.date:
    """The date in the office's time zone at ``timestamp`` (seconds since the epoch)."""
    return dt.datetime.fromtimestamp(timestamp, office_zone(timezone)).date()


def allowed_signers(roster: Roster, timezone: str, role: str | None = None) -> str:
    """git's allowed-signers lines: one per key and grant (of ``role``, or of every role); a grant's days
    start and end at midnight in the office's ``timezone``."""

    def utc(day: dt.date) -> str:
        midnight = dt.datetime.combine(day, dt.time(), office_zone(timezone))
        return f"{midnight.astimezone(dt.UTC):%Y%m%d%H%M%S}Z"

    lines = []
    for member in roster.members:
        for grant in member.grants:
            if role is not None and grant.role != role:
                continue
            options = ['namespaces="git"']
            if grant.start:
                options.append(f'valid-after="{utc(grant.start)}"')
            if grant.until:
                options.append(f'valid-before="{utc(grant.until + dt.timedelta(days=1))}"')
            lines += [f"{member.id} {','.join(options)} {key}" for key in member.keys]
    return "\n".join(lines) + ("\n" if lines else "")


def parse(raw: bytes, name: str, known_roles: set[str], cache: Cache = NO_CACHE) -> Roster:
    """The roster in ``raw``; :class:`ProblemsError` with located problems when it is not valid.

    The data of a roster that was valid once (same bytes, same roles) is remembered in ``cache``, so a
    gate run does not read YAML for it again.
    """
    key = Cache.key("valid-roster-data", "\n".join(sorted(known_roles)).encode(), raw)
    known = cache.lookup("valid-roster-data", key)
    remembered = _remembered(name, known, raw, known_roles) if known is not None else None
    if remembered is not None:
        return remembered
    doc, problems = parse_yaml(raw, name)
    if doc is None:
        raise ProblemsError(problems)
    members = list(_members(doc, known_roles, problems))
    if problems:
        raise ProblemsError(problems)
    cache.store("valid-roster-data", key, doc.data)
    return Roster(tuple(members))


def _remembered(name: str, data: Any, raw: bytes, known_roles: set[str]) -> Roster | None:
    """The roster from data the cache kept for it; ``None`` when the entry is damaged."""
    problems: list[Problem] = []
    try:
        members = list(_members(Located(name, data, raw), known_roles, problems))
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return None if problems else Roster(tuple(members))


def load(path: Path, known_roles: set[str]) -> Roster:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ProblemsError(
            [Problem(str(path), 1, 1, _("cannot read the roster: {reason}").format(reason=exc.strerror))]
        ) from exc
    return parse(raw, str(path), known_roles)


def _members(doc: Located, known_roles: set[str], problems: list[Problem]) -> Iterator[Member]:
    data = doc.data
    if not isinstance(data, dict) or data.get("version") != 1 or not isinstance(data.get("members"), dict):
        problems.append(doc.problem((), _("a roster needs 'version: 1' and a 'members:' mapping")))
        return
    for member_id, raw in data["members"].items():
        path: JsonPath = ("members", member_id)
        if not _ID.match(member_id):
            problems.append(
                doc.problem(
                    path,
                    _(
                        "'{id}' is not a valid member id: use lower-case letters, digits, '.', '_' and '-'"
                    ).format(id=member_id),
                    key=True,
                )
            )
        if not isinstance(raw, dict):
            problems.append(doc.problem(path, _("a member needs name, email, keys and roles")))
            continue
        for key in sorted(set(raw) - {"name", "email", "keys", "roles", "github", "github_id"}):
            problems.append(
                doc.problem(
                    (*path, key),
                    _("unknown field '{field}'; allowed: name, email, github, github_id, keys, roles").format(
                        field=key
                    ),
                    key=True,
                )
            )
        github = raw.get("github")
        if github is not None and not (isinstance(github, str) and _GITHUB.match(github)):
            problems.append(
                doc.problem((*path, "github"), _("'github' must be a GitHub login (letters, digits, '-')"))
            )
            github = None
        github_id = raw.get("github_id")
        if github_id is not None and not (
            isinstance(github_id, int) and not isinstance(github_id, bool) and github_id > 0 and github
        ):
            problems.append(
                doc.problem(
                    (*path, "github_id"),
                    _(
                        "'github_id' must be the number of the account named by 'github' (a whole number; "
                        'GitHub shows it as "id" at /users/LOGIN of its API)'
                    ),
                )
            )
            github_id = None
        emails = raw.get("email")
        emails = [emails] if isinstance(emails, str) else emails
        if (
            not isinstance(emails, list)
            or not emails
            or not all(isinstance(e, str) and "@" in e for e in emails)
        ):
            problems.append(
                doc.problem((*path, "email"), _("'email' must be an e-mail address or a list of them"))
            )
            emails = []
        keys = raw.get("keys")
        if not isinstance(keys, list) or not keys:
            problems.append(doc.problem((*path, "keys"), _("'keys' must list at least one SSH public key")))
            keys = []
        for index, key in enumerate(keys):
            if not isinstance(key, str) or not _KEY.match(key.strip()):
                problems.append(
                    doc.problem(
                        (*path, "keys", index),
                        _("not an SSH public key (expected e.g. 'ssh-ed25519 AAAA... comment')"),
                    )
                )
        grants = list(_grants(doc, path, raw.get("roles"), known_roles, problems))
        yield Member(
            member_id,
            str(raw.get("name", member_id)),
            tuple(e.lower() for e in emails),
            tuple(k.strip() for k in keys if isinstance(k, str)),
            tuple(grants),
            github,
            github_id,
        )


def _grants(
    doc: Located, path: JsonPath, raw: Any, known_roles: set[str], problems: list[Problem]
) -> Iterator[Grant]:
    if not isinstance(raw, list) or not raw:
        problems.append(doc.problem((*path, "roles"), _("'roles' must list at least one role")))
        return
    for index, grant in enumerate(raw):
        where: JsonPath = (*path, "roles", index)
        if not isinstance(grant, dict) or not isinstance(grant.get("role"), str):
            problems.append(
                doc.problem(where, _("a role entry needs 'role:' (and optionally from:, until:)"))
            )
            continue
        if grant["role"] not in known_roles:
            problems.append(
                doc.problem(
                    (*where, "role"),
                    _("unknown role '{role}'; roles of the policy: {known}").format(
                        role=grant["role"], known=", ".join(sorted(known_roles))
                    ),
                )
            )
        dates: dict[str, dt.date | None] = {}
        for key in ("from", "until"):
            value = grant.get(key)
            if value is None:
                dates[key] = None
                continue
            try:
                dates[key] = dt.date.fromisoformat(str(value))
            except ValueError:
                problems.append(
                    doc.problem(
                        (*where, key), _("'{value}' is not a date like 2026-01-31").format(value=value)
                    )
                )
                dates[key] = None
        if dates["from"] and dates["until"] and dates["until"] < dates["from"]:
            problems.append(doc.problem((*where, "until"), _("'until' is before 'from'")))
        yield Grant(grant["role"], dates["from"], dates["until"])

"""Who made a commit, as the own-work rule compares people: e-mail addresses, and GitHub accounts.

A person is a set of identities: each roster e-mail, and ``github:<login>`` for a roster ``github:`` login.
A commit's people are the e-mails git records (author, committer, ``Co-authored-by:``), plus the GitHub
account of each no-reply address GitHub writes (``ID+login@users.noreply.github.com``, or the older
``login@users.noreply.github.com``), plus, on GitHub, the accounts GitHub itself links to the commit.
Pure: no disk, no network.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

GITHUB = "github:"  # no e-mail in a roster starts so (a roster e-mail holds '@')
GITHUB_ID = "github-id:"  # an account by its number, which a rename does not change
NOREPLY_DOMAIN = "@users.noreply.github.com"
GITHUB_ITSELF = "noreply@github.com"  # the committer of what GitHub's web interface writes
_NOREPLY = re.compile(r"(?:([0-9]+)\+)?([a-z0-9][a-z0-9-]*(?:\[bot\])?)@users\.noreply\.github\.com")


def github_identity(login: str) -> str:
    """The identity of a GitHub account (logins compare without case, as on GitHub)."""
    return GITHUB + login.lower()


def github_account(account_id: int) -> str:
    """The identity of a GitHub account by its number (a login is freed by a rename; the number stays)."""
    return f"{GITHUB_ID}{account_id}"


def noreply_login(email: str) -> str | None:
    """The login a GitHub no-reply address names, or ``None``."""
    found = _NOREPLY.fullmatch(email.strip().lower())
    return found.group(2) if found else None


def noreply_account(email: str) -> int | None:
    """The account number a GitHub no-reply address names (``ID+login@...``), or ``None``: GitHub links
    the address by that number, whatever login it spells."""
    found = _NOREPLY.fullmatch(email.strip().lower())
    return int(found.group(1)) if found and found.group(1) else None


def with_accounts(emails: Iterable[str]) -> tuple[str, ...]:
    """``emails`` (lower-case) and, after them, the GitHub account each no-reply address among them names
    (its login, and its number when it gives one)."""
    found = list(dict.fromkeys(emails))
    for email in list(found):
        login = noreply_login(email) if email.endswith(NOREPLY_DOMAIN) else None
        if login is None:
            continue
        number = noreply_account(email)
        for identity in (github_identity(login), *([github_account(number)] if number is not None else [])):
            if identity not in found:
                found.append(identity)
    return tuple(found)


def identities(emails: Iterable[str], login: str | None, account_id: int | None = None) -> frozenset[str]:
    """A roster member's identities: their e-mails and their GitHub account (login, and number if known)."""
    accounts = [github_identity(login)] if login else []
    accounts += [github_account(account_id)] if account_id is not None else []
    return frozenset({*(e.lower() for e in emails), *accounts})


def unattributed(people: Iterable[str], known: frozenset[str]) -> bool:
    """Whether some of a commit's ``people`` are e-mails outside ``known`` that GitHub may link to an
    account the roster knows otherwise (a personal address a member verified; an old no-reply address by a
    login that may have changed hands), so the forge must be asked who it is. A numbered no-reply address
    is known only when ``known`` holds its account's number: an unpinned member (no ``github_id:``) is
    known by login alone, and the login the address spells may be one he has since renamed away from."""
    return any(
        p not in known
        and not p.startswith((GITHUB, GITHUB_ID))
        and p != GITHUB_ITSELF
        and not (p.endswith(NOREPLY_DOMAIN) and _numbered_and_known(p, known))
        for p in people
    )


def _numbered_and_known(email: str, known: frozenset[str]) -> bool:
    number = noreply_account(email)
    return number is not None and github_account(number) in known

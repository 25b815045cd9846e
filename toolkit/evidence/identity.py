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
NOREPLY_DOMAIN = "@users.noreply.github.com"
_NOREPLY = re.compile(r"(?:[0-9]+\+)?([a-z0-9][a-z0-9-]*(?:\[bot\])?)@users\.noreply\.github\.com")


def github_identity(login: str) -> str:
    """The identity of a GitHub account (logins compare without case, as on GitHub)."""
    return GITHUB + login.lower()


def noreply_login(email: str) -> str | None:
    """The login a GitHub no-reply address names, or ``None``."""
    found = _NOREPLY.fullmatch(email.strip().lower())
    return found.group(1) if found else None


def with_accounts(emails: Iterable[str]) -> tuple[str, ...]:
    """``emails`` (lower-case) and, after them, the GitHub account each no-reply address among them names."""
    found = list(dict.fromkeys(emails))
    for email in list(found):
        login = noreply_login(email) if email.endswith(NOREPLY_DOMAIN) else None
        if login is not None and github_identity(login) not in found:
            found.append(github_identity(login))
    return tuple(found)


def identities(emails: Iterable[str], login: str | None) -> frozenset[str]:
    """A roster member's identities: their e-mails and their GitHub account."""
    return frozenset({*(e.lower() for e in emails), *([github_identity(login)] if login else [])})

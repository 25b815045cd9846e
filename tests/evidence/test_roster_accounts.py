"""GitHub accounts in the roster: a login, and the account's number, which a rename does not change."""

from __future__ import annotations

import pytest

from toolkit.errors import ProblemsError
from toolkit.evidence import roster as roster_lib
from toolkit.i18n import set_language

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOnly4TestingPurposesxxxxxxxxxxxxxxxxxxxxxxxx joko"


def _roster(extra: str) -> bytes:
    return (
        "version: 1\nmembers:\n  joko:\n    name: Joko\n    email: joko@sumbarprov.go.id\n"
        f"    keys: ['{KEY}']\n{extra}    roles:\n      - role: security\n"
    ).encode()


def test_a_pinned_account_is_matched_by_its_number_alone() -> None:
    roster = roster_lib.parse(_roster("    github: gh-joko\n    github_id: 4242\n"), "r.yaml", {"security"})
    assert roster.by_github("gh-joko", 4242) is not None
    assert roster.by_github("joko-renamed", 4242) is not None  # the same account, renamed
    assert roster.by_github("gh-joko", 999) is None  # whoever holds the login now
    assert roster.by_github("gh-joko", None) is None  # a number unknown: not this member
    assert "github-id:4242" in roster.members[0].identities()


def test_an_unpinned_account_is_matched_by_its_login() -> None:
    roster = roster_lib.parse(_roster("    github: gh-joko\n"), "r.yaml", {"security"})
    assert roster.by_github("GH-Joko", 999) is not None and roster.by_github("gh-joko") is not None


@pytest.mark.parametrize(
    "extra",
    [
        "    github: gh-joko\n    github_id: '4242'\n",
        "    github: gh-joko\n    github_id: 0\n",
        "    github: gh-joko\n    github_id: true\n",
        "    github_id: 4242\n",  # a number without the login it belongs to
    ],
)
def test_a_wrong_account_number_is_located(extra: str) -> None:
    set_language("en")
    with pytest.raises(ProblemsError) as raised:
        roster_lib.parse(_roster(extra), "r.yaml", {"security"})
    text = str(raised.value.problems[0])
    line = 8 if "github:" in extra else 7
    assert text.startswith(f"r.yaml:{line}:")
    assert "'github_id' must be the number of the account named by 'github'" in text

"""People as e-mails and GitHub accounts: GitHub's no-reply addresses name their login."""

from __future__ import annotations

from toolkit.evidence.identity import github_identity, identities, noreply_login, unattributed, with_accounts


def test_noreply_addresses_name_their_login() -> None:
    assert noreply_login("1234+gh-joko@users.noreply.github.com") == "gh-joko"
    assert noreply_login("GH-Joko@Users.Noreply.GitHub.com") == "gh-joko"
    assert noreply_login("41898282+github-actions[bot]@users.noreply.github.com") == "github-actions[bot]"
    assert noreply_login("joko@sumbarprov.go.id") is None
    assert noreply_login("joko@users.noreply.github.com.evil.example") is None
    assert noreply_login("+joko@users.noreply.github.com") is None


def test_a_commits_people_gain_the_accounts_their_addresses_name() -> None:
    people = ("eko@sumbarprov.go.id", "1234+gh-joko@users.noreply.github.com")
    assert with_accounts(people) == (*people, "github:gh-joko", "github-id:1234")
    assert with_accounts(("gh-joko@users.noreply.github.com",))[1:] == ("github:gh-joko",)
    assert with_accounts(("eko@sumbarprov.go.id",)) == ("eko@sumbarprov.go.id",)


def test_a_member_is_their_emails_and_their_account() -> None:
    assert identities(["Joko@Sumbarprov.go.id"], "GH-Joko") == {
        "joko@sumbarprov.go.id",
        github_identity("gh-joko"),
    }
    assert identities(["a@b.c"], None) == {"a@b.c"}


def test_only_addresses_that_name_no_known_account_by_number_need_asking() -> None:
    known = frozenset({"eko@sumbarprov.go.id"})
    assert not unattributed(("eko@sumbarprov.go.id", "noreply@github.com"), known)
    numbered = with_accounts(("1234+joko-baru@users.noreply.github.com",))
    assert not unattributed(numbered, known | {"github-id:1234"})  # a pinned member's number
    # an unpinned member is known by login only, and the login the address spells may be an old one
    assert unattributed(numbered, known)
    assert unattributed(("joko.pribadi@example.com",), known)
    # the old form names a login only, which may have changed hands: GitHub says whose it is now
    assert unattributed(("joko@users.noreply.github.com",), known)

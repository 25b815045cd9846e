"""The desired state of provisioning, without GitHub: CODEOWNERS from sop.yaml, protection gaps, labels."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.conftest import ROOT
from toolkit import sop
from toolkit.errors import UserError
from toolkit.forge.github.desired import (
    PROTECTION_BODY,
    DesiredTeam,
    Label,
    artefact_folder,
    codeowners,
    codeowners_pattern,
    label_differences,
    owner_team_drift,
    protection_gaps,
    repository_settings,
)
from toolkit.i18n import set_language

SHIPPED = sop.load(ROOT / "sop.yaml")


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language("id")


def _rules(text: str) -> list[tuple[str, ...]]:
    return [tuple(line.split()) for line in text.splitlines() if line.strip() and not line.startswith("#")]


def test_codeowners_from_sop_yaml_matches_the_template_for_the_shipped_sop() -> None:
    template = (ROOT / "project_template/template/.github/CODEOWNERS.jinja").read_text()
    teams = {role.id: role.team for role in SHIPPED.roles.values()}
    rendered = re.sub(
        r"\{\{ o \}\}\{\{ teams\['([a-z-]+)'\] \}\}", lambda m: f"@dinas/{teams[m.group(1)]}", template
    )
    rendered = rendered.split("{%- else %}")[0]
    rendered = "\n".join(line for line in rendered.splitlines() if not line.lstrip().startswith("{%"))
    assert _rules(codeowners(SHIPPED, "dinas")) == _rules(rendered)


def test_policy_lines_come_last_and_cover_the_judges() -> None:
    rules = _rules(codeowners(SHIPPED, "dinas"))
    assert rules[0] == ("*", "@dinas/web-programmer")
    policy = [r[0] for r in rules[-5:]]
    assert policy == [
        "/.sop/",
        "/.github/workflows/",
        "/.github/CODEOWNERS",
        "/CODEOWNERS",
        "/.copier-answers.yml",
    ]


def test_patterns() -> None:
    assert artefact_folder("docs/06-rapat-kebutuhan/data/**") == "/docs/06-rapat-kebutuhan/data/"
    assert artefact_folder("docs/09-database/uml/*.puml") == "/docs/09-database/uml/"
    assert artefact_folder("laporan.md") == "/laporan.md"
    assert codeowners_pattern(".sop/**") == "/.sop/"
    assert codeowners_pattern("CODEOWNERS") == "/CODEOWNERS"
    with pytest.raises(UserError, match="cannot be written in CODEOWNERS"):
        codeowners_pattern("docs/[ab].md")


def test_protection_gaps_name_each_weakness() -> None:
    stored = {
        "required_status_checks": {"strict": True, "checks": [{"context": "sop-gate", "app_id": None}]},
        "required_pull_request_reviews": {"required_approving_review_count": 1},
        "enforce_admins": {"enabled": False},
        "allow_force_pushes": {"enabled": True},
        "allow_deletions": {"enabled": False},
    }
    gaps = protection_gaps(stored)
    assert "required check sop-gate bound to the GitHub Actions app (15368)" in gaps
    assert "rules enforced for administrators" in gaps and "no force pushes" in gaps
    assert "code-owner review" in gaps and "approval of the most recent push" in gaps
    assert protection_gaps(None) == ["the default branch is not protected"]
    as_put = {**PROTECTION_BODY, "enforce_admins": {"enabled": True}}
    assert protection_gaps(as_put) == []


@pytest.mark.parametrize("kind", ["users", "teams", "apps"])
def test_who_may_bypass_or_dismiss_reviews_is_a_gap(kind: str) -> None:
    """A bypass list lets someone merge without the reviews; a dismissal list is not what provisioning
    set. Either, naming anyone, makes provisioning rewrite the protection and the audit report drift."""
    someone = {"users": [{"login": "gh-eko"}], "teams": [{"slug": "pemrogram"}], "apps": [{"id": 1}]}[kind]
    reviews = PROTECTION_BODY["required_pull_request_reviews"]
    as_put = {**PROTECTION_BODY, "enforce_admins": {"enabled": True}}
    bypass = {
        **reviews,
        "bypass_pull_request_allowances": {"users": [], "teams": [], "apps": [], kind: someone},
    }
    assert protection_gaps({**as_put, "required_pull_request_reviews": bypass}) == [
        "nobody allowed to bypass the pull-request requirements"
    ]
    dismissal = {**reviews, "dismissal_restrictions": {"url": "x", kind: someone}}
    assert protection_gaps({**as_put, "required_pull_request_reviews": dismissal}) == [
        "no list of who may dismiss reviews (provisioning sets none)"
    ]
    empty = {**reviews, "dismissal_restrictions": {"users": [], "teams": [], "apps": []}}
    assert protection_gaps({**as_put, "required_pull_request_reviews": empty}) == []
    odd = {**reviews, "bypass_pull_request_allowances": ["gh-eko"]}
    assert protection_gaps({**as_put, "required_pull_request_reviews": odd}) != []


def test_labels_and_settings() -> None:
    wanted = [Label("langkah-01", "0e8a16", "Permintaan")]
    assert label_differences(wanted, []) == (wanted, [])
    assert label_differences(
        wanted, [{"name": "Langkah-01", "color": "0E8A16", "description": "Permintaan"}]
    ) == (
        [],
        [],
    )
    assert label_differences(wanted, [{"name": "langkah-01", "color": "ffffff", "description": None}]) == (
        [],
        wanted,
    )
    assert repository_settings(["squash"])["allow_merge_commit"] is False
    with pytest.raises(UserError, match="--merge-methods"):
        repository_settings(["fast-forward"])


def test_an_owners_team_member_is_told_apart_by_the_pinned_account_number() -> None:
    """budi's number is pinned: the account holding his login now (a stranger, number 7) is not him, and
    budi under a new login is; rahmat is not pinned and compares by login."""
    team = DesiredTeam("kasi", "kasi", "SOP: Kasi", frozenset({"gh-budi", "gh-rahmat"}), (("gh-budi", 41),))
    assert owner_team_drift([team], {"kasi": [("budi-renamed", 41), ("GH-Rahmat", 5)]}) == []
    gaps = owner_team_drift([team], {"kasi": [("gh-budi", 7), ("gh-rahmat", 5)]})
    assert gaps == [
        "team kasi has members the roster does not give its role today: gh-budi",
        "team kasi lacks the roster's holders of its role: gh-budi",
    ]

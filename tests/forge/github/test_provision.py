"""``sopkit github provision`` on the stand-in: the state it makes, idempotence, convergence after a fault at
every write, plans, dry runs, roster changes, drift, and what a programmer could try against it."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from github import GithubException

from tests.conftest import git
from tests.forge.github.provisioning import (
    LOGINS,
    ORG,
    PEOPLE_HERE,
    PNG,
    SLUG,
    clone,
    make_scaffold,
    open_hub,
    provision,
)
from tests.standin import ACTIONS_APP_ID, StandIn
from tests.standin.contract import shared_contract
from tests.standin.fixtures import github
from toolkit.forge.github.names import TRACKING_LABEL

REPO = f"{ORG}/{SLUG}"
TEAM_OF = {
    "opd": "opd",
    "tu": "tu-kominfo",
    "kadis": "kadis",
    "kabid": "kabid-aptika",
    "kasi": "kasi-pengembangan-aplikasi",
    "it-support": "tim-it-support",
    "database": "tim-database",
    "web-designer": "web-desainer",
    "web-programmer": "web-programmer",
    "security": "tim-sekuriti",
    "pengendalian": "seksi-pengendalian",
}


ONLY_V_TAGS = {
    "branch_policy": {"protected_branches": False, "custom_branch_policies": True},
    "policies": [("tag", "v*")],
}
RELEASE_RULESET = {
    "target": "tag",
    "enforcement": "active",
    "bypass_actors": [
        ("Team", f"{ORG}/kabid-aptika", "always"),
        ("Team", f"{ORG}/kasi-pengembangan-aplikasi", "always"),
    ],
    "conditions": {"ref_name": {"include": ["refs/tags/v*"], "exclude": []}},
    "rules": ["creation", "deletion", "non_fast_forward", "update"],
}


def holders(role: str) -> dict[str, str]:
    """The roster's logins holding ``role`` today, as team members."""
    return {
        LOGINS[member]: "member"
        for member, (roles, _start, until) in PEOPLE_HERE.items()
        if role in roles and until is None
    }


@pytest.fixture(scope="module")
def scaffold(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("provision")
    return make_scaffold(root, root, PEOPLE_HERE)


@pytest.fixture(scope="module")
def fault_free(scaffold: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The stand-in's state after one provisioning without faults (team plan)."""
    with StandIn(tmp_path_factory.mktemp("clean") / "standin", validate=shared_contract()) as clean:
        token = open_hub(clean)
        result = provision(clean, token, scaffold)
        assert result.exit_code == 0, result.output
        assert not clean.problems
        return clean.snapshot()


@pytest.fixture
def owner(standin: StandIn) -> str:
    return open_hub(standin)


def test_fresh_provision_makes_the_designed_state(
    standin: StandIn, owner: str, scaffold: Path, tmp_path: Path
) -> None:
    result = provision(standin, owner, scaffold)
    assert result.exit_code == 0, result.output
    assert "[11/11]" in result.stderr
    calls = standin.calls()
    assert len(calls) <= 60, f"{len(calls)} API calls"
    state = standin.snapshot()
    repo = state["repos"][REPO]
    assert repo["private"] and repo["default_branch"] == "main"
    assert {
        k: repo["settings"][k] for k in ("allow_merge_commit", "allow_squash_merge", "allow_rebase_merge")
    } == {
        "allow_merge_commit": True,
        "allow_squash_merge": True,
        "allow_rebase_merge": True,
    }
    assert repo["settings"]["delete_branch_on_merge"]
    # the scaffold's files as committed, the binary one intact, CODEOWNERS generated
    work = clone(standin, tmp_path / "work")
    pushed = set(git(work, "ls-files").split())
    assert pushed == set(git(scaffold, "ls-files").split()) | {".github/CODEOWNERS"}
    assert (work / "docs/10-desain-front-end/mockup/beranda.png").read_bytes() == PNG
    assert (work / ".sop/roster.yaml").read_bytes() == (scaffold / ".sop/roster.yaml").read_bytes()
    owners = (work / ".github/CODEOWNERS").read_text()
    assert f"*  @{ORG}/web-programmer" in owners
    assert f"/docs/14-uji-keamanan/  @{ORG}/tim-sekuriti" in owners
    assert f"/docs/01-permintaan/  @{ORG}/tu-kominfo" in owners
    for policy in (
        "/.sop/",
        "/.github/workflows/",
        "/.github/CODEOWNERS",
        "/CODEOWNERS",
        "/.copier-answers.yml",
    ):
        assert f"{policy}  @{ORG}/kasi-pengembangan-aplikasi @{ORG}/kabid-aptika" in owners
    assert owners.rstrip().splitlines()[-1].startswith("/.copier-answers.yml")  # the policy lines win
    # protection, read back through PyGithub
    read = github(standin, owner).get_repo(REPO).get_branch("main").get_protection()
    checks = read.required_status_checks
    assert [(c.context, c.app_id) for c in checks.checks] == [("sop-gate", ACTIONS_APP_ID)] and checks.strict
    reviews = read.required_pull_request_reviews
    assert reviews.required_approving_review_count == 1
    assert reviews.require_code_owner_reviews and reviews.dismiss_stale_reviews
    assert reviews.require_last_push_approval
    assert read.enforce_admins and not read.allow_force_pushes and not read.allow_deletions
    # teams: members of the roster holding the role today, the provisioning owner in none
    for role, slug in TEAM_OF.items():
        team = state["teams"][f"{ORG}/{slug}"]
        assert team["members"] == holders(role), slug
        assert team["repos"] == {REPO: "write"} and team["privacy"] == "closed"
    assert "gh-yanto" not in state["teams"][f"{ORG}/tim-sekuriti"]["members"]  # their window has ended
    # labels, the tracking issue, the environment without reviewers on the team plan
    assert repo["labels"][TRACKING_LABEL][0] == "5319e7"
    assert repo["labels"]["langkah-14"] == (
        "0e8a16",
        "Pengecekan dan pengujian keamanan sebelum diunggah ke server",
    )
    assert len([n for n in repo["labels"] if n.startswith("langkah-")]) == 17
    assert [(i["title"], i["labels"], i["state"]) for i in repo["issues"].values()] == [
        ("Pelacakan SOP: Sistem Informasi Kepegawaian", [TRACKING_LABEL], "open")
    ]
    assert repo["environments"] == {
        "production": {"reviewers": [], "prevent_self_review": False, **ONLY_V_TAGS}
    }
    assert repo["rulesets"] == {"sop-rilis": RELEASE_RULESET}
    assert "required reviewers on a private repository need GitHub Enterprise" in result.stdout
    assert "the release gate is advisory here" in result.stdout
    assert "runs as the GitHub Actions app (15368) the check is bound to" in result.stdout


def test_enterprise_environment_reviewed_by_the_security_team(standin: StandIn, scaffold: Path) -> None:
    token = open_hub(standin, plan="enterprise")
    result = provision(standin, token, scaffold)
    assert result.exit_code == 0, result.output
    env = standin.snapshot()["repos"][REPO]["environments"]["production"]
    assert env == {"reviewers": [("Team", "tim-sekuriti")], "prevent_self_review": True, **ONLY_V_TAGS}
    (enforced,) = [line for line in result.stdout.splitlines() if line.startswith("Could not be enforced")]
    assert enforced == "Could not be enforced (1):"  # only who may post the check, on every plan
    assert "any workflow in the repository" in result.stdout and "organisation ruleset" in result.stdout


def test_second_run_writes_nothing(standin: StandIn, owner: str, scaffold: Path) -> None:
    assert provision(standin, owner, scaffold).exit_code == 0
    before = standin.snapshot()
    standin.reset_log()
    again = provision(standin, owner, scaffold)
    assert again.exit_code == 0, again.output
    assert standin.writes() == []
    assert standin.snapshot() == before
    assert "Already right (19)" in again.stdout


def test_free_plan_refused_before_any_write(standin: StandIn, scaffold: Path) -> None:
    token = open_hub(standin, plan="free")
    result = provision(standin, token, scaffold)
    assert result.exit_code == 2
    assert "GitHub Free, which cannot protect a private repository" in result.stderr
    assert "Traceback" not in result.output
    assert standin.writes() == [] and REPO not in standin.snapshot()["repos"]


def test_dry_run_writes_nothing(standin: StandIn, owner: str, scaffold: Path) -> None:
    plan = provision(standin, owner, scaffold, "--dry-run")
    assert plan.exit_code == 0, plan.output
    assert standin.writes() == []
    assert (
        "Would create" in plan.stdout
        and "team tim-sekuriti with push access, members: gh-joko" in plan.stdout
    )
    assert f"/.sop/  @{ORG}/kasi-pengembangan-aplikasi" in plan.stdout  # the CODEOWNERS it would write
    assert provision(standin, owner, scaffold).exit_code == 0
    standin.reset_log()
    again = provision(standin, owner, scaffold, "--dry-run")
    assert again.exit_code == 0 and standin.writes() == []
    assert "Would create" not in again.stdout and "Would change" not in again.stdout


@pytest.fixture
def copy(scaffold: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(scaffold, tmp_path / "copy", symlinks=True))


def _move_joko(folder: Path) -> None:
    """joko leaves the security team for IT support, committed in ``folder``."""
    roster = folder / ".sop/roster.yaml"
    roster.write_text(roster.read_text().replace("- role: security\n", "- role: it-support\n", 1))
    git(folder, "-c", "user.name=A", "-c", "user.email=a@example.go.id", "commit", "-qam", "Joko pindah")


def test_roster_change_removes_the_member_from_the_team(
    standin: StandIn, owner: str, copy: Path, tmp_path: Path
) -> None:
    assert provision(standin, owner, copy).exit_code == 0
    main = clone(standin, tmp_path / "main")
    _move_joko(main)
    # the change reaches main (by a pull request the policy owners approved: here straight into the store)
    git(standin.git_path(ORG, SLUG), "fetch", "-q", str(main), "HEAD:refs/heads/main")
    again = provision(standin, owner, main)
    assert again.exit_code == 0, again.output
    teams = standin.snapshot()["teams"]
    assert teams[f"{ORG}/tim-sekuriti"]["members"] == {}
    assert "gh-joko" in teams[f"{ORG}/tim-it-support"]["members"]
    assert "team tim-sekuriti: gh-joko removed" in again.stdout


def test_a_roster_that_is_not_on_main_gives_no_team(standin: StandIn, owner: str, copy: Path) -> None:
    """Teams follow the roster the gate judges by: a re-run from a folder whose roster was changed but
    never merged (nobody approved it) is refused before any write."""
    assert provision(standin, owner, copy).exit_code == 0
    before = standin.snapshot()
    _move_joko(copy)
    standin.reset_log()
    again = provision(standin, owner, copy)
    assert again.exit_code == 2, again.output
    assert ".sop/roster.yaml in the folder differ from main of dinas/" in again.stderr
    assert "Nothing was changed" in again.stderr
    assert standin.writes() == [] and standin.snapshot() == before


def test_weakened_protection_and_settings_are_restored(standin: StandIn, owner: str, scaffold: Path) -> None:
    assert provision(standin, owner, scaffold).exit_code == 0
    repo = github(standin, owner).get_repo(REPO)
    # an admin weakens it: the check not bound to the app, admins exempt, force pushes allowed
    repo.get_branch("main").edit_protection(
        strict=True,
        contexts=["sop-gate"],
        enforce_admins=False,
        allow_force_pushes=True,
        required_approving_review_count=1,
    )
    repo.edit(allow_rebase_merge=False, delete_branch_on_merge=False)
    standin.reset_log()
    again = provision(standin, owner, scaffold)
    assert again.exit_code == 0, again.output
    assert "required check sop-gate bound to the GitHub Actions app (15368)" in again.stdout
    read = repo.get_branch("main").get_protection()
    assert [(c.context, c.app_id) for c in read.required_status_checks.checks] == [
        ("sop-gate", ACTIONS_APP_ID)
    ]
    assert read.enforce_admins and not read.allow_force_pushes
    assert read.required_pull_request_reviews.require_code_owner_reviews
    assert github(standin, owner).get_repo(REPO).allow_rebase_merge
    assert {(c.method, c.path.rsplit("/", 1)[-1]) for c in standin.writes()} == {
        ("PUT", "protection"),
        ("PATCH", SLUG),
    }


def test_drifted_codeowners_is_reported_not_overwritten(standin: StandIn, owner: str, scaffold: Path) -> None:
    assert provision(standin, owner, scaffold).exit_code == 0
    path = standin.git_path(ORG, SLUG)
    tip = subprocess.run(["git", "rev-parse", "main"], cwd=path, capture_output=True, text=True, check=True)
    # someone changed CODEOWNERS on the branch (in the stand-in's own repository, as a merged change would)
    repo = standin.repo(REPO)
    blob = repo.git.write_blob(b"* @dinas/web-programmer\n")
    tree = repo.git.write_tree(
        repo.git.commit(tip.stdout.strip()).tree, [(".github/CODEOWNERS", "100644", blob)]
    )
    person = repo.git.commit(tip.stdout.strip()).author
    repo.git.update_ref(
        "refs/heads/main", repo.git.commit_tree(tree, [tip.stdout.strip()], "Owners\n", person, person)
    )
    standin.reset_log()
    again = provision(standin, owner, scaffold)
    assert again.exit_code == 0, again.output
    assert ".github/CODEOWNERS differs from what sop.yaml gives" in again.stdout
    assert standin.writes() == []


# ---- a fault at every write, then a re-run
WRITES = [
    ("POST", r"/orgs/dinas/repos$", "write_then_502", 1),
    ("POST", r"/git/blobs$", "write_then_502", 1),
    ("POST", r"/git/trees$", "500", 1),
    ("POST", r"/git/commits$", "write_then_502", 1),
    ("PATCH", r"/git/refs/heads/main$", "write_then_502", 1),
    ("POST", r"/orgs/dinas/teams$", "write_then_502", 1),
    ("PUT", r"/memberships/gh-joko$", "drop", 10),
    ("DELETE", r"/teams/kadis/memberships/", "500", 10),
    ("PUT", r"/protection$", "write_then_502", 10),
    ("PUT", r"/environments/production$", "502", 10),
    ("POST", r"/deployment-branch-policies$", "write_then_502", 1),
    ("POST", r"/rulesets$", "write_then_502", 1),
    ("PUT", r"/rulesets/\d+$", "write_then_502", 10),
    ("POST", r"/graphql$", "write_then_502", 1),
    ("POST", r"/issues$", "write_then_502", 1),
]


@pytest.mark.parametrize(
    ("method", "path", "kind", "times"), WRITES, ids=[f"{m} {p}" for m, p, _k, _t in WRITES]
)
def test_fault_at_a_write_then_rerun_ends_in_the_fault_free_state(
    standin: StandIn,
    owner: str,
    scaffold: Path,
    fault_free: dict[str, Any],
    method: str,
    path: str,
    kind: str,
    times: int,
) -> None:
    fault = standin.fail(method, path, kind, times=times)
    failed = provision(standin, owner, scaffold)
    assert fault.hits >= 1
    assert failed.exit_code == 2, failed.output
    assert "provisioning stopped there" in failed.stderr
    assert "Traceback" not in failed.output
    again = provision(standin, owner, scaffold)
    assert again.exit_code == 0, again.output
    assert standin.snapshot() == fault_free


def test_every_write_of_a_fresh_run_has_its_fault_case(standin: StandIn, owner: str, scaffold: Path) -> None:
    """The list above follows provisioning: a new kind of write needs its own fault case."""
    assert provision(standin, owner, scaffold).exit_code == 0
    uncovered = {
        (c.method, c.path)
        for c in standin.writes()
        if not any(c.method == m and re.search(p, c.path) for m, p, _k, _t in WRITES)
    }
    # the team memberships and removals stand for one another (one fault case each covers the kind)
    assert {x for x in uncovered if "/memberships/" not in x[1]} == set()


# ---- bad input
def test_a_folder_without_roster_is_refused(standin: StandIn, owner: str, copy: Path) -> None:
    git(copy, "rm", "-q", ".sop/roster.yaml")
    git(copy, "-c", "user.name=A", "-c", "user.email=a@example.go.id", "commit", "-qm", "Tanpa roster")
    result = provision(standin, owner, copy)
    assert result.exit_code == 2
    assert "no .sop/roster.yaml committed" in result.stderr and "the gate reads the roster" in result.stderr
    assert standin.calls() == []


def test_a_plain_folder_and_a_missing_token_are_refused(standin: StandIn, owner: str, tmp_path: Path) -> None:
    result = provision(standin, owner, tmp_path)
    assert result.exit_code == 2 and "is not a git repository made by `sopkit new`" in result.stderr
    no_token = provision(standin, "", tmp_path)
    assert no_token.exit_code == 2 and "no token" in no_token.stderr


def test_an_unknown_login_in_the_roster_is_named(standin: StandIn, owner: str, copy: Path) -> None:
    roster = copy / ".sop/roster.yaml"
    roster.write_text(roster.read_text().replace("github: gh-eko", "github: gh-tidak-ada"))
    git(copy, "-c", "user.name=A", "-c", "user.email=a@example.go.id", "commit", "-qam", "Login salah")
    result = provision(standin, owner, copy)
    assert result.exit_code == 2
    assert "GitHub has no user 'gh-tidak-ada'" in result.stderr


# ---- what a programmer with push access could try once the repository is provisioned
@pytest.fixture
def provisioned(standin: StandIn, owner: str, scaffold: Path, tmp_path: Path) -> Iterator[Path]:
    assert provision(standin, owner, scaffold).exit_code == 0
    yield clone(standin, tmp_path / "work")


def _push(work: Path, branch: str, files: dict[str, str], login: str) -> subprocess.CompletedProcess[str]:
    git(work, "checkout", "-q", "-B", branch, "origin/main")
    for name, text in files.items():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_text(text)
    git(work, "add", "-A")
    git(work, "-c", "user.name=Eko", "-c", "user.email=eko@example.go.id", "commit", "-qm", f"Ubah {branch}")
    return subprocess.run(
        ["git", "push", "-q", "-o", f"user={login}", "origin", f"HEAD:refs/heads/{branch}"],
        cwd=work,
        capture_output=True,
        text=True,
        check=False,
    )


def test_programmer_cannot_push_to_main_or_merge_a_policy_change_alone(
    standin: StandIn, provisioned: Path
) -> None:
    token = next(t for t, v in standin.world.tokens.items() if v.user.login == "gh-eko" and v.app is None)
    # straight to main: refused, protection binds everybody
    direct = _push(provisioned, "main", {"src/app.py": "print('x')\n"}, "gh-eko")
    assert direct.returncode != 0
    # a pull request that edits the roster: adds themselves to the security role
    roster = (provisioned / ".sop/roster.yaml").read_text()
    pushed = _push(provisioned, "naik", {".sop/roster.yaml": roster + "# saya\n"}, "gh-eko")
    assert pushed.returncode == 0, pushed.stderr
    repo = github(standin, token).get_repo(REPO)
    pr = repo.create_pull(base="main", head="naik", title="Naik")
    head = repo.get_commit(pr.head.sha)
    # a status named sop-gate posted by the programmer does not satisfy the check bound to the app
    head.create_status("success", context="sop-gate")
    actions = github(standin, standin.actions_token(REPO)).get_repo(REPO)
    actions.create_check_run("sop-gate", pr.head.sha, status="completed", conclusion="success")
    # approved by a fellow programmer-side member who is not a policy owner: code owners still missing
    rina = next(t for t, v in standin.world.tokens.items() if v.user.login == "gh-rina" and v.app is None)
    github(standin, rina).get_repo(REPO).get_pull(pr.number).create_review(commit=head, event="APPROVE")
    with pytest.raises(GithubException) as refused:
        repo.get_pull(pr.number).merge()
    assert refused.value.status == 405
    assert "code owner" in str(refused.value.data["message"]).lower()
    # the policy owners' team approves: now it may merge (the gate's check from the app passed)
    budi = next(t for t, v in standin.world.tokens.items() if v.user.login == "gh-budi" and v.app is None)
    github(standin, budi).get_repo(REPO).get_pull(pr.number).create_review(commit=head, event="APPROVE")
    assert repo.get_pull(pr.number).merge().merged


# ---- the release path: who may push v* tags, and what may deploy to production
def _token_of(standin: StandIn, login: str) -> str:
    return next(t for t, v in standin.world.tokens.items() if v.user.login == login and v.app is None)


def _push_tag(work: Path, tag: str, login: str, *, delete: bool = False) -> subprocess.CompletedProcess[str]:
    ref = f":refs/tags/{tag}" if delete else f"+HEAD:refs/tags/{tag}"
    return subprocess.run(
        ["git", "push", "-q", "-o", f"user={login}", "origin", ref],
        cwd=work,
        capture_output=True,
        text=True,
        check=False,
    )


def test_only_the_policy_owners_push_release_tags(standin: StandIn, provisioned: Path) -> None:
    work = provisioned
    # a programmer tags a commit of their own branch, whose release workflow skips the gate
    git(work, "checkout", "-q", "-B", "lompat", "origin/main")
    workflow = work / ".github/workflows/sop-release.yml"
    workflow.parent.mkdir(parents=True, exist_ok=True)
    workflow.write_text("on: push\njobs: {}\n")
    git(work, "add", "-A")
    git(work, "-c", "user.name=Eko", "-c", "user.email=eko@example.go.id", "commit", "-qm", "Lewati")
    refused = _push_tag(work, "v9", "gh-eko")
    assert refused.returncode != 0
    assert "GH013" in refused.stderr and "creations being restricted" in refused.stderr
    # nor through the API (on a commit the server has)
    repo = github(standin, _token_of(standin, "gh-eko")).get_repo(REPO)
    with pytest.raises(GithubException) as by_api:
        repo.create_git_ref("refs/tags/v9", git(work, "rev-parse", "origin/main").strip())
    assert by_api.value.status == 422 and "GH013" in str(by_api.value.data)
    # the Kasi tags main; the programmer can neither move nor delete that tag
    git(work, "checkout", "-q", "--detach", "origin/main")
    assert _push_tag(work, "v1", "gh-budi").returncode == 0
    git(work, "checkout", "-q", "lompat")
    moved = _push_tag(work, "v1", "gh-eko")
    assert moved.returncode != 0 and "Cannot update this protected ref" in moved.stderr
    deleted = _push_tag(work, "v1", "gh-eko", delete=True)
    assert deleted.returncode != 0 and "deletions being restricted" in deleted.stderr
    # a tag outside v* may be pushed, but only v* tags may deploy to production
    assert _push_tag(work, "coba-1", "gh-eko").returncode == 0
    env = standin.snapshot()["repos"][REPO]["environments"]["production"]
    assert env["branch_policy"] == ONLY_V_TAGS["branch_policy"] and env["policies"] == [("tag", "v*")]
    assert set(standin.repo(REPO).git.refs("refs/tags/")) == {"refs/tags/v1", "refs/tags/coba-1"}


def _weaken_release_path(standin: StandIn, owner: str) -> None:
    """What an admin (or a leaked admin token) could do: a branch may deploy, the ruleset only evaluated,
    without its deletion rule and with a programmer allowed to bypass it."""
    hub = github(standin, owner)
    repo = hub.get_repo(REPO)
    base = f"{repo.url}/environments/production"
    hub.requester.requestJsonAndCheck(
        "POST", f"{base}/deployment-branch-policies", input={"name": "main", "type": "branch"}
    )
    _h, listed = hub.requester.requestJsonAndCheck("GET", f"{repo.url}/rulesets")
    eko = hub.get_user("gh-eko").id
    _h, ruleset = hub.requester.requestJsonAndCheck("GET", f"{repo.url}/rulesets/{listed[0]['id']}")
    hub.requester.requestJsonAndCheck(
        "PUT",
        f"{repo.url}/rulesets/{ruleset['id']}",
        input={
            "enforcement": "evaluate",
            "rules": [r for r in ruleset["rules"] if r["type"] != "deletion"],
            "bypass_actors": [*ruleset["bypass_actors"], {"actor_id": eko, "actor_type": "User"}],
        },
    )


def test_a_weakened_release_path_is_shown_then_restored(
    standin: StandIn, owner: str, scaffold: Path, fault_free: dict[str, Any]
) -> None:
    assert provision(standin, owner, scaffold).exit_code == 0
    _weaken_release_path(standin, owner)
    standin.reset_log()
    plan = provision(standin, owner, scaffold, "--dry-run")
    assert plan.exit_code == 0 and standin.writes() == []
    assert "deployment policy branch main removed (only tags v* deploy)" in plan.stdout
    assert "ruleset sop-rilis is active" in plan.stdout and "rules: deletion" in plan.stdout
    assert "only the policy owners' teams may bypass it" in plan.stdout
    again = provision(standin, owner, scaffold)
    assert again.exit_code == 0, again.output
    assert {(c.method, c.path.split("/")[-2]) for c in standin.writes()} == {
        ("DELETE", "deployment-branch-policies"),
        ("PUT", "rulesets"),
    }
    assert standin.snapshot() == fault_free
    # a ruleset deleted altogether is made again
    hub = github(standin, owner)
    url = hub.get_repo(REPO).url
    _h, listed = hub.requester.requestJsonAndCheck("GET", f"{url}/rulesets")
    hub.requester.requestJsonAndCheck("DELETE", f"{url}/rulesets/{listed[0]['id']}")
    assert provision(standin, owner, scaffold).exit_code == 0
    assert standin.snapshot() == fault_free


@pytest.mark.parametrize(
    ("method", "path"), [("DELETE", r"/deployment-branch-policies/\d+$"), ("PUT", r"/rulesets/\d+$")]
)
def test_a_fault_while_restoring_the_release_path_then_rerun(
    standin: StandIn, owner: str, scaffold: Path, fault_free: dict[str, Any], method: str, path: str
) -> None:
    assert provision(standin, owner, scaffold).exit_code == 0
    _weaken_release_path(standin, owner)
    fault = standin.fail(method, path, "write_then_502" if method == "PUT" else "500", times=10)
    failed = provision(standin, owner, scaffold)
    assert fault.hits >= 1 and failed.exit_code == 2 and "Traceback" not in failed.output
    assert provision(standin, owner, scaffold).exit_code == 0
    assert standin.snapshot() == fault_free


def test_a_plan_without_rulesets_is_said_not_failed(standin: StandIn, owner: str, scaffold: Path) -> None:
    standin.world.orgs[ORG].rulesets = False  # GitHub answers 403 "Upgrade to GitHub Pro ..."
    result = provision(standin, owner, scaffold)
    assert result.exit_code == 0, result.output
    assert "has no repository rulesets, so any programmer may tag a commit v*" in result.stdout
    assert standin.snapshot()["repos"][REPO]["rulesets"] == {}
    standin.reset_log()
    again = provision(standin, owner, scaffold)
    assert again.exit_code == 0 and standin.writes() == []
    assert "has no repository rulesets" in again.stdout


# ---- the order of a fresh run, release tags made before the ruleset held them, a retargeted ruleset
EKO = ("-c", "user.name=Eko", "-c", "user.email=eko@example.go.id")


def _push_ref(work: Path, refspec: str, login: str) -> int:
    return subprocess.run(
        ["git", "push", "-q", "-o", f"user={login}", "origin", refspec],
        cwd=work,
        capture_output=True,
        check=False,
    ).returncode


def test_a_programmer_pushing_throughout_a_fresh_run_gets_nothing_through(
    standin: StandIn, owner: str, scaffold: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before every write of the run, eko (a programmer in the roster) pushes a commit to main and a tag
    v* on it: the release path stands before his team may push, so neither ever lands."""
    from toolkit.forge.github import provision as provisioning

    landed: list[str] = []
    tries: list[str] = []
    work = tmp_path / "eko"
    write = provisioning.Provisioner._write

    def racing(self: provisioning.Provisioner, *args: Any, **kwargs: Any) -> Any:
        if REPO in standin.snapshot()["repos"]:
            if not work.exists():
                clone(standin, work)
            git(work, "fetch", "-q", "origin", "+refs/heads/*:refs/remotes/origin/*")
            git(work, "checkout", "-q", "--detach", "origin/main")
            git(work, *EKO, "commit", "-q", "--allow-empty", "-m", "x")
            for ref in ("HEAD:refs/heads/main", f"HEAD:refs/tags/v0.0.{len(tries)}"):
                tries.append(ref)
                if _push_ref(work, ref, "gh-eko") == 0:
                    landed.append(f"{ref} before {args[0]} {args[1]}")
        return write(self, *args, **kwargs)

    monkeypatch.setattr(provisioning.Provisioner, "_write", racing)
    result = provision(standin, owner, scaffold)
    assert result.exit_code == 0, result.output
    assert len(tries) > 40 and landed == []
    assert standin.repo(REPO).git.refs("refs/tags/") == {}
    # and once provisioned, eko may push a branch: the refusals above were the release path's, not chance
    git(work, "checkout", "-q", "-B", "eko-cabang")
    assert _push_ref(work, "HEAD:refs/heads/eko-cabang", "gh-eko") == 0


def test_release_tags_made_off_the_branch_need_attention(
    standin: StandIn, owner: str, scaffold: Path, tmp_path: Path
) -> None:
    assert provision(standin, owner, scaffold).exit_code == 0
    work = clone(standin, tmp_path / "work")
    main = git(work, "rev-parse", "HEAD").strip()
    # made while nothing held them (a push without a named pusher is the set-up's): one on a branch's
    # commit, one annotated on main, one of a commit reachable from main only through a merge's second parent
    git(work, "checkout", "-q", "-b", "samping")
    git(work, *EKO, "commit", "-q", "--allow-empty", "-m", "samping")
    side = git(work, "rev-parse", "HEAD").strip()
    git(work, "tag", "v9", side)
    git(work, "-c", "user.name=Budi", "-c", "user.email=budi@x", "tag", "-a", "-m", "Rilis", "v1", main)
    git(work, "tag", "rilis-lama", side)  # not a release tag: never deploys
    git(work, "push", "-q", "origin", "refs/tags/*:refs/tags/*")
    standin.reset_log()
    again = provision(standin, owner, scaffold)
    assert again.exit_code == 0, again.output
    assert standin.writes() == []
    (attention,) = [line for line in again.stdout.splitlines() if line.startswith("Needs attention")]
    assert attention == "Needs attention (1):"
    assert f"tag v9 ({side[:12]}) is not on the first-parent line of main" in again.stdout
    assert "may deploy to production" in again.stdout
    assert "v1 (" not in again.stdout and "rilis-lama" not in again.stdout
    # the second parent of a merge on main is not on its first-parent line
    git(work, "checkout", "-q", "--detach", main)
    git(work, "-c", "user.name=A", "-c", "user.email=a@x", "merge", "-q", "--no-ff", "-m", "Gabung", side)
    git(work, "push", "-q", "origin", "HEAD:refs/heads/gabung")
    merged = git(work, "rev-parse", "HEAD").strip()
    standin.repo(REPO).git.update_ref("refs/heads/main", merged)  # around the protection, as an admin
    assert "tag v9 (" in provision(standin, owner, scaffold).stdout


def test_a_ruleset_retargeted_at_branches_is_put_right(
    standin: StandIn, owner: str, scaffold: Path, fault_free: dict[str, Any]
) -> None:
    assert provision(standin, owner, scaffold).exit_code == 0
    hub = github(standin, owner).requester
    _h, (listed,) = hub.requestJsonAndCheck("GET", f"/repos/{REPO}/rulesets")
    hub.requestJsonAndCheck("PUT", f"/repos/{REPO}/rulesets/{listed['id']}", input={"target": "branch"})
    standin.reset_log()
    again = provision(standin, owner, scaffold)
    assert again.exit_code == 0, again.output
    assert "ruleset sop-rilis targets tags" in again.stdout
    assert [(c.method, c.path) for c in standin.writes()] == [
        ("PUT", f"/repos/{REPO}/rulesets/{listed['id']}")
    ]
    assert standin.snapshot() == fault_free


def _pin(copy: Path, member: str, number: int) -> None:
    roster = copy / ".sop/roster.yaml"
    line = f"    github: {LOGINS[member]}\n"
    roster.write_text(roster.read_text().replace(line, f"{line}    github_id: {number}\n"))
    git(copy, "-c", "user.name=A", "-c", "user.email=a@example.go.id", "commit", "-qam", "Nomor akun")


def test_a_login_taken_over_after_a_rename_gets_no_team(standin: StandIn, owner: str, copy: Path) -> None:
    """joko renames his account; someone registers his old login. The roster pins joko's account number:
    provisioning refuses before any write instead of giving the stranger the security team's access."""
    world = standin.world
    joko = world.users.pop(LOGINS["joko"])
    joko.login = "joko-baru"
    world.users["joko-baru"] = joko
    standin.add_user(LOGINS["joko"], name="Bukan Joko")
    _pin(copy, "joko", joko.id)
    standin.reset_log()
    result = provision(standin, owner, copy)
    assert result.exit_code == 2, result.output
    assert f"member joko: '{LOGINS['joko']}' is account" in result.stderr
    assert f"not github_id {joko.id}" in result.stderr and "Nothing was changed" in result.stderr
    assert standin.writes() == [] and REPO not in standin.snapshot()["repos"]


def test_unpinned_accounts_are_listed_with_their_numbers(standin: StandIn, owner: str, copy: Path) -> None:
    joko = standin.world.users[LOGINS["joko"]]
    _pin(copy, "joko", joko.id)
    result = provision(standin, owner, copy, "--dry-run")
    assert result.exit_code == 0, result.output
    budi = standin.world.users[LOGINS["budi"]].id
    assert f"budi: github_id: {budi}" in result.stdout
    assert "joko: github_id" not in result.stdout  # pinned, and the number is right: nothing to say

"""Git data through the API, checks and statuses, fault injection with PyGithub's retries, the request log
and snapshots."""

from __future__ import annotations

import time

import pytest
import requests
from github import GithubException, InputGitTreeElement

from tests.standin import ACTIONS_APP_ID
from tests.standin.conftest import Office, run_git
from tests.standin.fixtures import github


def test_commit_through_git_data_api(office: Office) -> None:
    repo = office.repo("prog")
    main = repo.get_branch("main").commit.sha
    blob = repo.create_git_blob("isi berkas\n", "utf-8")
    tree = repo.create_git_tree(
        [
            InputGitTreeElement("docs/kak.md", "100644", "blob", sha=blob.sha),
            InputGitTreeElement("src/a.php", "100644", "blob", content="<?php\n"),
        ],
        base_tree=repo.get_git_commit(main).tree,
    )
    assert {e.path for e in tree.tree} == {"README.md", "docs", "src"}
    commit = repo.create_git_commit("Tambah KAK", tree, [repo.get_git_commit(main)])
    ref = repo.create_git_ref("refs/heads/kak", commit.sha)
    assert repo.get_git_ref("heads/kak").object.sha == commit.sha == ref.object.sha
    assert run_git(office.standin.git_path("dinas", "app"), "show", "kak:docs/kak.md") == "isi berkas\n"
    content = repo.get_contents("docs/kak.md", ref="kak")
    assert content.decoded_content == b"isi berkas\n"  # type: ignore[union-attr]
    listing = repo.get_contents("", ref="kak")
    assert sorted(c.path for c in listing) == ["README.md", "docs", "src"]  # type: ignore[union-attr]
    detail = repo.get_commit(commit.sha)
    assert sorted(f.filename for f in detail.files) == ["docs/kak.md", "src/a.php"]
    assert detail.commit.author.name == "Programmer Web"
    with pytest.raises(GithubException) as not_ff:
        repo.get_git_ref("heads/kak").edit(main)
    assert not_ff.value.status == 422
    repo.get_git_ref("heads/kak").edit(main, force=True)
    assert repo.get_branch("kak").commit.sha == main


def test_check_runs_belong_to_their_app_and_statuses_to_users(office: Office) -> None:
    sha = office.git("rev-parse", "main").strip()
    with pytest.raises(GithubException) as user:
        office.repo("prog").create_check_run("sop-gate", sha)
    assert user.value.status == 403
    actions = github(office.standin, office.standin.actions_token("dinas/app")).get_repo("dinas/app")
    run = actions.create_check_run("sop-gate", sha, status="in_progress")
    run.edit(
        conclusion="failure",
        output={
            "title": "Diblokir",
            "summary": "langkah 7",
            "annotations": [
                {
                    "path": "docs/skpl.md",
                    "start_line": 1,
                    "end_line": 1,
                    "annotation_level": "failure",
                    "message": "belum ditandatangani",
                }
            ],
        },
    )
    runs = office.repo("kasi").get_commit(sha).get_check_runs()
    assert [(r.name, r.conclusion, r.app.id, r.output.annotations_count) for r in runs] == [
        ("sop-gate", "failure", ACTIONS_APP_ID, 1)
    ]
    office.repo("prog").get_commit(sha).create_status("success", context="sop-gate", description="palsu")
    combined = office.repo("kasi").get_commit(sha).get_combined_status()
    assert combined.state == "success" and combined.statuses[0].context == "sop-gate"
    other = github(office.standin, office.standin.app_token("dinas/app", 4242, "lain")).get_repo("dinas/app")
    with pytest.raises(GithubException) as foreign:
        other.requester.requestJsonAndCheck(
            "PATCH", f"{other.url}/check-runs/{run.id}", input={"conclusion": "success"}
        )
    assert foreign.value.status == 403


@pytest.mark.parametrize("kind", ["500", "502", "503", "drop"])
def test_server_errors_and_dropped_connections_are_retried(office: Office, kind: str) -> None:
    office.standin.fail("GET", r"^/repos/dinas/app$", kind, times=2)
    office.standin.reset_log()
    assert office.repo("prog").name == "app"
    statuses = [c.status for c in office.standin.calls("GET", r"^/repos/dinas/app$")]
    assert statuses == [int(kind) if kind != "drop" else 0] * 2 + [200]


def test_eleven_503s_end_in_a_retry_error(office: Office) -> None:
    office.standin.fail("GET", r"^/repos/dinas/app$", "503", times=11)
    with pytest.raises(requests.exceptions.RetryError):
        office.repo("prog")


@pytest.mark.parametrize("kind", ["rate_limit", "secondary_rate_limit"])
def test_rate_limits_are_waited_out(office: Office, kind: str) -> None:
    office.standin.fail("GET", r"^/repos/dinas/app$", kind)
    started = time.monotonic()
    assert office.repo("prog").name == "app"
    assert 0.9 < time.monotonic() - started < 4
    assert [c.status for c in office.standin.calls("GET", r"^/repos/dinas/app$")] == [403, 200]


def test_a_write_that_answers_502_happens_and_is_retried(office: Office) -> None:
    repo = office.repo("kasi")
    office.standin.fail("POST", r"/issues$", "write_then_502")
    repo.create_issue("Pelacakan")
    titles = [i.title for i in repo.get_issues()]
    assert titles == ["Pelacakan", "Pelacakan"]  # PyGithub retried the POST: check before create
    writes = office.standin.writes()
    assert [(c.method, c.status, c.user) for c in writes] == [("POST", 502, "kasi"), ("POST", 201, "kasi")]


def test_the_log_names_who_called_and_snapshots_ignore_ids(office: Office) -> None:
    office.standin.reset_log()
    list(office.repo("tamu").get_labels())
    calls = office.standin.calls()
    assert {(c.method, c.path, c.user, c.write) for c in calls} == {
        ("GET", "/repos/dinas/app", "tamu", False),
        ("GET", "/repos/dinas/app/labels", "tamu", False),
    }
    before = office.standin.snapshot()
    office.repo("kasi").create_label("a", "ededed")
    after = office.standin.snapshot()
    assert before != after and after["repos"]["dinas/app"]["labels"] == {"a": ("ededed", None)}
    assert office.standin.writes()[0].operation == "POST /repos/{owner}/{repo}/labels"


def test_tags_listed_by_prefix_and_annotated_ones_peeled(office: Office) -> None:
    main = office.git("rev-parse", "main").strip()
    office.git("tag", "v1", main)
    office.git(
        "-c", "user.name=Kasi", "-c", "user.email=kasi@example.go.id", "tag", "-a", "-m", "Rilis", "v2", main
    )
    office.git("tag", "coba", main)
    office.git("push", "-q", "origin", "refs/tags/*:refs/tags/*")
    repo = office.repo("tamu")  # reading is enough
    listed = {ref.ref: ref.object for ref in repo.get_git_matching_refs("tags/v")}
    assert set(listed) == {"refs/tags/v1", "refs/tags/v2"}
    assert listed["refs/tags/v1"].type == "commit" and listed["refs/tags/v1"].sha == main
    assert listed["refs/tags/v2"].type == "tag"
    tag = repo.get_git_tag(listed["refs/tags/v2"].sha)
    assert (tag.tag, tag.object.type, tag.object.sha, tag.tagger.name) == ("v2", "commit", main, "Kasi")
    assert tag.message == "Rilis\n"
    with pytest.raises(GithubException) as missing:
        repo.get_git_tag(main)  # a commit is no tag
    assert missing.value.status == 404


def test_a_ruleset_refused_answers_errors_as_github_does(office: Office) -> None:
    requester = github(office.standin, office.tokens["kasi"]).requester
    body = {"name": "sop-rilis", "target": "tag", "enforcement": "active"}
    requester.requestJsonAndCheck("POST", "/repos/dinas/app/rulesets", input=body)
    with pytest.raises(GithubException) as taken:
        requester.requestJsonAndCheck("POST", "/repos/dinas/app/rulesets", input=body)
    assert taken.value.status == 422
    assert taken.value.data["errors"] == [
        {"resource": "Ruleset", "code": "invalid", "message": "Name must be unique", "field": "name"}
    ]

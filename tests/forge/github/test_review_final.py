"""Outside review of 0bb3241, 33e7a58, 44dfd7d (the GitHub gate's early check run on the payload's head):
a verdict never lands on another head's run, and a pull request that moved since its event is not judged
by that event."""

from __future__ import annotations

import json

from tests.forge.github.conftest import GitHubOffice
from tests.forge.github.test_gate import judged, security_pull


def _older_head(office: GitHubOffice, approved: str) -> str:
    """A commit X after the approved head, changing the step-14 report again (never approved), pushed
    to another branch so GitHub holds it: the head a synchronize event named before the author pushed the
    approved commit back."""
    office.git("checkout", "-q", "--detach", approved)
    report = next(p for p in office.git("ls-files", "docs").split() if "14" in p)
    with (office.work / report).open("a", encoding="utf-8") as stream:
        stream.write("\nDiubah setelah persetujuan.\n")
    office.git("add", "-A")
    office.git("-c", "user.name=Eko", "-c", "user.email=eko@sumbarprov.go.id", "commit", "-q", "-m", "x")
    older = office.git("rev-parse", "HEAD").strip()
    office.git("push", "-q", "-f", "-o", "user=gh-eko", "origin", f"{older}:refs/heads/lain")
    return older


def _gate_on_payload_head(office: GitHubOffice, number: int, payload_head: str, checkout: str):  # type: ignore[no-untyped-def]
    office.git("fetch", "-q", "origin", "+refs/heads/*:refs/remotes/origin/*")
    office.git("checkout", "-q", "--detach", checkout)
    payload = office.standin.event_payload(
        "pull_request", "synchronize", repo=office.name, number=number, sender="gh-eko"
    )
    payload["pull_request"]["head"]["sha"] = payload_head  # the event was for the head before the push
    event_file = office.work.parent / "event.json"
    event_file.write_text(json.dumps(payload))
    return office.sopkit(
        "github",
        "gate",
        GITHUB_EVENT_NAME="pull_request",
        GITHUB_EVENT_PATH=str(event_file),
        GITHUB_STEP_SUMMARY=str(office.work.parent / "summary.md"),
    )


def test_the_verdict_on_the_moved_head_is_never_written_on_the_payload_heads_run(
    ghoffice: GitHubOffice,
) -> None:
    """Fail open (medium-low): the event names X (the author pushed X, then the approved Y back). The
    gate makes run R1 on X in progress, reads the pull request (head Y), and calls started(Y). That POST
    fails (502 after retries): _Check.start sets head=Y but keeps run=R1, so finish PATCHes R1 - X's
    run - with Y's verdict: `success` on X, a commit whose change nobody approved."""
    office = ghoffice
    number, approved = security_pull(office)
    office.review(number, "joko")
    judged(office, number, approved, "success")
    older = _older_head(office, approved)
    assert office.conclusion(older) is None
    office.standin.fail(
        "POST",
        r"/check-runs$",
        "502",
        times=50,
        body_regex=f"{approved}.*in_progress|in_progress.*{approved}",
    )
    ran = _gate_on_payload_head(office, number, older, approved)
    assert ran.returncode == 0 and "moved from" in ran.stdout, ran.stdout[-1500:] + ran.stderr[-1500:]
    assert office.conclusion(older) != "success"


def test_a_verdict_read_before_a_dismissal_does_not_outlive_it_when_the_pull_request_moved(
    ghoffice: GitHubOffice,
) -> None:
    """Race (low; stale success, the round-5 race on the moved path): the event names X, the pull request
    is at Y. judge_event makes its run on X early, reads the reviews (hub.pull_request), and only then
    makes the run on Y: a dismissal's run B made in that gap is older than A's run on Y, which A completes
    `success` from the approval it read."""
    from toolkit.cli.github_cmd import _Check
    from toolkit.forge.github import gate as ghgate
    from toolkit.forge.github.api import GitHub

    office = ghoffice
    number, head = security_pull(office)
    review = office.review(number, "joko")
    older = _older_head(office, head)
    office.git("fetch", "-q", "origin", "+refs/heads/*:refs/remotes/origin/*")
    office.git("checkout", "-q", "--detach", head)
    hub = GitHub(office.name, office.standin.actions_token(office.name), office.standin.api_url)
    check = _Check()
    read = hub.pull_request

    def read_then_dismissed(number_: int) -> object:
        found = read(number_)
        office.repo("budi").get_pull(number).get_review(review).dismiss("diuji ulang")
        ran = office.gate(number, event="pull_request_review", action="dismissed")
        assert ran.returncode == 1, ran.stdout[-1500:] + ran.stderr[-800:]
        assert office.conclusion(head) == "failure"
        office.git("checkout", "-q", "--detach", head)
        return found

    hub.pull_request = read_then_dismissed  # type: ignore[method-assign,assignment]
    event = ghgate.Event("pull_request", number, proposed=older)
    verdict = ghgate.judge_event(office.work, hub, event, started=lambda commit: check.start(hub, commit))
    # fixed: a pull request that moved since its event is not judged here (the new head's own event
    # judges it, its run made before its reviews are read)
    assert verdict.report is None and verdict.moved_from == older and verdict.head == head
    assert office.conclusion(head) == "failure"  # the dismissal's run stands


def test_control_x_on_its_own_is_refused(ghoffice: GitHubOffice) -> None:
    office = ghoffice
    number, approved = security_pull(office)
    office.review(number, "joko")
    judged(office, number, approved, "success")
    older = _older_head(office, approved)
    office.git("push", "-q", "-f", "-o", "user=gh-eko", "origin", f"{older}:refs/heads/uji-keamanan")
    ran = office.gate(number)
    assert ran.returncode == 1, ran.stdout[-1500:]
    assert office.conclusion(older) == "failure"

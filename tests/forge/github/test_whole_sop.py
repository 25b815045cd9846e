"""The whole SOP on GitHub: a scaffold from ``sopkit new``, provisioned on the stand-in (branch protection,
code owners, teams from the roster), goes through all 17 steps by pull requests and reviews, each judged by
``sopkit github gate`` and merged by GitHub's rules with merge, squash and rebase in turn; the tracking issue
then shows every step complete, the release gate lets the tip out, and the audit finds nothing."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import git
from tests.forge.github.conftest import GitHubOffice
from tests.forge.github.provisioning import (
    ORG,
    PEOPLE_HERE,
    SLUG,
    clone,
    make_scaffold,
    open_hub,
    provision,
    tokens_of,
)
from tests.office import SIGNER, write_security_report
from tests.standin import StandIn
from toolkit import sop
from toolkit.demo import fill_step
from toolkit.forge.github.names import TRACKING_LABEL

NAME = f"{ORG}/{SLUG}"
METHODS = ("merge", "squash", "rebase")


def test_seventeen_steps_by_pull_requests_and_reviews(standin: StandIn, tmp_path: Path) -> None:
    owner = open_hub(standin)
    (tmp_path / "keys").mkdir()
    app = make_scaffold(tmp_path, tmp_path / "keys", PEOPLE_HERE)
    made = provision(standin, owner, app)
    assert made.exit_code == 0, made.output
    office = GitHubOffice(standin, clone(standin, tmp_path / "work"), tokens_of(standin), name=NAME)
    policy = sop.load(app / ".sop" / "sop.yaml")
    for step in policy.steps:
        office.on_main()
        fill_step(office.work, policy, step.no)
        author = "eko"
        if step.produces_code:  # the programmer's code: the web-programmer team owns src/, so rina opens it
            (office.work / "src").mkdir(exist_ok=True)
            (office.work / "src" / "index.php").write_text("<?php echo 'Sistem Informasi Kepegawaian';\n")
            author = "rina"
        if step.covers_code:
            write_security_report(office.work, office.git("rev-parse", "HEAD").strip())
        changed = [line[3:] for line in office.git("status", "--porcelain", "-uall").splitlines()]
        files = {path: (office.work / path).read_bytes() for path in changed}
        office.git("checkout", "-q", "--", ".")
        office.git("clean", "-qfd")
        branch = f"langkah-{step.no:02d}"
        head = office.branch(branch, {}, author=author, binary=files)
        number = office.pull(branch, author)
        for role in step.signoffs:
            office.review(number, SIGNER[role])
        if step.produces_code:
            office.review(number, "eko")  # the code owner of src/
        ran = office.gate(number)
        assert ran.returncode == 0, f"step {step.no}:\n{ran.stdout}{ran.stderr}"
        assert office.conclusion(head) == "success"
        method = METHODS[step.no % 3]
        assert office.repo(author).get_pull(number).merge(merge_method=method).merged, step.no

    office.on_main()
    tracked = office.sopkit("github", "track")
    assert tracked.returncode == 0, tracked.stdout + tracked.stderr
    (issue,) = list(office.repo().get_issues(state="open", labels=[TRACKING_LABEL]))
    assert "17 of 17 steps complete" in issue.body
    assert {label.name for label in issue.labels} == {TRACKING_LABEL}
    state = office.sopkit("github", "state", "--format", "json")
    assert {s["status"] for s in json.loads(state.stdout)["steps"]} == {"complete"}

    released = office.sopkit("github", "release", "--ref", "HEAD")
    assert released.returncode == 0, released.stdout + released.stderr
    audited = office.sopkit("github", "audit", "--repo", NAME, checkout="--checkout", GITHUB_TOKEN=owner)
    assert audited.returncode == 0, audited.stdout + audited.stderr
    assert "17 pull requests re-verified" in audited.stdout
    assert git(office.work, "rev-list", "--count", "--first-parent", "origin/main").strip()

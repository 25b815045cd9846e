"""The gate asks GitHub about commits git cannot attribute once per set of addresses, within its call
budget (issue 9, fourth review, F1): one answer stands for every commit of a set, a commit with another
set is still asked about, a change bringing more sets than a run may ask about cannot be decided, and the
default branch's history is asked whatever it holds (fifth review, F1)."""

from __future__ import annotations

import json
import re

from tests.forge.github.conftest import LOGINS, GitHubOffice
from tests.forge.github.test_attack_round4 import _actions_calls, _many_commits_under_made_up_addresses, _push
from tests.forge.github.test_gate import judged, security_pull

PERSONAL = "joko.pribadi@example.com"  # joko's GitHub account address; not in the roster


def _graphql_queries(office: GitHubOffice) -> int:
    return sum(1 for _method, operation in _actions_calls(office) if operation == "graphql")


def test_one_answer_per_set_of_addresses_and_another_set_is_still_asked(ghoffice: GitHubOffice) -> None:
    """150 code commits under one made-up address, then one under joko's personal address (GitHub links it
    to him): one question per set (both fit one query), and joko's approval of the security report, which
    covers the code, is refused as his own work."""
    office = ghoffice
    office.standin.world.users[LOGINS["joko"]].email = PERSONAL
    office.git("checkout", "-q", "-B", "banyak", "origin/main")
    (office.work / "src").mkdir(exist_ok=True)
    for index, email in enumerate(["x@contoh.example"] * 150 + [PERSONAL]):
        (office.work / "src/banyak.php").write_text(f"<?php echo {index};\n")
        office.git("add", "-A")
        office.git("-c", "user.name=X", "-c", f"user.email={email}", "commit", "-q", "-m", f"wip {index}")
    _push(office, "banyak")
    assert office.repo("eko").get_pull(office.pull("banyak")).merge(merge_method="merge").merged
    office.tested = office.on_main()
    number, head = security_pull(office)
    office.review(number, "joko")
    office.standin.reset_log()
    assert "joko wrote, co-wrote or committed" in judged(office, number, head, "failure")
    assert len(_actions_calls(office)) <= 6, _actions_calls(office)


def test_a_change_bringing_more_sets_of_addresses_than_a_run_may_ask_about_cannot_be_decided(
    ghoffice: GitHubOffice,
) -> None:
    """The security report's pull request brings 101 code commits under 101 made-up addresses, and joko
    approves it: its own commits would need a second account query, more than the gate's budget leaves.
    The gate cannot decide (exit 2), and its check run says why and what to do."""
    office = ghoffice
    _many_commits_under_made_up_addresses(office, "banyak", 101)
    head = office.branch("uji-keamanan", office.security_report(), start="banyak")
    number = office.pull("uji-keamanan")
    office.review(number, "joko")
    office.standin.reset_log()
    ran = office.gate(number)
    assert ran.returncode == 2, ran.stdout + ran.stderr
    assert "Traceback" not in ran.stderr
    said = r"::error title=sop-gate::cannot decide: the change brings 10\d commits under 10\d different sets"
    assert re.search(said, ran.stdout), ran.stdout
    assert len(_actions_calls(office)) <= 6, _actions_calls(office)
    (run,) = list(office.repo().get_commit(head).get_check_runs(check_name="sop-gate"))
    assert (run.status, run.conclusion) == ("completed", "failure")
    assert "squash the commits" in run.output.summary
    summary = (office.work.parent / "summary.md").read_text()
    assert "cannot decide" in summary, json.dumps(summary)


def test_the_default_branchs_history_is_asked_whatever_it_holds(ghoffice: GitHubOffice) -> None:
    """The same 101 commits merged first (nobody's sign-off covered them, so nothing was asked), then joko
    approves the security report: the history's sets are asked (two queries) and the approval decided;
    refusing would leave every later sign-off undecidable for good."""
    office = ghoffice
    _many_commits_under_made_up_addresses(office, "banyak", 101)
    assert office.repo("eko").get_pull(office.pull("banyak")).merge(merge_method="merge").merged
    office.tested = office.on_main()
    number, head = security_pull(office)
    office.review(number, "joko")
    office.standin.reset_log()
    judged(office, number, head, "success")
    assert _graphql_queries(office) == 4  # the pull request, the merged pull requests, two account queries

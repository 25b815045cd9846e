"""The gate asks GitHub about commits git cannot attribute once per set of addresses, within its call
budget (issue 9, fourth review, F1): one answer stands for every commit of a set, a commit with another
set is still asked about, and a history with more sets than a run may ask about cannot be decided."""

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


def test_more_sets_of_addresses_than_a_run_may_ask_about_cannot_be_decided(ghoffice: GitHubOffice) -> None:
    """201 code commits under 201 made-up addresses merged, then joko approves the security report, which
    covers them: 3 queries would be needed, 2 are left. The gate cannot decide (exit 2) within its budget,
    and its check run says why and what to do."""
    office = ghoffice
    _many_commits_under_made_up_addresses(office, "banyak", 201)
    assert office.repo("eko").get_pull(office.pull("banyak")).merge(merge_method="merge").merged
    office.tested = office.on_main()
    number, head = security_pull(office)
    office.review(number, "joko")
    office.standin.reset_log()
    ran = office.gate(number)
    assert ran.returncode == 2, ran.stdout + ran.stderr
    assert "Traceback" not in ran.stderr
    # the 201 and the set-up's own commits under addresses the roster does not know (the admin's)
    said = r"::error title=sop-gate::cannot decide: 20\d commits under 20\d different sets"
    assert re.search(said, ran.stdout), ran.stdout
    assert len(_actions_calls(office)) <= 6, _actions_calls(office)
    assert _graphql_queries(office) == 2  # the pull request and the merged pull requests: no account query
    (run,) = list(office.repo().get_commit(head).get_check_runs(check_name="sop-gate"))
    assert (run.status, run.conclusion) == ("completed", "failure")
    assert "squash the commits" in run.output.summary
    summary = (office.work.parent / "summary.md").read_text()
    assert "cannot decide" in summary, json.dumps(summary)

"""Step 12 of the SOP on real git: the agency is met at 70 % of step 11, so the review's sign-off lands
while programming is still under way; before any code exists it is refused; the security test still needs
step 11 complete. The attacker of docs/security-model.md, holding no officer's key, gains nothing: the
review still needs the Kasi's sign-off, and an empty or unfinished programming step cannot be released."""

from __future__ import annotations

import re

from tests.conftest import git
from tests.office import Office


def state(office: Office) -> dict[int, str]:
    result = office.cli("gate", "check", "--repo", str(office.app), *office.rules)
    rows = [line for line in result.stdout.splitlines() if line[:3].strip().isdigit()]
    return {int(line.split()[0]): line for line in rows}


def review(office: Office) -> tuple[int, str]:
    office.fill(12)
    office.commit("Notulen review 70 %", author="rina")
    signed = office.signoff(12, "kasi")
    assert signed.exit_code == 0, signed.output + signed.stderr
    pushed = office.push()
    return pushed.returncode, pushed.stderr


def test_the_70_percent_review_lands_while_programming_is_under_way(office: Office) -> None:
    for step in range(1, 11):
        office.complete(step)
    designed = git(office.app, "rev-parse", "HEAD").strip()

    # no code yet: programming has not begun, so the review is refused
    refused, why = review(office)
    assert refused != 0
    assert "step 12 changes, but step 11 is not under way on the base" in why, why
    git(office.app, "reset", "-q", "--hard", designed)

    # the first code lands (the design is complete), step 11's own document still a draft
    office.write("src/index.php", "<?php echo 'Halo';\n")
    office.commit("Mulai pemrograman", author="rina")
    assert office.push().returncode == 0
    accepted, why = review(office)
    assert accepted == 0, why
    rows = state(office)
    assert "complete" in rows[12] and "not filled in" in rows[11]

    # the security test waits for programming to be complete, and so does a release
    assert "blocked by a dependency" in rows[14] and "depends on step 11, 13" in rows[14]
    release = office.cli("gate", "release", "--repo", str(office.bare), *office.rules)
    assert release.exit_code == 1
    assert re.search(r"step 11 is not filled in", release.stdout), release.stdout

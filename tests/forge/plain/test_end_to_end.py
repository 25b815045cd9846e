"""The whole SOP on real git: scaffold, serve, and push through the gate."""

from __future__ import annotations

import json
import re

from tests.conftest import git
from tests.office import Office, write_security_report


def test_the_sop_end_to_end(office: Office) -> None:
    # code before the design steps is rejected by the server
    office.write("src/app.py", "print('halo')\n")
    office.commit("Mulai pemrograman", author="rina")
    pushed = office.push()
    assert pushed.returncode != 0
    assert "[code]" in pushed.stderr and "7, 8, 9, 10" in pushed.stderr
    git(office.app, "reset", "-q", "--hard", "HEAD~1")

    # steps 1-10, then the code lands, then steps 11-13
    _designed, tested = office.program()

    # the security test names the tested commit and signs off the code with it
    office.fill(14)
    report = write_security_report(office.app, tested)
    report_commit = office.commit("Laporan uji keamanan", author="joko")
    # budi is no security officer; joko wrote the report himself: neither sign-off would count
    wrong_role = office.signoff(14, "security", member="budi")
    assert wrong_role.exit_code == 1 and "does not hold the role 'security'" in wrong_role.stderr
    own_work = office.signoff(14, "security", member="joko")
    assert (
        own_work.exit_code == 1
        and "wrote, co-wrote or committed part of what they sign off" in own_work.stderr
    )
    git(office.app, "reset", "-q", "--hard", report_commit)
    git(office.app, "commit", "-q", "--amend", "--no-edit", "--author", "Rina <rina@sumbarprov.go.id>")
    assert office.signoff(14, "security").exit_code == 0
    assert office.push().returncode == 0

    release = office.cli("gate", "release", "--repo", str(office.app), "--format", "json", *office.rules)
    assert release.exit_code == 0, release.stdout
    assert json.loads(release.stdout)["decision"] == "pass"

    # code changes after the security sign-off: the release gate blocks
    office.write("src/app.py", "print('halo, dunia')\n")
    office.commit("Perbaikan kecil", author="rina")
    assert office.push().returncode == 0  # code may still merge: the design is complete
    blocked = office.cli("gate", "release", "--repo", str(office.app), "--format", "json", *office.rules)
    assert blocked.exit_code == 1
    data = json.loads(blocked.stdout)
    assert data["decision"] == "block"
    step14 = next(s for s in data["steps"] if s["no"] == 14)
    assert step14["status"] == "stale"
    assert any("re-test" in v["message"] or "uji ulang" in v["message"] for v in data["violations"])

    # re-test: the report names the new commit, the security team signs again
    retested = git(office.app, "rev-parse", "HEAD").strip()
    report.write_text(re.sub(r'commit_diuji: ".*"', f'commit_diuji: "{retested}"', report.read_text()))
    office.commit("Uji ulang keamanan", author="rina")
    assert office.signoff(14, "security").exit_code == 0
    assert office.push().returncode == 0
    again = office.cli("gate", "release", "--repo", str(office.app), *office.rules)
    assert again.exit_code == 0, again.stdout

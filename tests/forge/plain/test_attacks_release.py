"""Attacks on the release gate, on real git (docs/security-model.md: a programmer with push access and no
officer's key, who can push any branch or tag and craft commits). The gate must read the policy and roster
from the protected branch, release only what is on it, match the report's tested commit as an object id, and
accept only a report whose result is LULUS with no critical or high finding open.

Steps 1–13 and the application code are made once per module; each test copies that office and writes
its own security report (signed off by the security officer, so that only what the test varies is wrong).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
from click.testing import Result

from tests.conftest import git, run_sopkit
from tests.office import FIXED_FINDING, SECURITY_REPORT, Office, open_office, write_security_report

BLOCKED = 1
CANNOT_DECIDE = 2


class Prepared(NamedTuple):
    root: Path  # the office: app/, server.git/, sop.yaml, roster.yaml
    tested: str  # main after step 13: the code the security team tests
    old: str  # main after step 10: before any application code


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory, keyring: dict[str, Path]) -> Iterator[Prepared]:
    root = tmp_path_factory.mktemp("release-office")
    with pytest.MonkeyPatch.context() as patch:  # the per-test cache fixture is not there yet
        patch.setenv("SOPKIT_CACHE_DIR", str(tmp_path_factory.mktemp("release-cache")))
        old, tested = open_office(root, run_sopkit, keyring).program()
    yield Prepared(root, tested, old)


@pytest.fixture
def office(prepared: Prepared, tmp_path: Path, keyring: dict[str, Path]) -> Office:
    """A copy of the prepared office, for one test to change."""
    root = tmp_path / "office"
    shutil.copytree(prepared.root, root, symlinks=True)
    return Office(root, lambda *args: run_sopkit(*args, lang="en"), keyring)


def security_test(
    office: Office, tested: str, result: str = "LULUS", findings: str = FIXED_FINDING, push: bool = True
) -> str:
    """The security team's report, committed by a programmer and signed off by the security officer."""
    office.fill(14)
    write_security_report(office.app, tested, result, findings)
    office.commit("Laporan uji keamanan", author="rina")
    signed = office.signoff(14, "security")
    assert signed.exit_code == 0, signed.output + signed.stderr
    if push:
        pushed = office.push()
        assert pushed.returncode == 0, pushed.stderr
    return git(office.app, "rev-parse", "HEAD").strip()


def tag_off_main(office: Office, tag: str) -> None:
    """A tag on a commit that is not on main: the server refuses the push, so it is put into the server's
    repository around the hook (as an admin could, or a server without the tag check): the release gate
    must hold on its own."""
    refused = office.push(f"refs/tags/{tag}")
    assert refused.returncode != 0 and "is not on a protected branch" in refused.stderr, refused.stderr
    git(office.bare, "fetch", "-q", str(office.app), f"refs/tags/{tag}:refs/tags/{tag}")


def release(office: Office, *args: str) -> Result:
    """``sopkit gate release`` on the server's repository, with the office's rules as the fallback."""
    return office.cli("gate", "release", "--repo", str(office.bare), *office.rules, *args)


def blocked_because(result: Result, *reasons: str) -> None:
    assert result.exit_code == BLOCKED, result.stdout + result.stderr
    for reason in reasons:
        assert reason in result.stdout, result.stdout


def test_the_honest_release_passes(office: Office, prepared: Prepared) -> None:
    released = security_test(office, prepared.tested)
    result = release(office)
    assert result.exit_code == 0, result.stdout
    # a tag on main, the commit id, and a clone's remote-tracking branch give the same answer
    git(office.app, "tag", "v1.0")
    assert office.push("refs/tags/v1.0").returncode == 0
    for ref in ("v1.0", released):
        assert release(office, "--ref", ref).exit_code == 0
    git(office.app, "fetch", "-q", str(office.bare), "+refs/heads/main:refs/remotes/origin/main")
    on_clone = office.cli(
        "gate", "release", "--repo", str(office.app), "--branch", "refs/remotes/origin/main", *office.rules
    )
    assert on_clone.exit_code == 0, on_clone.stdout + on_clone.stderr


def test_a_tag_with_a_weakened_policy_is_judged_by_main(office: Office) -> None:
    # the security test is not done; off main, the policy says a release needs the request letter only
    policy = office.app / ".sop" / "sop.yaml"
    text = policy.read_text(encoding="utf-8")
    start = text.index("  release:\n")
    end = text.index("\npolicy:")
    policy.write_text(
        text[:start] + "  release:\n    requires: [permintaan]\n" + text[end:], encoding="utf-8"
    )
    office.commit("Sederhanakan rilis", author="rina")
    git(office.app, "tag", "v1.0")
    tag_off_main(office, "v1.0")
    assert office.cli("sop", "validate", str(policy)).exit_code == 0
    result = release(office, "--ref", "v1.0")
    blocked_because(
        result, "[release] step 14 is not filled in", "is not on the protected branch refs/heads/main"
    )


def test_a_tag_with_its_own_roster_does_not_make_its_author_an_officer(
    office: Office, prepared: Prepared
) -> None:
    # off main, the attacker names himself security officer in a roster of the tag and signs off step 14
    from tests.office import PEOPLE, roster_text

    people = {**PEOPLE, "outsider": (["security"], None, None)}
    (office.app / ".sop" / "roster.yaml").write_text(roster_text(office.keys, people), encoding="utf-8")
    office.commit("Roster", author="rina")
    office.fill(14)
    write_security_report(office.app, prepared.tested)
    office.commit("Laporan uji keamanan", author="rina")
    office.signoff(14, "security", member="outsider")  # counts by the tag's own roster
    git(office.app, "tag", "v1.0")
    tag_off_main(office, "v1.0")
    # the release gate reads main's roster, which does not know him
    result = release(office, "--ref", "v1.0")
    blocked_because(
        result, "[release] step 14 is awaiting sign-off", "is not on the protected branch refs/heads/main"
    )


@pytest.mark.parametrize("kind", ["side branch", "tag"])
def test_a_commit_off_main_is_blocked(office: Office, prepared: Prepared, kind: str) -> None:
    security_test(office, prepared.tested)
    assert release(office).exit_code == 0
    # a file the policy names as not code: no sign-off goes stale, yet it never passed the gate on main
    (office.app / "README.md").write_text("Catatan rilis.\n", encoding="utf-8")
    side = office.commit("Catatan", author="rina")
    if kind == "tag":
        git(office.app, "tag", "hotfix")
        tag_off_main(office, "hotfix")
        ref = "hotfix"
    else:
        assert office.push("HEAD:refs/heads/fitur").returncode == 0
        ref = "fitur"
    result = release(office, "--ref", ref)
    blocked_because(result, f"the released commit {side[:12]} is not on the protected branch refs/heads/main")
    assert "[release] step" not in result.stdout  # every step is complete: only the branch blocks


@pytest.mark.parametrize("kind", ["tag", "branch"])
def test_a_short_id_is_refused_even_when_a_ref_of_that_name_exists(
    office: Office, prepared: Prepared, kind: str
) -> None:
    short = prepared.tested[:7]
    security_test(office, short)
    # a ref named like the short id would win over the commit in git's name lookup
    git(office.app, kind, short, prepared.old)
    target = f"refs/tags/{short}" if kind == "tag" else f"refs/heads/{short}:refs/heads/{short}"
    assert office.push(target).returncode == 0
    result = release(office)
    blocked_because(
        result,
        f"'commit_diuji' in the report of step 14 is '{short}', a short id",
        "40 lower-case hex digits",
    )


@pytest.mark.parametrize("tested_code", [True, False], ids=["tested code", "untested code"])
def test_a_full_id_is_matched_as_the_object_whatever_tag_bears_its_name(
    office: Office, prepared: Prepared, tested_code: bool
) -> None:
    """A tag named by the id the report gives, pointing elsewhere: the id still means the object."""
    named, elsewhere = (prepared.tested, prepared.old) if tested_code else (prepared.old, prepared.tested)
    security_test(office, named)
    git(office.app, "tag", named, elsewhere)
    assert office.push(f"refs/tags/{named}").returncode == 0  # both commits are on main
    result = release(office)
    if tested_code:
        assert result.exit_code == 0, result.stdout
    else:
        blocked_because(result, f"the code changed after the tested commit {named[:12]}; re-test it")


@pytest.mark.parametrize("kind", ["blob", "tree", "unknown", "off history", "tag name", "capitals"])
def test_commit_diuji_must_be_a_commit_of_the_released_history(
    office: Office, prepared: Prepared, kind: str
) -> None:
    if kind == "off history":  # same code as the tested commit, but on a branch main never merged
        git(office.app, "checkout", "-q", "-b", "samping", prepared.tested)
        git(office.app, "commit", "-q", "--allow-empty", "-m", "Uji di cabang samping")
        named = git(office.app, "rev-parse", "HEAD").strip()
        assert office.push("HEAD:refs/heads/samping").returncode == 0
        git(office.app, "checkout", "-q", "main")
    else:
        named = {
            "blob": git(office.app, "rev-parse", f"{prepared.tested}:src/app.py").strip(),
            "tree": git(office.app, "rev-parse", f"{prepared.tested}^{{tree}}").strip(),
            "unknown": "0123456789abcdef" * 2 + "01234567",
            "tag name": "v1.0",
            "capitals": prepared.tested.upper(),
        }[kind]
    if kind == "tag name":
        git(office.app, "tag", "v1.0", prepared.tested)
        assert office.push("refs/tags/v1.0").returncode == 0
    security_test(office, named)
    field = "'commit_diuji' in the report of step 14"
    expected = {
        "blob": f"{field} names {named}, which is a blob, not a commit",
        "tree": f"{field} names {named}, which is a tree, not a commit",
        "unknown": f"{field} names {named}, which is no object in this repository",
        "off history": f"{field} names commit {named}, which is not in the history of the released commit",
        "tag name": f"{field} is 'v1.0', not a commit id",
        "capitals": f"{field} is '{named}', in capital letters",
    }[kind]
    blocked_because(release(office), expected)


def test_a_failed_security_test_blocks(office: Office, prepared: Prepared) -> None:
    security_test(office, prepared.tested, result="TIDAK LULUS")
    blocked_because(
        release(office), "[release] 'hasil' in the report of step 14 must be LULUS; it is 'TIDAK LULUS'"
    )


def test_an_open_high_finding_blocks(office: Office, prepared: Prepared) -> None:
    findings = (
        FIXED_FINDING + "\n| 2 | Sesi tidak kedaluwarsa | SES-2 (V3.3.1) | Tinggi | 7.5 | Terbuka | - |"
    )
    security_test(office, prepared.tested, findings=findings)
    result = release(office)
    blocked_because(result, "the report of step 14 has an open finding of severity 'Tinggi'")
    assert "Sesi tidak kedaluwarsa" in result.stdout


@pytest.mark.parametrize(
    ("row", "severity"),
    [
        ("| 2 | Eksekusi kode jarak jauh | FIL-3 (V12.5.2) | Kritis | 9.8 | Terbuka | - |", "Kritis"),
        ("| 2 | IDOR pada unduhan | AKS-2 (V4.2.1) | Tinggi | 8.1 | Diperbaiki | Gagal |", "Tinggi"),
        ("| 2 | XSS tersimpan | VAL-3 (V5.3.3) | Sedang | 9.0 | Terbuka | - |", "Sedang"),
    ],
    ids=["open critical", "fixed but the re-test failed", "a CVSS of 9.0 under a milder word"],
)
def test_a_serious_finding_not_closed_and_retested_blocks(
    office: Office, prepared: Prepared, row: str, severity: str
) -> None:
    security_test(office, prepared.tested, findings=FIXED_FINDING + "\n" + row)
    blocked_because(release(office), f"the report of step 14 has an open finding of severity '{severity}'")


def test_lulus_with_only_closed_or_low_findings_releases(office: Office, prepared: Prepared) -> None:
    findings = "\n".join(
        (
            "| 1 | Injeksi SQL | VAL-2 (V5.3.4) | Kritis | 9.8 | Diperbaiki | Lulus |",
            "| 2 | Sesi tanpa batas waktu | SES-2 (V3.3.1) | Tinggi | 7.5 | Ditutup | Lulus |",
            "| 3 | Header CSP belum ada | KON-3 (V14.4.3) | Rendah | 3.1 | Terbuka | - |",
            "| 4 | Pesan eror terlalu rinci | LOG-3 (V7.4.1) | Sedang | 5.3 | Terbuka | - |",
        )
    )
    security_test(office, prepared.tested, findings=findings)
    result = release(office)
    assert result.exit_code == 0, result.stdout + result.stderr


def test_a_report_without_a_findings_table_blocks(office: Office, prepared: Prepared) -> None:
    # the table rewritten as prose: the gate cannot tell that no critical or high finding is open
    office.fill(14)
    write_security_report(office.app, prepared.tested)
    report = office.app / SECURITY_REPORT
    text = report.read_text(encoding="utf-8")
    start = text.index("| No | Temuan |")
    end = text.index("## Kesimpulan")
    report.write_text(text[:start] + "Semua temuan sudah diperbaiki.\n\n" + text[end:], encoding="utf-8")
    office.commit("Laporan uji keamanan", author="rina")
    assert office.signoff(14, "security").exit_code == 0
    assert office.push().returncode == 0
    blocked_because(release(office), "the report of step 14 has no findings table")


def test_the_protected_branch_is_never_a_tag(office: Office, prepared: Prepared) -> None:
    security_test(office, prepared.tested)
    refused = release(office, "--branch", "refs/tags/v1.0")
    assert refused.exit_code == CANNOT_DECIDE and "never a tag" in refused.stderr
    # on the server, a remote-tracking ref is whatever a pusher put there
    git(office.app, "commit", "-q", "--allow-empty", "-m", "bukan main")
    assert office.push("HEAD:refs/remotes/origin/main").returncode != 0  # the server refuses the namespace
    git(office.bare, "fetch", "-q", str(office.app), "HEAD:refs/remotes/origin/main")  # around the hook
    remote = release(office, "--branch", "refs/remotes/origin/main")
    assert remote.exit_code == CANNOT_DECIDE and "a bare repository is the server" in remote.stderr
    git(office.app, "reset", "-q", "--hard", "HEAD~1")
    # on a clone without the branch, a tag named like the branch's full name is not taken for it
    git(office.app, "checkout", "-q", "--detach")
    git(office.app, "branch", "-q", "-D", "main")
    git(office.app, "tag", "refs/heads/main")
    result = office.cli("gate", "release", "--repo", str(office.app), *office.rules)
    assert result.exit_code == CANNOT_DECIDE, result.stdout
    assert "has no branch refs/heads/main" in result.stderr and "refs/remotes/origin/main" in result.stderr


# --- the report read as a reader reads it (review of issue 10: F1-F7), end to end on the plain server ---

NIHIL_ROW = "| 1 | Tidak ada temuan | - | - | - | - | - |"
OPEN_RCE = "| 1 | Eksekusi kode jarak jauh | FIL-3 (V12.5.2) | Kritis | 9.8 | Terbuka | - |"
FINDINGS_HEADER = (
    "| No | Temuan | Kontrol (ASVS) | Tingkat risiko | CVSS | Status | Uji ulang |\n"
    + "|---:|---|---|---|---|---|---|\n"
)


def edited_report(office: Office, tested: str, findings: str, edit: Callable[[str], str]) -> None:
    """A report with ``findings`` in its findings table, then edited by ``edit``: committed, signed off by
    the security officer (who reads the rendered page), and pushed."""
    office.fill(14)
    report = write_security_report(office.app, tested, findings=findings)
    report.write_text(edit(report.read_text(encoding="utf-8")), encoding="utf-8")
    office.commit("Laporan uji keamanan", author="rina")
    assert office.signoff(14, "security").exit_code == 0
    pushed = office.push()
    assert pushed.returncode == 0, pushed.stderr


def after_findings(extra: str) -> Callable[[str], str]:
    return lambda text: text.replace("## Kesimpulan", extra + "\n\n## Kesimpulan")


@pytest.mark.parametrize(
    ("findings", "edit", "reason"),
    [
        (
            NIHIL_ROW,
            after_findings(
                "<table><tr><th>Tingkat risiko</th><th>Status</th></tr>"
                "<tr><td>Kritis</td><td>Terbuka</td></tr></table>"
            ),
            "has a table in HTML",
        ),
        (
            NIHIL_ROW,
            after_findings("> | No | Tingkat risiko | Status |\n> |---|---|---|\n> | 2 | Kritis | Terbuka |"),
            "has a table inside a quote or a list",
        ),
        (
            NIHIL_ROW,
            after_findings("    | 2 | RCE | FIL-3 | Kritis | 9.8 | Terbuka | - |"),
            "has table rows in an indented code block",
        ),
        (
            NIHIL_ROW,
            after_findings(
                "| No | Temuan | Severitas | Status |\n|---|---|---|---|\n| 2 | RCE | Kritis | Terbuka |"
            ),
            "says 'Kritis' on line",
        ),
        (  # the indented-fence trick: "    ```" opens nothing, so the nihil table is the one in code
            OPEN_RCE,
            lambda text: text.replace("## Temuan\n", "## Temuan\n\nContoh:\n\n    ```\n", 1).replace(
                "## Kesimpulan", "```\n" + FINDINGS_HEADER + NIHIL_ROW + "\n```\n\n## Kesimpulan"
            ),
            "open finding of severity 'Kritis'",
        ),
        (  # a serious finding marked fixed in a table without a re-test column
            NIHIL_ROW,
            after_findings(
                "| No | Temuan | Tingkat risiko | Status |\n|---|---|---|---|\n"
                "| 2 | RCE | Kritis | Diperbaiki |"
            ),
            "open finding of severity 'Kritis'",
        ),
        (
            "| 1 | RCE | FIL-3 | Kritis | 9.8 | Diperbaiki | Lulus (kecuali modul admin: masih rentan) |",
            lambda text: text,
            "open finding of severity 'Kritis'",
        ),
        (
            "| 1 | RCE | FIL-3 | Rendah | 9.8 (CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H) | Terbuka | - |",
            lambda text: text,
            "open finding of severity 'Rendah'",
        ),
        (
            "| 1 | RCE | FIL-3 | Rendah | 9.80 | Terbuka | - |",
            lambda text: text,
            "open finding of severity 'Rendah'",
        ),
        (
            "| 1 | RCE | Tidak ada | - | 9.8 | Terbuka | - |",
            lambda text: text,
            "open finding of unknown severity '-'",
        ),
        (
            NIHIL_ROW,
            lambda text: text.replace(
                "| AKS-2 | Pengguna hanya dapat mengakses data miliknya (IDOR) | V4.2.1 | Sesuai |",
                "| AKS-2 | Pengguna hanya dapat mengakses data miliknya (IDOR) | V4.2.1 | Tidak sesuai |",
            ),
            "control AKS-2 in the report of step 14",
        ),
    ],
    ids=[
        "html table",
        "quoted table",
        "rows as indented code",
        "another severity header",
        "indented fence",
        "no re-test column",
        "re-test with a reservation",
        "cvss vector after the score",
        "cvss with two decimals",
        "no severity, a cell saying none",
        "non-compliant control, no finding",
    ],
)
def test_what_a_reader_sees_is_what_the_gate_reads(
    office: Office, prepared: Prepared, findings: str, edit: Callable[[str], str], reason: str
) -> None:
    edited_report(office, prepared.tested, findings, edit)
    blocked_because(release(office), reason)


def test_the_nihil_report_releases(office: Office, prepared: Prepared) -> None:
    edited_report(office, prepared.tested, NIHIL_ROW, lambda text: text)
    result = release(office)
    assert result.exit_code == 0, result.stdout + result.stderr


def test_a_duplicate_result_key_is_read_neither_way(office: Office, prepared: Prepared) -> None:
    # PyYAML alone keeps the last of two keys: "TIDAK LULUS" above "LULUS" would have released
    office.fill(14)
    report = write_security_report(office.app, prepared.tested, findings=NIHIL_ROW)
    text = report.read_text(encoding="utf-8")
    report.write_text(text.replace("hasil: ", 'hasil: "TIDAK LULUS"\nhasil: ', 1), encoding="utf-8")
    office.commit("Laporan uji keamanan", author="rina")
    refused = office.signoff(14, "security")
    assert refused.exit_code == CANNOT_DECIDE
    assert "duplicate key 'hasil'" in refused.output + refused.stderr
    assert office.push().returncode == 0
    blocked_because(release(office), "step 14")

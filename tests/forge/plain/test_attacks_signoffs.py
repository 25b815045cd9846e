"""Who may sign, and when, on a real server: a signer's hidden authorship (inside a merge, as a co-author,
as the author of the code a security sign-off covers), dates the signer chose, role windows in the
office's time zone, and sign-offs brought from another application. Each is refused with its reason,
and nothing lands."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

from tests.conftest import git
from tests.forge.plain.test_adversarial import LETTER, fill_letter, rejected
from tests.office import Office
from toolkit.forge.plain.pushlog import ARRIVALS, CONFIG_DIR


def signoff_dated(office: Office, step: int, role: str, member: str, when: dt.datetime) -> None:
    """A sign-off whose author and committer dates are ``when`` (the signer's own choice)."""
    stamp = f"{int(when.timestamp())} +0700"
    saved = {k: os.environ.get(k) for k in ("GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE")}
    os.environ.update({"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp})
    try:
        result = office.signoff(step, role, member=member)
    finally:
        for key, value in saved.items():
            os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)
    assert "Signed off" in result.stdout, result.stdout + result.stderr


def server_roster(office: Office, old: str, new: str) -> None:
    roster = office.bare / CONFIG_DIR / "roster.yaml"
    text = roster.read_text()
    assert old in text
    roster.write_text(text.replace(old, new, 1))


def test_an_edit_hidden_in_a_merge_is_the_signers_own_work(office: Office) -> None:
    """ani (TU) merges a branch and fills the letter inside the merge commit, then signs it off."""
    git(office.app, "checkout", "-q", "-b", "side")
    (office.app / "README.md").write_text("Catatan cabang.\n")
    office.commit("Cabang", author="rina")
    git(office.app, "checkout", "-q", "main")
    git(office.app, "merge", "-q", "--no-ff", "--no-commit", "side")
    office.fill(1)  # the edit of step 1 rides inside the merge
    office.commit("Gabung cabang", author="ani")
    office.signoff(1, "tu", member="ani")
    rejected(office, "ani wrote, co-wrote or committed part of what they sign off")


def test_a_co_author_may_not_sign_what_they_co_wrote(office: Office) -> None:
    office.fill(1)
    git(office.app, "add", "-A")
    git(
        office.app,
        "-c",
        "user.name=Rina",
        "-c",
        "user.email=rina@sumbarprov.go.id",
        "commit",
        "-q",
        "-m",
        "Surat permintaan\n\nCo-authored-by: Ani <Ani@Sumbarprov.go.id>\n",
    )
    office.signoff(1, "tu", member="ani")
    rejected(office, "ani wrote, co-wrote or committed part of what they sign off")


def test_a_committer_may_not_sign_what_they_committed(office: Office) -> None:
    office.fill(1)
    git(office.app, "add", "-A")
    env = {**os.environ, "GIT_COMMITTER_NAME": "Ani", "GIT_COMMITTER_EMAIL": "ani@sumbarprov.go.id"}
    subprocess.run(
        ["git", "commit", "-q", "--author", "Rina <rina@sumbarprov.go.id>", "-m", "Surat permintaan"],
        cwd=office.app,
        env=env,
        check=True,
    )
    office.signoff(1, "tu", member="ani")
    rejected(office, "ani wrote, co-wrote or committed part of what they sign off")


def test_the_security_tester_may_not_sign_off_code_they_wrote(office: Office) -> None:
    """The security sign-off covers the code: a tester who wrote some of it is told at once, and the step
    does not count as complete."""
    (office.app / "src").mkdir(exist_ok=True)
    (office.app / "src" / "tambahan.php").write_text("<?php echo 'pintu belakang';\n")
    office.commit("Kode", author="joko")
    office.fill(14)
    office.commit("Laporan uji keamanan", author="rina")
    result = office.signoff(14, "security", member="joko")
    assert result.exit_code == 1
    assert "joko wrote, co-wrote or committed part of what they sign off" in result.stderr
    state = office.cli("gate", "check", "--repo", str(office.app), "--format", "json", *office.rules)
    assert '"joko (security)"' not in state.stdout


def test_a_back_dated_signoff_of_an_officer_who_left_is_refused(office: Office) -> None:
    """lina was Kasi in 2019-2020; a sign-off she dates 2020 arrives today, and today she holds no role."""
    (office.app / ".sop" / "requirements.txt").write_text("sop-toolkit==9.9\n")
    office.commit("Ganti versi", author="rina")
    signoff_dated(office, "policy", "kasi", "lina", dt.datetime(2020, 6, 1, tzinfo=dt.UTC))  # type: ignore[arg-type]
    office.signoff("policy", "kabid")
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=7))).date().isoformat()
    rejected(office, "[policy]", f"lina does not hold the role 'kasi' on {today}")


def test_a_future_dated_signoff_of_an_officer_appointed_later_is_refused(office: Office) -> None:
    next_month = dt.date.today() + dt.timedelta(days=40)
    server_roster(office, "      - role: tu\n", f"      - role: tu\n        from: {next_month.isoformat()}\n")
    fill_letter(office)
    when = dt.datetime.combine(next_month, dt.time(9), dt.UTC)
    signoff_dated(office, 1, "tu", "ani", when + dt.timedelta(days=1))
    rejected(office, "ani does not hold the role 'tu' on")


def test_a_signoff_stays_valid_after_its_signer_leaves(office: Office) -> None:
    """What counts is the day the server first saw the sign-off: budi's step-1 sign-off arrived while
    he was Kasi, so it still completes step 1 after his window closed."""
    office.fill(1)
    office.commit("Surat permintaan", author="rina")
    for role in office.policy.step(1).signoffs:
        assert office.signoff(1, role).exit_code == 0
    assert office.push().returncode == 0
    arrivals = office.bare / CONFIG_DIR / ARRIVALS
    assert arrivals.read_text().count("\n") >= 1
    january = int(dt.datetime(2026, 1, 15, tzinfo=dt.UTC).timestamp())
    arrivals.write_text(
        "".join(f"{line.split()[0]} {january}\n" for line in arrivals.read_text().splitlines())
    )
    # the signers of step 1 left at the end of June
    for role in office.policy.step(1).signoffs:
        server_roster(office, f"      - role: {role}\n", f"      - role: {role}\n        until: 2026-06-30\n")
    (office.app / "README.md").write_text("Catatan.\n")
    office.commit("Catatan", author="rina")
    pushed = office.push()
    assert pushed.returncode == 0, pushed.stderr
    assert "complete steps: 1" in pushed.stderr


def test_a_clone_says_that_signoff_times_are_the_signers_own(office: Office) -> None:
    fill_letter(office)
    assert office.signoff(1, "tu").exit_code == 0
    state = office.cli("gate", "check", "--repo", str(office.app), *office.rules)
    assert "sign-off times are the signers' own commit dates" in state.stdout


def test_signoffs_of_another_application_do_not_count_here(office: Office, tmp_path: Path) -> None:
    """Another application's history, with its letter signed off, merged into this one."""
    other = tmp_path / "other"
    made = office.cli(
        "new", str(other), "--defaults", "--data", "app_name=Aplikasi Lain", "--data", "opd=Dinas Lain"
    )
    assert made.exit_code == 0, made.stderr
    twin = Office(tmp_path, office.cli, office.keys)
    twin_app = other  # scaffolded from the same template: the same policy
    from toolkit.demo import fill_step

    fill_step(twin_app, office.policy, 1)
    git(twin_app, "add", "-A")
    git(twin_app, "-c", "user.email=rina@sumbarprov.go.id", "commit", "-q", "-m", "Surat permintaan")
    for role in office.policy.step(1).signoffs:
        signer = {"tu": "ani", "kadis": "dedi"}.get(role, "ani")
        signed = twin.cli(
            "signoff",
            "1",
            "--role",
            role,
            "--repo",
            str(twin_app),
            "--key",
            str(office.keys[signer]),
            *office.rules,
        )
        assert signed.exit_code == 0, signed.stdout + signed.stderr
    # the other application's letter and sign-offs, brought in whole
    git(office.app, "fetch", "-q", str(twin_app), "main")
    git(office.app, "merge", "-q", "--allow-unrelated-histories", "-X", "theirs", "--no-edit", "FETCH_HEAD")
    (office.app / ".copier-answers.yml").write_text(
        git(office.app, "show", "HEAD^1:.copier-answers.yml")
    )  # keep this application's name
    office.commit("Nama aplikasi ini", author="rina")
    assert (office.app / LETTER).read_text() == (twin_app / LETTER).read_text()
    rejected(office, "was made for the application 'aplikasi-lain', not for this one")


def test_renaming_the_application_is_a_policy_change(office: Office) -> None:
    answers = office.app / ".copier-answers.yml"
    answers.write_text(answers.read_text().replace(f"app_slug: {office.app_id}", "app_slug: aplikasi-lain"))
    office.commit("Ganti nama aplikasi", author="rina")
    rejected(office, "[policy]", "policy owner 'kasi'")


def test_the_server_names_the_application_whatever_the_repository_says(office: Office) -> None:
    """A server set up with --app judges every push by that name: the repository's own answers (which a
    first push could bring from another application) do not choose which sign-offs count."""
    pinned = office.root / "pinned.git"
    made = office.cli(
        "server", "init", str(pinned), "--app", "aplikasi-lain", "--hook-lang", "en", *office.rules
    )
    assert made.exit_code == 0, made.stderr
    assert office.push_to(pinned).returncode == 0
    fill_letter(office)
    assert office.signoff(1, "tu").exit_code == 0
    pushed = office.push_to(pinned)
    assert pushed.returncode != 0
    assert f"made for the application '{office.app_id}', not for this one ('aplikasi-lain')" in pushed.stderr

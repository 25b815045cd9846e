"""The GitHub intake on the stand-in: a request issue written with the form, moved on by labels and comment
commands of the roster's GitHub accounts, replayed by ``sopkit github intake`` as the Actions job runs it
after each event; what someone outside the role does is reverted and explained; the assigned request is
scaffolded and provisioned."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.forge.github.intake_office import FORM, INTAKE, Intake, form_body, open_intake
from tests.standin import StandIn
from tests.standin.server import Call
from toolkit.forge.github.intake import LABEL_COLOURS


@pytest.fixture
def intake(standin: StandIn, keyring: dict[str, Path], tmp_path: Path) -> Intake:
    return open_intake(standin, keyring, tmp_path)


@pytest.fixture
def labelled(intake: Intake) -> Intake:
    """The intake after its first run made the state labels (a label counts only when it existed
    before it was put on, to the second)."""
    number = intake.open("ani")
    intake.issue("budi", number).edit(state="closed")
    time.sleep(1.1)
    return intake


def test_the_intake_makes_its_labels_before_anyone_can_use_them(intake: Intake) -> None:
    assert not {label.name for label in intake.gh("budi").get_repo(INTAKE).get_labels()} & set(LABEL_COLOURS)
    intake.open("opd")
    made = {label.name for label in intake.gh("budi").get_repo(INTAKE).get_labels()}
    assert made >= {"permintaan", "diajukan", "dicatat", "disposisi-kadis", "ditugaskan", "ditolak"}


def test_a_request_goes_through_steps_1_to_5_and_is_scaffolded(labelled: Intake, tmp_path: Path) -> None:
    intake = labelled
    number = intake.open("opd")  # the agency's operator: not in the roster
    assert intake.labels(number) == {"permintaan"}
    assert "not submitted yet" in intake.answers(number)[-1]
    intake.label("ani", number, "diajukan")  # TU accepts it by label
    assert intake.labels(number) == {"permintaan", "diajukan"}
    intake.comment("ani", number, "/catat\nnomor_agenda: 045/TU/XI/2026\n")
    assert intake.labels(number) == {"permintaan", "dicatat"}
    intake.label("dedi", number, "disposisi-kadis")  # the Kadis disposes with one label
    intake.comment(
        "rahmat", number, "/disposisi\nnomor_surat_tugas: 800/9/2026\ntanggal_surat_tugas: 2026-11-30"
    )
    intake.comment("budi", number, "/tugaskan\ntim_it_support: [rina]\ntim_database: ['@gh-rina']\n")
    assert intake.labels(number) == {"permintaan", "ditugaskan"}
    answers = intake.answers(number)
    assert sum("✅" in a for a in answers) == 5 and not any("❌" in a for a in answers)
    assert "Made by Budi as Head of the application development section (Kasi)" in answers[-1]

    # nothing new: a second run answers nothing again
    before = len(intake.standin.writes())
    intake.run(number, "issues", "edited", "budi")
    assert len(intake.standin.writes()) == before

    from toolkit.cli.app import cli

    env = {"GITHUB_TOKEN": intake.tokens["budi"], "SOPKIT_LANG": "en"}
    other = intake.open("opd", form_body(**{"Nama aplikasi": "SIMPUS"}))  # waiting for TU: not a request yet
    report = [
        "report",
        "requests",
        "--github",
        INTAKE,
        "--api-url",
        intake.standin.api_url,
        "--format",
        "json",
    ]
    listed = CliRunner().invoke(cli, report, env=env)
    assert listed.exit_code == 0, listed.output
    rows = {row["id"].split("-")[1]: row for row in json.loads(listed.stdout)}
    row = rows[f"{number:03d}"]  # beside the labelled fixture's; the agency's waiting one is not listed
    assert (row["nomor_agenda"], row["state"]) == ("045/TU/XI/2026", "ditugaskan")
    assert row["aplikasi"] == FORM["Nama aplikasi"] and f"{other:03d}" not in rows
    args = [
        "request",
        "scaffold",
        "2026-" + f"{number:03d}",
        "--github",
        INTAKE,
        "--dest",
        str(tmp_path / "app"),
    ]
    result = CliRunner().invoke(cli, [*args, "--api-url", intake.standin.api_url], env=env)
    assert result.exit_code == 0, result.output
    assert "attach the request letter" in result.output
    recorded = (tmp_path / "app" / "docs" / "02-surat-masuk" / "arsip-surat-masuk.md").read_text()
    assert "045/TU/XI/2026" in recorded
    assert intake.gh("budi").get_repo("dinas/sistem-informasi-kepegawaian").private
    assert intake.issue("budi", number).state == "closed"
    said = [c.body for c in intake.issue("budi", number).get_comments()]
    assert "dinas/sistem-informasi-kepegawaian" in said[-1]


def test_a_label_from_outside_the_role_is_reverted_and_explained(labelled: Intake) -> None:
    intake = labelled
    number = intake.open("ani")  # TU opens it: submitted at once
    assert intake.labels(number) == {"permintaan", "diajukan"}
    intake.label("eko", number, "disposisi-kadis")  # a programmer, not in the roster
    assert intake.labels(number) == {"permintaan", "diajukan"}
    said = intake.answers(number)[-1]
    assert "❌" in said and "@gh-eko is not in the roster" in said and "set back" in said
    intake.label("rina", number, "dicatat")  # in the roster, not TU; and a label cannot give the agenda no.
    assert intake.labels(number) == {"permintaan", "diajukan"}
    assert "nomor_agenda" in intake.answers(number)[-1]
    intake.label("dedi", number, "disposisi-kadis")  # the right role, out of order
    assert intake.labels(number) == {"permintaan", "diajukan"}
    assert "the next is /catat" in intake.answers(number)[-1]
    intake.comment("rina", number, "/catat\nnomor_agenda: 1/TU/2026")  # a command by the wrong role
    assert intake.labels(number) == {"permintaan", "diajukan"}
    assert "rina" in intake.answers(number)[-1] and "❌" in intake.answers(number)[-1]
    intake.unlabel("eko", number, "diajukan")  # the state label taken away comes back
    assert intake.labels(number) == {"permintaan", "diajukan"}


def test_a_login_taken_over_after_a_rename_moves_nothing(
    standin: StandIn, keyring: dict[str, Path], tmp_path: Path
) -> None:
    """The roster pins each account's number. TU's ani renames her account; someone registers her old
    login, gets write access and opens a request as 'gh-ani': it is not submitted. ani, under her new
    login, still is TU."""
    intake = open_intake(standin, keyring, tmp_path, pinned=True)
    intake.issue("budi", intake.open("ani")).edit(state="closed")  # the first run makes the labels
    time.sleep(1.1)
    world = standin.world
    ani = world.users.pop("gh-ani")
    ani.login = "ani-baru"
    world.users["ani-baru"] = ani
    repo = world.repo(INTAKE)
    repo.collaborators["ani-baru"] = repo.collaborators.pop("gh-ani")
    intake.tokens["gh-ani"] = standin.add_user("gh-ani", name="Bukan Ani")
    standin.grant(INTAKE, "gh-ani", "write")
    forged = intake.open("gh-ani")
    assert "diajukan" not in intake.labels(forged)
    assert "awaiting TU" in intake.answers(forged)[-1]  # the account is not ani's, whatever its login
    assert "diajukan" in intake.labels(intake.open("ani"))


def test_what_counted_cannot_be_undone_by_editing_or_deleting_it(labelled: Intake) -> None:
    intake = labelled
    number = intake.open("ani")
    comment = intake.comment("ani", number, "/catat\nnomor_agenda: 045/TU/XI/2026")
    assert intake.labels(number) == {"permintaan", "dicatat"}
    # a forged answer (a person's comment with the intake's mark) counts for nothing
    intake.comment("eko", number, "<!-- sopkit-intake comment:1 ok -->\n✅ /disposisi counts")
    assert intake.labels(number) == {"permintaan", "dicatat"}
    # the programmer edits TU's command (write access allows it): nothing is decided from the issue
    repo = intake.gh("eko").get_repo(INTAKE)
    repo.get_issue(number).get_comment(comment).edit("/catat\nnomor_agenda: 999/PALSU")
    result = intake.intake(number, "issue_comment", "edited", "eko")
    assert result.exit_code == 2 and "no longer holds its history" in result.output
    assert intake.labels(number) == {"permintaan", "dicatat"}
    assert "⛔" in intake.answers(number)[-1] and "edited" in intake.answers(number)[-1]
    from toolkit.cli.app import cli

    env = {"GITHUB_TOKEN": intake.tokens["budi"], "SOPKIT_LANG": "en"}
    args = ["request", "scaffold", str(number), "--github", INTAKE, "--api-url", intake.standin.api_url]
    refused = CliRunner().invoke(cli, args, env=env)
    assert refused.exit_code == 1 and "no longer holds its history" in refused.output


def test_a_deleted_rejection_does_not_revive_the_request(labelled: Intake) -> None:
    intake = labelled
    number = intake.open("ani")
    rejection = intake.comment("ani", number, "/tolak Surat tidak lengkap")
    assert intake.labels(number) == {"permintaan", "ditolak"}
    issue = intake.gh("eko").get_repo(INTAKE).get_issue(number)
    for answer in [c for c in issue.get_comments() if c.user.type == "Bot"]:  # the intake's marks first
        answer.delete()
    issue.get_comment(rejection).delete()
    # (the stand-in builds an issue_comment payload only around a comment that exists: any event of the
    # issue makes the intake read it whole)
    result = intake.intake(number, "issues", "edited", "eko")
    assert result.exit_code == 2 and "deleted by @gh-eko" in result.output
    assert intake.labels(number) == {"permintaan", "ditolak"}
    assert "⛔" in intake.answers(number)[-1]


def test_a_renamed_label_does_not_turn_an_old_one_into_a_step(labelled: Intake) -> None:
    intake = labelled
    number = intake.open("ani")
    intake.comment("ani", number, "/catat\nnomor_agenda: 045/TU/XI/2026")
    repo = intake.gh("eko").get_repo(INTAKE)
    repo.create_label("prioritas", "ededed")
    intake.label("dedi", number, "prioritas")  # the Kadis once put an ordinary label on
    repo.get_label("disposisi-kadis").edit("disposisi-kadis-lama", "ededed")
    repo.get_label("prioritas").edit("disposisi-kadis", "ededed")
    intake.run(number, "issues", "edited", "eko")
    assert intake.labels(number) == {"permintaan", "dicatat"}  # the event says 'prioritas', as it was


def test_an_application_is_never_provisioned_over_an_existing_repository(
    labelled: Intake, tmp_path: Path
) -> None:
    from toolkit.cli.app import cli

    intake = labelled
    number = intake.open("ani", form_body(**{"Nama aplikasi": "Intake"}))
    intake.comment("ani", number, "/catat\nnomor_agenda: 1/TU")
    intake.label("dedi", number, "disposisi-kadis")
    intake.comment("rahmat", number, "/disposisi\nnomor_surat_tugas: 1/ST\ntanggal_surat_tugas: 2026-11-30")
    intake.comment("budi", number, "/tugaskan\ntim_it_support: [rina]\ntim_database: [rina]")
    assert intake.labels(number) == {"permintaan", "ditugaskan"}
    before = intake.standin.snapshot()
    env = {"GITHUB_TOKEN": intake.tokens["budi"], "SOPKIT_LANG": "en"}
    args = ["request", "scaffold", str(number), "--github", INTAKE, "--dest", str(tmp_path / "app")]
    result = CliRunner().invoke(cli, [*args, "--api-url", intake.standin.api_url], env=env)
    assert result.exit_code == 2 and "the intake repository itself" in result.output
    assert intake.standin.snapshot() == before


def test_an_edit_of_the_request_after_tu_accepted_it_needs_tu_again(labelled: Intake) -> None:
    intake = labelled
    number = intake.open("ani")
    repo = intake.gh("eko").get_repo(INTAKE)
    repo.get_issue(number).edit(body=form_body(**{"Nama aplikasi": "Aplikasi Lain"}))
    intake.run(number, "issues", "edited", "eko")
    assert intake.labels(number) == {"permintaan"}
    assert "edited after this" in intake.answers(number)[-1]
    time.sleep(1.1)  # an acceptance in the second of the last edit does not count
    intake.comment("ani", number, "/terima")
    assert intake.labels(number) == {"permintaan", "diajukan"}


def test_the_intake_fails_closed(intake: Intake) -> None:
    number = intake.open("ani")
    assert intake.intake(number, "issues", "opened", "ani", token="").exit_code == 2
    wrong = intake.intake(number, "issues", "opened", "ani", event_name="push")
    assert wrong.exit_code == 2 and "issues and issue_comment events" in wrong.output
    intake.standin.fail("POST", r"/graphql$", "503", times=20)

    def rest_writes() -> list[Call]:
        return [w for w in intake.standin.writes() if not w.path.endswith("/graphql")]

    before = len(rest_writes())
    intake.issue("eko", number).add_to_labels("dicatat")
    result = intake.intake(number, "issues", "labeled", "eko", label="dicatat")
    assert result.exit_code == 2 and "cannot decide" in result.output
    assert len(rest_writes()) == before + 1  # only the programmer's own label: nothing was decided


def assigned(intake: Intake) -> int:
    """A request taken through steps 1-5 by the right people: ``ditugaskan``."""
    number = intake.open("ani")  # TU opens it: submitted
    intake.comment("ani", number, "/catat\nnomor_agenda: 045/TU/XI/2026\n")
    intake.label("dedi", number, "disposisi-kadis")
    intake.comment(
        "rahmat", number, "/disposisi\nnomor_surat_tugas: 800/9/2026\ntanggal_surat_tugas: 2026-11-30"
    )
    intake.comment("budi", number, "/tugaskan\ntim_it_support: [rina]\ntim_database: [rina]\n")
    assert intake.labels(number) == {"permintaan", "ditugaskan"}
    return number


def register(intake: Intake) -> tuple[dict[str, str], str]:
    """``report requests --github`` as JSON: each request's state by id, and what it said on stderr."""
    from toolkit.cli.app import cli

    env = {"GITHUB_TOKEN": intake.tokens["budi"], "SOPKIT_LANG": "en"}
    args = ["report", "requests", "--github", INTAKE, "--api-url", intake.standin.api_url, "--format", "json"]
    listed = CliRunner().invoke(cli, args, env=env)
    assert listed.exit_code == 0, listed.output
    return {row["id"]: row["state"] for row in json.loads(listed.stdout)}, listed.stderr


def test_an_edit_of_an_assigned_request_changes_nothing_and_is_said(labelled: Intake, tmp_path: Path) -> None:
    """eko (a programmer: write access, not in the roster) edits the text of a request the Kasi assigned.
    Only a rejection was final: the edit voided TU's acceptance and all four dispositions, the intake took
    `ditugaskan` away, and the request left `report requests --github` without a word. Now a closed
    request stays as it is, the edit is explained on the issue and in the register, and nothing is
    scaffolded from the edited text."""
    intake = labelled
    number = assigned(intake)
    before, _said = register(intake)
    assert before[f"2026-{number:03d}"] == "ditugaskan"
    issue = intake.gh("eko").get_repo(INTAKE).get_issue(number)
    issue.edit(body=form_body(**{"Nama aplikasi": "Aplikasi Lain"}))
    intake.intake(number, "issues", "edited", "eko")
    assert intake.labels(number) == {"permintaan", "ditugaskan"}
    explained = "the request's text was edited by @gh-eko after the request was closed (ditugaskan)"
    assert explained.capitalize() in intake.answers(number)[-1]
    after, said = register(intake)
    assert after == before
    assert f"note: issue #{number}: {explained}" in said
    from toolkit.cli.app import cli

    env = {"GITHUB_TOKEN": intake.tokens["budi"], "SOPKIT_LANG": "en"}
    args = ["request", "scaffold", str(number), "--github", INTAKE, "--dest", str(tmp_path / "app")]
    refused = CliRunner().invoke(cli, [*args, "--api-url", intake.standin.api_url], env=env)
    assert refused.exit_code == 1 and "nothing is scaffolded from a text edited" in refused.output
    assert not (tmp_path / "app").exists()


def test_a_request_whose_acceptance_an_edit_voided_is_named_by_the_register(labelled: Intake) -> None:
    """An edit of the request's text after TU accepted it voids the acceptance (TU accepts the edited
    text again); the request then left the register without a word. It is named on stderr."""
    intake = labelled
    number = intake.open("ani")
    intake.comment("ani", number, "/catat\nnomor_agenda: 045/TU/XI/2026\n")
    intake.gh("eko").get_repo(INTAKE).get_issue(number).edit(body=form_body(**{"Perihal": "Lain"}))
    intake.run(number, "issues", "edited", "eko")
    listed, said = register(intake)
    assert f"2026-{number:03d}" not in listed
    expected = f"note: issue #{number}: the request's text was edited by @gh-eko after TU accepted it"
    assert expected in said and "(it was 'dicatat')" in said


def test_two_requests_on_github_sharing_an_agenda_number_are_named(labelled: Intake) -> None:
    """The registry refuses an agenda number another request holds; the GitHub intake replays each
    issue alone and never compared: TU recorded 045/TU/XI/2026 on two requests (the second as
    `45/tu/xi/2026`), and the register listed two letters under one number without a word. The register
    now compares the numbers normalised across issues and names the request that took one second."""
    intake = labelled
    first, second = intake.open("ani"), intake.open("ani")
    intake.comment("ani", first, "/catat\nnomor_agenda: 045/TU/XI/2026\n")
    time.sleep(1.1)  # recorded in order
    intake.comment("ani", second, "/catat\nnomor_agenda: 45/tu/xi/2026\n")
    _listed, said = register(intake)
    expected = (
        f"note: request 2026-{second:03d}: its agenda number 45/tu/xi/2026 is already request "
        f"2026-{first:03d}'s"
    )
    assert expected in said, said
    assert f"request 2026-{first:03d}: its agenda" not in said

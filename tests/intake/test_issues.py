"""The replay of a request issue (pure): what each action asks for and whether it counts."""

from __future__ import annotations

import pytest

from toolkit.gate.model import Rules
from toolkit.intake.issues import Action, IssueFacts, read_form, replay
from toolkit.intake.model import State

DAY = 1_764_500_000  # 2025-11-30, inside every current role window
FORM = (
    "### Nama OPD pemohon\n\nBKD\n\n### Nama aplikasi\n\nSIMPEG\n\n### Jenis permintaan\n\npembangunan\n\n"
    "### Nomor surat permintaan\n\n800/1/2025\n\n### Tanggal surat\n\n2025-11-20\n\n### Perihal\n\n"
    "_No response_\n\n### Ringkasan kebutuhan\n\n_No response_\n\n### Lampiran\n\nhttps://github.com/x.pdf\n"
)


pytestmark = pytest.mark.usefixtures("english")


def facts(
    *actions: Action,
    body: str = FORM,
    edited: int | None = None,
    author: str = "ani",
    confirmed: frozenset[str] = frozenset(),
) -> IssueFacts:
    opened = Action("opened", "opened", author, False, DAY)
    return IssueFacts(7, body, DAY, edited, (opened, *actions), confirmed)


def comment(login: str, body: str, at: int = 1, edited: bool = False) -> Action:
    return Action(f"comment:{at}", "comment", login, False, DAY + at, body=body, edited=edited)


def test_the_form_is_read_by_its_headings() -> None:
    answers, problems = read_form(FORM)
    assert answers["aplikasi"] == "SIMPEG" and answers["perihal"] == "" and not problems
    assert "'Nama OPD pemohon' is missing" in read_form("### Nama aplikasi\n\nX\n")[1][0]
    # a copy that GitHub does not show never becomes the record; two copies are refused
    hidden = "<!--\n### Nama aplikasi\n\nAplikasi Titipan\n-->\n" + FORM
    assert read_form(hidden) == read_form(FORM)
    doubled = FORM + "\n### Nama aplikasi\n\nAplikasi Titipan\n"
    assert "more than once" in read_form(doubled)[1][0]


def test_steps_by_command_with_logins_for_the_team(rules: Rules) -> None:
    done = replay(
        rules,
        facts(
            comment("ani", "/catat\nnomor_agenda: 45/TU", 1),
            comment("dedi", "/disposisi\nsifat: Segera", 2),
            comment("rahmat", "/disposisi\nnomor_surat_tugas: 1/ST\ntanggal_surat_tugas: 2025-11-30", 3),
            comment("budi", "/tugaskan\ntim_it_support: ['@rina']\ntim_database: [rina]", 4),
        ),
    )
    assert done.request is not None and done.request.state is State.ASSIGNED
    assert all(v.accepted for v in done.verdicts)
    assert done.request.records["05-penugasan.yaml"]["tim_it_support"] == ["rina"]
    assert done.request.records["03-disposisi-kadis.yaml"]["isi_disposisi"] == "Untuk ditindaklanjuti"


@pytest.mark.parametrize(
    ("action", "said"),
    [
        (comment("ani", "/catat"), "nomor_agenda"),  # a required field missing
        (comment("ani", "/catat 45/TU"), "lines below /catat"),
        (comment("ani", "/catat\nnomor_agenda: [unclosed"), "not 'field: value' lines"),
        (comment("ani", "/catat\n- a list"), "not 'field: value' lines"),
        (comment("ani", "/approve"), "unknown command /approve"),
        (comment("dedi", "/catat\nnomor_agenda: 45"), "dedi"),  # the Kadis is not TU
        (comment("lina", "/tugaskan\ntim_it_support: [rina]\ntim_database: [rina]"), "/catat"),
        (comment("ani", "/catat\nnomor_agenda: 45", edited=True), "edited"),
        (comment("ani", "/catat\nnomor_agenda: 45\nrahasia: x"), "unknown field 'rahasia'"),
        (comment("ani", "/catat\nnomor_agenda: " + "[" * 20_000), "not 'field: value' lines"),
        # a date ahead of the day the command is given (a mistyped year); the letter's date bounds nothing
        # here, the agency may edit it (test_attack_round5: an edit must not void what counted)
        (
            comment("ani", "/catat\nnomor_agenda: 45\ntanggal_diterima: 2026-11-30"),
            "after today (2025-11-30)",
        ),
    ],
)
def test_a_command_that_does_not_count_says_why(rules: Rules, action: Action, said: str) -> None:
    done = replay(rules, facts(action))
    assert done.request is not None and done.request.state is State.SUBMITTED
    (verdict,) = [v for v in done.verdicts if v.action is action]
    assert not verdict.accepted and said in " ".join(verdict.problems)


def test_a_letter_dated_after_the_request_was_made_is_refused(rules: Rules) -> None:
    """The form's letter date lies after the day the issue was opened (a mistyped year): not a request."""
    done = replay(rules, facts(body=FORM.replace("2025-11-20", "2026-11-20")))
    assert done.request is None
    assert any("tanggal_surat: 2026-11-20 is after today" in p for v in done.verdicts for p in v.problems)


def test_a_role_that_ended_does_not_count(rules: Rules) -> None:
    early = [comment("ani", "/catat\nnomor_agenda: 45", 1), comment("dedi", "/disposisi", 2)]
    early.append(comment("rahmat", "/disposisi\nnomor_surat_tugas: 1\ntanggal_surat_tugas: 2025-11-30", 3))
    done = replay(
        rules, facts(*early, comment("lina", "/tugaskan\ntim_it_support: [rina]\ntim_database: [rina]", 4))
    )
    assert done.request is not None and done.request.state is State.DISPOSED_KABID
    assert not done.verdicts[-1].accepted


def test_a_rejection_is_made_by_the_role_that_must_act(rules: Rules) -> None:
    assert replay(rules, facts(comment("dedi", "/tolak bukan kewenangan"))).request.state is State.SUBMITTED  # type: ignore[union-attr]
    done = replay(rules, facts(comment("ani", "/tolak Surat tidak lengkap")))
    assert done.request is not None and done.request.state is State.REJECTED
    assert done.request.records["penolakan.yaml"]["alasan"] == "Surat tidak lengkap"


def test_an_edit_after_the_acceptance_voids_it(rules: Rules) -> None:
    assert replay(rules, facts(edited=DAY)).request is None  # the edit in the second it was accepted
    later = Action("label:1", "labeled", "ani", False, DAY + 5, label="diajukan")
    assert replay(rules, facts(later, edited=DAY + 2)).request is not None


def test_an_agencys_issue_waits_for_tu_and_bots_count_for_nothing(rules: Rules) -> None:
    bot = Action("label:2", "labeled", "ani", True, DAY + 1, label="diajukan")
    done = replay(rules, facts(bot, author="opd-operator"))
    assert done.request is None and "awaiting TU" in done.verdicts[0].problems[0]
    assert len(done.verdicts) == 1


def test_a_broken_form_is_not_submitted(rules: Rules) -> None:
    done = replay(
        rules, facts(body=FORM.replace("2025-11-20", "20-11-2025").replace("https://github.com/x.pdf", ""))
    )
    assert done.request is None
    said = " ".join(done.verdicts[0].problems)
    assert "tanggal_surat" in said and "Lampiran" in said


def label(login: str, name: str, at: int) -> Action:
    return Action(f"label:{at}", "labeled", login, False, DAY + at, label=name)


def test_a_state_label_counts_by_its_ascii_name(rules: Rules) -> None:
    recorded = comment("ani", "/catat\nnomor_agenda: 45", 1)
    done = replay(rules, facts(recorded, label("dedi", "Disposisi-Kadis", 2)))
    assert done.request is not None and done.request.state is State.DISPOSED_KADIS
    kelvin = label("dedi", "disposisi-\u212aadis", 2)  # a look-alike of K is not a state label
    assert replay(rules, facts(recorded, kelvin)).request.state is State.RECORDED  # type: ignore[union-attr]


def test_an_unknown_command_is_quoted_short(rules: Rules) -> None:
    done = replay(rules, facts(comment("eko", "/" + "a" * 65_000)))
    assert len(" ".join(done.verdicts[-1].problems)) < 300


def test_what_counted_and_no_longer_does_leaves_the_issue_undecided(rules: Rules) -> None:
    rejected = comment("ani", "/tolak Surat tidak lengkap", 1)
    assert replay(rules, facts(rejected)).request.state is State.REJECTED  # type: ignore[union-attr]
    deleted = replay(rules, facts(confirmed=frozenset({rejected.key})))
    assert deleted.tampered and "deleted" in deleted.tampered[0]
    edited = replay(rules, facts(rejected._replace(edited=True), confirmed=frozenset({rejected.key})))
    assert edited.tampered and "edited" in edited.tampered[0]
    assert not replay(rules, facts(rejected, confirmed=frozenset({rejected.key, "opened"}))).tampered
    # the request's text edited after TU accepted it: the answers say so, TU accepts it again
    assert not replay(rules, facts(edited=DAY + 3, confirmed=frozenset({"opened"}))).tampered


def deleted(by: str, author: str, at: int) -> Action:
    return Action(f"deleted:{at}", "deleted", by, False, DAY + at, author=author)


def test_an_officers_comment_deleted_or_edited_by_someone_else_leaves_the_issue_undecided(
    rules: Rules,
) -> None:
    rejected = comment("ani", "/tolak Surat tidak lengkap", 1)
    # the programmer deletes the intake's answers (no marks left), then TU's rejection
    gone = replay(rules, facts(deleted("eko", "ani", 2)))
    assert gone.tampered and "deleted by @eko" in gone.tampered[0]
    assert not replay(rules, facts(deleted("ani", "ani", 2))).tampered  # TU's own
    assert not replay(rules, facts(deleted("budi", "eko", 2))).tampered  # someone else's chatter
    edited = rejected._replace(edited=True, author="ani", editor="eko")
    assert "edited by @eko" in replay(rules, facts(edited)).tampered[0]
    assert not replay(rules, facts(rejected._replace(edited=True, author="ani", editor="ani"))).tampered
    moved = Action("moved", "transferred", "budi", False, DAY + 3)
    assert "transferred" in replay(rules, facts(moved)).tampered[0]


def test_a_rejection_stays_when_the_request_is_edited_after_it(rules: Rules) -> None:
    rejected = comment("ani", "/tolak Surat tidak lengkap", 1)
    done = replay(rules, facts(rejected, edited=DAY + 5))
    assert done.request is not None and done.request.state is State.REJECTED
    again = replay(rules, facts(rejected, comment("ani", "/terima", 9), edited=DAY + 5))
    assert again.request is not None and again.request.state is State.REJECTED


def test_the_shipped_form_writes_the_headings_the_intake_reads() -> None:
    """GitHub writes each field's label as a heading into the issue: the form and FORM must agree."""
    import yaml

    from toolkit.intake.issues import FORM
    from toolkit.paths import intake_template_dir

    form = intake_template_dir() / "template" / ".github" / "ISSUE_TEMPLATE" / "permintaan-aplikasi.yml"
    fields = [item for item in yaml.safe_load(form.read_text(encoding="utf-8"))["body"] if "id" in item]
    assert [(f["id"], f["attributes"]["label"]) for f in fields] == list(FORM)
    assert yaml.safe_load(form.read_text(encoding="utf-8"))["labels"] == ["permintaan"]


@pytest.mark.parametrize("typed", ["0412", "12:30", "0x1F", "1e3", "true", "045/TU"])
def test_a_commands_value_is_recorded_as_typed(rules: Rules, typed: str) -> None:
    """YAML's implicit types read `nomor_agenda: 0412` as the octal number 266 (12:30 as 750, 0x1F as
    31): TU's agenda number would be recorded as another number, and the intake would say it counted.
    The value is the text typed, and the answer echoes it back."""
    from toolkit.intake.issues import recorded

    done = replay(rules, facts(comment("ani", f"/catat\nnomor_agenda: {typed}", 1)))
    assert done.request is not None and done.request.state is State.RECORDED
    assert done.request.records["02-pencatatan.yaml"]["nomor_agenda"] == typed
    assert f"nomor_agenda: {typed}" in recorded(done.request, "record")


def test_a_commands_fields_are_read_without_surprises(rules: Rules) -> None:
    """A key given twice (the second one would silently win) and a nesting too deep to read are refused,
    said with the line of the comment."""
    twice = replay(rules, facts(comment("ani", "/catat\nnomor_agenda: 1/TU\nnomor_agenda: 2/TU", 1)))
    assert twice.request is not None and twice.request.state is State.SUBMITTED
    assert "(line 3)" in twice.verdicts[-1].problems[0] and "duplicate key" in twice.verdicts[-1].problems[0]
    deep = replay(rules, facts(comment("ani", "/catat\nnomor_agenda: " + "[" * 5_000 + "]" * 5_000, 1)))
    assert deep.request is not None and deep.request.state is State.SUBMITTED


ASSIGNED = (
    comment("ani", "/catat\nnomor_agenda: 45/TU", 1),
    comment("dedi", "/disposisi\nsifat: Segera", 2),
    comment("rahmat", "/disposisi\nnomor_surat_tugas: 1/ST\ntanggal_surat_tugas: 2025-11-30", 3),
    comment("budi", "/tugaskan\ntim_it_support: ['@rina']\ntim_database: [rina]", 4),
)
ALL_COUNTED = frozenset({"opened", "comment:1", "comment:2", "comment:3", "comment:4"})
NO_LINK = FORM.replace("https://github.com/x.pdf", "_No response_")  # the letter's link taken out


def test_an_assigned_request_edited_validly_stays_assigned_and_noted(rules: Rules) -> None:
    done = replay(rules, facts(*ASSIGNED, body=FORM.replace("SIMPEG", "SIMPEG-2"), edited=DAY + 10))
    assert done.request is not None and done.request.state is State.ASSIGNED
    assert "edit changes nothing" in done.notes[0] and done.letter["aplikasi"] == "SIMPEG-2"


@pytest.mark.parametrize(
    "body", [NO_LINK, FORM.replace("2025-11-20", "20-11-2025")], ids=["no-link", "bad-date"]
)
def test_an_assigned_request_stays_final_when_the_agency_edits_the_form_into_an_invalid_one(
    rules: Rules, body: str
) -> None:
    """Attack: the agency (the issue's author, no role) edits the issue after the Kasi assigned the team
    and removes the letter's link (or types an invalid date). The pass "before the edit" re-read the
    edited text, TU's acceptance failed the form check and the assigned request vanished from the
    registers: no request, no note, nothing tampered. A confirmed acceptance before the edit now counts
    whatever the form says later, and the lost letter is said."""
    done = replay(rules, facts(*ASSIGNED, body=body, edited=DAY + 10, confirmed=ALL_COUNTED))
    assert done.request is not None and done.request.state is State.ASSIGNED
    assert not done.tampered
    assert "cannot be recovered" in done.notes[0] and "the form:" in done.notes[0]


def test_an_unconfirmed_acceptance_of_a_form_now_invalid_does_not_count(rules: Rules) -> None:
    """The same edit where the intake never answered TU's acceptance as counting (it may have been
    invalid then too): nothing vouches for the letter, so no request is made of it."""
    done = replay(rules, facts(*ASSIGNED, body=NO_LINK, edited=DAY + 10))
    assert done.request is None


def test_an_edit_that_breaks_an_open_request_is_never_silent(rules: Rules) -> None:
    """Attack: the same edit while the request is open (recorded by TU): the request left the registers
    with no note and nothing tampered. It still leaves them (TU accepts the edited text again), but
    says so."""
    counted = frozenset({"opened", "comment:1"})
    done = replay(rules, facts(ASSIGNED[0], body=NO_LINK, edited=DAY + 10, confirmed=counted))
    assert done.request is None and not done.tampered
    assert "after TU accepted it (it was 'dicatat')" in done.notes[0]

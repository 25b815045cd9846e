"""Every transition through the CLI: in SOP order by the right role it is accepted; otherwise refused
with a clear message (exit 1) and the registry unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import Cli, git
from tests.intake.registry_office import RegistryOffice, open_registry
from tests.office import MINIMAL_PDF
from toolkit.intake.records import agenda_key


@pytest.fixture
def office(tmp_path: Path, cli: Cli, keyring: dict[str, Path]) -> RegistryOffice:
    return open_registry(tmp_path, cli, keyring, with_server=False)


def test_every_transition_in_order_by_the_right_role(office: RegistryOffice) -> None:
    made = office.new()
    assert made.exit_code == 0, made.stderr
    assert "2026" not in made.stderr
    request_id = made.output.split(":")[0]
    assert request_id.endswith("-001")
    office.through(request_id, "assign")
    folder = office.reg / "requests" / request_id
    assert sorted(p.name for p in folder.iterdir()) == [
        "02-pencatatan.yaml",
        "03-disposisi-kadis.yaml",
        "04-disposisi-kabid.yaml",
        "05-penugasan.yaml",
        "request.yaml",
        "surat-permintaan.pdf",
    ]
    letter = yaml.safe_load((folder / "request.yaml").read_text(encoding="utf-8"))
    assert letter["nomor_surat"] == "800/12/BKD/2026" and letter["id"] == request_id
    team = yaml.safe_load((folder / "05-penugasan.yaml").read_text(encoding="utf-8"))
    assert team["tim_database"] == ["rina", "sari"]
    log = git(office.reg, "log", "--format=%an|%s").splitlines()
    assert [line.split("|")[0] for line in log[:5]] == ["Budi", "Rahmat", "Dedi", "Ani", "Ani"]
    shown = office.run("show", request_id)
    assert "team assigned" in shown.output and "Rahmat (kabid)" in shown.output
    verified = office.run("verify")
    assert verified.exit_code == 0 and "6 commits, 1 requests" in verified.output
    second = office.new()
    assert second.output.startswith(request_id[:5] + "002")


def _refused(office: RegistryOffice, args: list[str], key: str, expected: str) -> None:
    before = office.state()
    result = office.run(*args, key=key)
    assert result.exit_code == 1, result.output + result.stderr
    assert "registry is unchanged" in result.stderr or "refused" in result.stderr
    assert expected in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert office.state() == before


def test_out_of_order_is_refused(office: RegistryOffice) -> None:
    request_id = office.new().output.split(":")[0]
    _refused(
        office,
        ["assign", request_id, "--it-support", "rina", "--database", "rina"],
        "budi",
        "the next transition is 'record', not 'assign'",
    )
    _refused(office, ["dispose", request_id, "--instruction", "x"], "dedi", "awaits no disposition")
    office.through(request_id, "record")
    _refused(office, ["record", request_id, "--agenda", "9"], "ani", "the next transition is 'dispose-kadis'")


def test_the_wrong_role_is_refused(office: RegistryOffice) -> None:
    _refused(office, ["new", *office_letter(office)], "budi", "budi does not hold the role 'tu'")
    request_id = office.new().output.split(":")[0]
    _refused(office, ["record", request_id, "--agenda", "1"], "dedi", "dedi does not hold the role 'tu'")
    office.through(request_id, "record")
    _refused(
        office, ["dispose", request_id, "--instruction", "x"], "rahmat", "does not hold the role 'kadis'"
    )


def office_letter(office: RegistryOffice) -> list[str]:
    pdf = office.root / "surat.pdf"
    pdf.write_bytes(MINIMAL_PDF)
    return [
        "--opd",
        "BKD",
        "--app",
        "Simpeg",
        "--letter-no",
        "1",
        "--letter-date",
        "2026-01-02",
        "--letter",
        str(pdf),
    ]


def test_a_key_outside_the_roster_is_refused(office: RegistryOffice) -> None:
    _refused(
        office, ["new", *office_letter(office)], "outsider", "belongs to no member of the registry's roster"
    )


def test_a_role_whose_window_ended_is_refused(office: RegistryOffice) -> None:
    request_id = office.new().output.split(":")[0]
    office.through(request_id, "dispose-kabid")
    _refused(
        office,
        ["assign", request_id, "--it-support", "rina", "--database", "rina"],
        "lina",
        "lina does not hold the role 'kasi'",
    )


def test_reject_by_the_role_that_must_act_then_ends_the_request(office: RegistryOffice) -> None:
    request_id = office.new().output.split(":")[0]
    office.through(request_id, "record")
    _refused(
        office, ["reject", request_id, "--reason", "KAK belum ada"], "ani", "does not hold the role 'kadis'"
    )
    done = office.run("reject", request_id, "--reason", "KAK belum dilampirkan", key="dedi")
    assert done.exit_code == 0, done.stderr
    _refused(office, ["dispose", request_id, "--instruction", "x"], "dedi", "awaits no disposition")
    _refused(office, ["reject", request_id, "--reason", "lagi"], "dedi", "is not open")
    listed = office.cli("report", "requests", "--registry", str(office.reg), "--format", "json")
    assert '"state": "ditolak"' in listed.output


def test_bad_records_are_refused_with_the_field_named(office: RegistryOffice) -> None:
    request_id = office.new().output.split(":")[0]
    office.through(request_id, "dispose-kabid")
    _refused(
        office,
        ["assign", request_id, "--it-support", "rina", "--database", "nobody"],
        "budi",
        "tim_database: not in the roster: nobody",
    )
    before = office.state()
    bad_date = office.new(letter_date="2026-13-45")
    assert bad_date.exit_code == 1 and "is not a date like 2026-01-31" in bad_date.stderr
    assert "request.yaml:" in bad_date.stderr
    assert office.state() == before


def test_hostile_attachments_are_refused(office: RegistryOffice, tmp_path: Path) -> None:
    before = office.state()
    real = tmp_path / "real.pdf"
    real.write_bytes(MINIMAL_PDF)
    link = tmp_path / "link.pdf"
    link.symlink_to(real)
    pdf_args = [a for a in office_letter(office) if a != str(office.root / "surat.pdf")][:-1]
    result = office.run("new", *pdf_args, "--letter", str(link), key="ani")
    assert result.exit_code == 2 and "symbolic link" in result.stderr
    text = tmp_path / "letter.pdf"
    text.write_text("<?php system($_GET['c']);")
    result = office.run("new", *pdf_args, "--letter", str(text), key="ani")
    assert result.exit_code == 2 and "is not a PDF" in result.stderr
    assert office.state() == before


def test_a_dirty_registry_is_refused(office: RegistryOffice) -> None:
    (office.reg / "catatan.txt").write_text("x")
    result = office.new()
    assert result.exit_code == 2 and "uncommitted changes" in result.stderr


def test_an_agenda_number_is_kept_as_typed(office: RegistryOffice) -> None:
    """`nomor_agenda: 0412` in a record file is the number 412 to YAML (0o412, 12:30 and 0x1F are
    numbers too): TU's signed record would list another agenda number than the one typed. A record's
    values are read as the text written; the CLI writes them quoted, a hand-made record is read as is."""
    import json

    typed = office.new().output.split(":")[0]
    assert office.run("record", typed, "--agenda", "0412", key="ani").exit_code == 0
    by_hand = office.new().output.split(":")[0]
    record = b"nomor_agenda: 0x1F\ntanggal_diterima: 2026-03-03\n"
    names = {
        "Sop-Request": by_hand,
        "Sop-Transition": "record",
        "Sop-Step": "pencatatan-surat",
        "Sop-Role": "tu",
        "Sop-Digest": "auto",
    }
    office.craft({f"requests/{by_hand}/02-pencatatan.yaml": record}, names, "ani")
    assert office.run("verify").exit_code == 0
    listed = office.cli("report", "requests", "--registry", str(office.reg), "--format", "json")
    agenda = {row["id"]: row["nomor_agenda"] for row in json.loads(listed.stdout)}
    assert agenda == {typed: "0412", by_hand: "0x1F"}


@pytest.mark.parametrize("second", ["ag-412", "AG-00412", "ＡＧ-４１２"])
def test_an_agenda_number_is_taken_once_however_it_is_written(office: RegistryOffice, second: str) -> None:
    """TU records one letter as AG-0412, and another as `ag-412`, `AG-00412` or in full-width letters:
    the registry compared the exact text, so one agenda number stood for two letters. Numbers are
    compared normalised (NFKC, case folded, leading zeros of digits dropped)."""
    assert office.new().exit_code == 0
    assert office.new().exit_code == 0
    first, other = sorted(p.name for p in (office.reg / "requests").iterdir())
    assert office.run("record", first, "--agenda", "AG-0412", key="ani").exit_code == 0
    before = office.state()
    twice = office.run("record", other, "--agenda", second, key="ani")
    assert twice.exit_code == 1 and f"already request {first}'s" in twice.stderr, twice.stderr
    assert office.state() == before
    assert office.run("record", other, "--agenda", "AG-0413", key="ani").exit_code == 0


@pytest.mark.parametrize(
    "one, other",
    [
        ("AG\u2010412", "AG-412"),  # U+2010 HYPHEN: looks the same, NFKC keeps it
        ("AG\u2212412", "AG-412"),  # the minus sign
        ("AG\ufe58412", "AG-412"),  # the small em dash
        ("AG-\u0664\u0661\u0662", "AG-412"),  # Arabic-Indic digits: decimal digits NFKC keeps
        ("AG-41\u0662", "AG-0412"),
        ("AG-\u096a\u0967\u0968", "AG-412"),  # Devanagari
    ],
)
def test_agenda_numbers_that_look_or_count_the_same_are_one(one: str, other: str) -> None:
    """Attack: TU (or anyone writing a `/catat` comment) records a letter's agenda number again with a
    hyphen look-alike or another script's digits, so the one number stands for two letters."""
    assert agenda_key(one) == agenda_key(other)


@pytest.mark.parametrize(
    "one, other", [("AG-1\u00b2", "AG-12"), ("AG-1\u2082", "AG-12"), ("AG-\u2460", "AG-1")]
)
def test_agenda_numbers_that_differ_are_not_one(one: str, other: str) -> None:
    """Attack: NFKC turned the superscript ² (a sub-number) into 2, so "AG-1²" was taken for "AG-12"
    and refused as a number already taken (the same for subscripts and circled digits)."""
    assert agenda_key(one) != agenda_key(other)

"""``sopkit request scaffold`` (an assigned request becomes an application repository with steps 1-5 in
place) and ``sopkit report requests`` (the registers of steps 2-4)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import Cli, git
from tests.intake.registry_office import RegistryOffice, open_registry
from tests.office import MINIMAL_PDF


@pytest.fixture
def office(tmp_path: Path, cli: Cli, keyring: dict[str, Path]) -> RegistryOffice:
    return open_registry(tmp_path, cli, keyring, with_server=False)


def test_scaffold_puts_steps_1_to_5_in_place_and_officers_sign_again(
    office: RegistryOffice, cli: Cli
) -> None:
    request_id = office.new(summary="Aplikasi kepegawaian untuk 3.000 ASN").output.split(":")[0]
    early = office.run("scaffold", request_id, "--dest", str(office.root / "early"))
    assert early.exit_code == 1 and "only an assigned request" in early.stderr
    assert not (office.root / "early").exists()
    office.through(request_id, "assign")
    app = office.root / "app"
    made = office.run("scaffold", request_id, "--dest", str(app))
    assert made.exit_code == 0, made.stderr
    assert (app / "docs/01-permintaan/surat-permintaan.pdf").read_bytes() == MINIMAL_PDF
    assert (app / "docs/04-disposisi-kabid/surat-tugas.md").read_text().count("090/ST/2026") >= 1
    archive = (app / "docs/02-surat-masuk/arsip-surat-masuk.md").read_text()
    assert f'nomor_agenda: "AG-{request_id}"' in archive and "[[ISI" not in archive
    team = (app / "docs/05-penugasan-tim/penugasan.md").read_text()
    assert 'kasi: "Budi"' in team and 'tim_database: "Rina, Sari"' in team
    kadis = (app / "docs/03-disposisi-kadis/disposisi.md").read_text()
    assert "- [x] Untuk ditindaklanjuti" in kadis
    answers = (app / ".copier-answers.yml").read_text()
    assert f"request_id: {request_id}" in answers and "request_letter_no: 800/12/BKD/2026" in answers
    assert "step 4: docs/04-disposisi-kabid/surat-tugas.md" in made.output  # the NIPs are the team's to add
    message = git(app, "log", "-1", "--format=%B")
    assert f"Sop-Request: {request_id}" in message and "assign: " in message
    # steps 1 and 2 need nothing more from the team: their officer signs them off again in the app repository
    roster = ("--policy", str(app / ".sop/sop.yaml"), "--roster", str(app / ".sop/roster.yaml"))
    for step, key in (("1", "ani"), ("2", "ani")):
        signed = cli(
            "signoff",
            step,
            "--role",
            "tu",
            "--repo",
            str(app),
            "--key",
            str(office.keys[key]),
            *roster,
            lang="en",
        )
        assert signed.exit_code == 0, signed.stderr
    state = cli("gate", "check", "--repo", str(app), "--format", "json", lang="en")
    steps = {s["no"]: s["status"] for s in json.loads(state.output)["steps"]}
    assert steps[1] == "complete" and steps[2] == "complete" and steps[3] == "unfilled"


def test_scaffold_refuses_an_unknown_request(office: RegistryOffice) -> None:
    result = office.run("scaffold", "2026-404")
    assert result.exit_code == 2 and "there is no request 2026-404" in result.stderr


def test_the_registers(office: RegistryOffice) -> None:
    first = office.new(letter_date="2026-02-01").output.split(":")[0]
    second = office.new(letter_date="2026-04-10", opd="=HYPERLINK(evil)").output.split(":")[0]
    office.through(first, "dispose-kadis")
    table = office.cli("report", "requests", "--registry", str(office.reg))
    assert table.exit_code == 0
    line = next(line for line in table.output.splitlines() if line.startswith(first))
    assert f"AG-{first}" in line and "Rahmat" in line  # who must act next, by name
    assert "Ani" in next(line for line in table.output.splitlines() if line.startswith(second))
    data = json.loads(
        office.cli("report", "requests", "--registry", str(office.reg), "--format", "json").output
    )
    assert [r["id"] for r in data] == [first, second]
    assert data[0]["state"] == "disposisi-kadis" and data[1]["state"] == "diajukan"
    period = office.cli(
        "report",
        "requests",
        "--registry",
        str(office.reg),
        "--format",
        "json",
        "--from",
        "2026-03-01",
        "--to",
        "2026-12-31",
    )
    assert [r["id"] for r in json.loads(period.output)] == [second]
    rows = list(
        csv.DictReader(
            io.StringIO(
                office.cli("report", "requests", "--registry", str(office.reg), "--format", "csv").output
            )
        )
    )
    assert rows[1]["opd"].startswith("'=")  # a spreadsheet does not run it
    markdown = office.cli("report", "requests", "--registry", str(office.reg), "--format", "markdown")
    assert markdown.output.startswith("| ID | No. agenda |")
    bad = office.cli("report", "requests", "--registry", str(office.reg), "--from", "kemarin")
    assert bad.exit_code == 2 and "--from kemarin" in bad.stderr


def test_the_markdown_register_carries_no_html_and_no_link(office: RegistryOffice) -> None:
    """The agency's letter (the form on GitHub, TU's typing here) names the OPD `<img src=x onerror=...>`
    and the application `[klik](javascript:alert(1))`: the Markdown register escaped only `|` and new
    lines, so wherever it is rendered the HTML ran and the link was there to click. Its cells are now
    those of the status table: no HTML, no link, no cell broken."""
    made = office.new(opd="<img src=x onerror=alert(1)>", app="[klik](javascript:alert(1)) | x\\|y")
    assert made.exit_code == 0, made.stderr
    shown = office.cli("report", "requests", "--registry", str(office.reg), "--format", "markdown").output
    row = shown.splitlines()[2]
    assert "<img" not in shown and "&lt;img src=x onerror=alert(1)&gt;" in row
    assert "](" not in shown.replace("\\](", "") and "\\[klik\\](javascript:alert(1))" in row
    assert row.count(" | ") == shown.splitlines()[0].count(" | ")  # the | typed does not end a cell


def test_scaffold_reads_what_was_verified_not_a_replace_object(office: RegistryOffice) -> None:
    """A programmer with push access to the registry clone adds `refs/replace/*` objects for the policy
    and the request letter: the registry is verified as stored (replace objects off), but scaffold read
    both with a plain `git cat-file` (replace objects on), so the application started with a weakened
    policy and another letter. It now reads the verified commit through the project's git runner."""
    request_id = office.new().output.split(":")[0]
    office.through(request_id, "assign")
    letter = f"requests/{request_id}/surat-permintaan.pdf"
    weak = (office.reg / ".sop/sop.yaml").read_bytes() + b"\n# WEAKENED\n"
    forged = MINIMAL_PDF.replace(b"%%EOF", b"%FORGED\n%%EOF")
    for path, content in ((".sop/sop.yaml", weak), (letter, forged)):
        args = ["git", "hash-object", "-w", "--stdin"]
        written = subprocess.run(args, cwd=office.reg, input=content, capture_output=True, check=True)
        stand_in = written.stdout.decode().strip()
        git(office.reg, "replace", git(office.reg, "rev-parse", f"HEAD:{path}").strip(), stand_in)
    assert office.run("verify").exit_code == 0
    app = office.root / "app"
    made = office.run("scaffold", request_id, "--dest", str(app))
    assert made.exit_code == 0, made.stderr
    assert b"WEAKENED" not in (app / ".sop/sop.yaml").read_bytes()
    assert (app / "docs/01-permintaan/surat-permintaan.pdf").read_bytes() == MINIMAL_PDF

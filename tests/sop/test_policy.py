"""The office's own sop.yaml: faithful to the seed SOP, valid, and documented in docs/sop.md."""

from __future__ import annotations

import json

from tests.conftest import ROOT, Cli
from toolkit import sop
from toolkit.i18n import set_language
from toolkit.sop import render

SEED_ROLES = {
    "opd",
    "tu",
    "kadis",
    "kabid",
    "kasi",
    "it-support",
    "database",
    "web-designer",
    "web-programmer",
    "security",
    "pengendalian",
}


def test_office_policy_is_valid(cli: Cli) -> None:
    result = cli("sop", "validate", str(ROOT / "sop.yaml"))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.endswith("sah (17 langkah, 11 peran, 4 dokumen)\n")


def test_json_lists_the_seventeen_steps_with_roles_and_documents(cli: Cli) -> None:
    result = cli("sop", "show", str(ROOT / "sop.yaml"), "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [s["no"] for s in data["steps"]] == list(range(1, 18))
    assert set(data["roles"]) == SEED_ROLES
    assert {d["no"]: d["title"] for d in data["documents"].values()} == {
        1: "Surat Permintaan Aplikasi",
        2: "KAK dan Data",
        3: "Surat Tugas",
        4: "Nota Dinas",
    }
    step = data["steps"][13]
    assert step["id"] == "uji-keamanan"
    assert step["signoffs"] == ["security"]
    assert {"path": "docs/14-uji-keamanan/laporan-uji-keamanan.md", "kind": "markdown"}.items() <= step[
        "artefacts"
    ][0].items()
    for s in data["steps"]:
        assert set(s) >= {"no", "id", "title", "actors", "requires", "artefacts", "signoffs"}


def test_policy_follows_the_seed() -> None:
    model = sop.load(ROOT / "sop.yaml")
    assert model.step(14).actors == ("security",)
    assert model.step(15).produces == ("nota-dinas",)
    assert model.step(6).inputs == ("kak-data",)
    # every document of the seed is produced or taken in; the release needs 1..14
    assert [model.step(s).no for s in model.release_gate.requires] == list(range(1, 15))
    assert {model.step(s).gate for s in model.code_gate.requires} == {"design"}
    # the seed's "Waktu" column is empty: time limits are the office's setting, none by default
    assert not any(s.time_limit_days for s in model.steps)


def test_step_12_meets_the_agency_while_step_11_is_under_way() -> None:
    model = sop.load(ROOT / "sop.yaml")
    assert model.step(12).requires == () and model.step(12).requires_started == ("pemrograman",)
    # the security test still needs programming complete, and so does a release
    assert "pemrograman" in model.step(14).requires and "pemrograman" in model.release_gate.requires


def test_step_6_requires_the_meeting_documentation_and_the_agencys_own_kak() -> None:
    artefacts = {a.path: a for a in sop.load(ROOT / "sop.yaml").step(6).artefacts}
    photos = artefacts["docs/06-rapat-kebutuhan/dokumentasi/*"]
    assert (photos.kind, photos.optional) == ("image", False)
    kak = artefacts["docs/06-rapat-kebutuhan/kak-opd.pdf"]
    assert (kak.kind, kak.optional) == ("pdf", False)
    notulen = artefacts["docs/06-rapat-kebutuhan/notulen.md"]
    assert {"waktu", "pimpinan_rapat", "notulis"} <= set(notulen.fields)


def test_step_11s_program_is_checked() -> None:
    model = sop.load(ROOT / "sop.yaml")
    assert model.step(11).produces_code
    assert [s.no for s in model.steps if s.produces_code] == [11]


def test_steps_5_and_17_name_the_team_members_the_seed_lists() -> None:
    model = sop.load(ROOT / "sop.yaml")
    (assignment,) = model.step(5).artefacts
    # the seed: the Kasi forwards the letter to the assigned team and tasks the database team
    assert {
        "kasi",
        "tim_it_support",
        "tim_database",
        "web_desainer",
        "web_programmer",
        "tim_sekuriti",
    } <= set(assignment.fields)
    record = next(a for a in model.step(17).artefacts if a.path.endswith("berita-acara.md"))
    # the seed: the IT support management team and the Kasi discuss with the agency and train its users
    assert {"kasi", "tim_it_support", "wakil_opd_nama", "keputusan_opd"} <= set(record.fields)
    assert any(a.path.endswith("berita-acara.pdf") and a.kind == "pdf" for a in model.step(17).artefacts)
    assert model.step(17).actors == ("it-support", "kasi", "opd")


def test_the_policy_says_where_it_interprets_the_seed() -> None:
    model = sop.load(ROOT / "sop.yaml")
    assert {s.no for s in model.steps if s.note} >= {6, 11, 12, 14, 17}
    page = (ROOT / "docs" / "sop.md").read_text(encoding="utf-8")
    assert "## Tafsiran kebijakan ini atas SOP" in page and "11 (berjalan)" in page


def test_english_titles(cli: Cli) -> None:
    result = cli("--lang", "en", "sop", "show", str(ROOT / "sop.yaml"), "--format", "json")
    data = json.loads(result.stdout)
    assert data["steps"][6]["title"] == "Requirements analysis"


def test_docs_page_is_up_to_date() -> None:
    set_language("id")
    expected = render.as_markdown(sop.load(ROOT / "sop.yaml"))
    actual = (ROOT / "docs" / "sop.md").read_text(encoding="utf-8")
    assert actual == expected, (
        "docs/sop.md is out of date: run  sopkit sop show --format markdown > docs/sop.md"
    )


def test_table_and_diagram(cli: Cli) -> None:
    table = cli("sop", "show", str(ROOT / "sop.yaml"))
    assert table.exit_code == 0
    assert "laporan-uji-keamanan.md" in table.stdout
    assert "Tim Sekuriti Aplikasi" in table.stdout  # the role legend
    diagram = cli("sop", "diagram", str(ROOT / "sop.yaml"))
    lines = diagram.stdout.splitlines()
    assert lines[0] == "flowchart TD"
    assert '  subgraph lane_security["Tim Sekuriti Aplikasi"]' in lines
    assert "  s13 --> s14" in lines and "  s8 --> s10" in lines and "  s9 --> s10" in lines
    assert "  s11 -.-> s12" in lines  # step 12 needs step 11 under way, not complete
    assert sum(1 for line in lines if "-->" in line or "-.->" in line) == 18  # one edge per dependency


def test_schema_command_prints_a_valid_schema(cli: Cli) -> None:
    from jsonschema import Draft202012Validator

    result = cli("sop", "schema")
    schema = json.loads(result.stdout)
    Draft202012Validator.check_schema(schema)
    first_line = (ROOT / "sop.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=sop.schema.json"
    assert (ROOT / "sop.schema.json").resolve() == (ROOT / "sop.yaml").resolve().parent / "sop.schema.json"

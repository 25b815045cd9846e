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
    # every step but the agency's own letter has a time limit the Kasi can track
    assert all(s.time_limit_days for s in model.steps[1:])


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
    assert sum(1 for line in lines if "-->" in line) == 17  # one edge per dependency


def test_schema_command_prints_a_valid_schema(cli: Cli) -> None:
    from jsonschema import Draft202012Validator

    result = cli("sop", "schema")
    schema = json.loads(result.stdout)
    Draft202012Validator.check_schema(schema)
    first_line = (ROOT / "sop.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=sop.schema.json"
    assert (ROOT / "sop.schema.json").resolve() == (ROOT / "sop.yaml").resolve().parent / "sop.schema.json"

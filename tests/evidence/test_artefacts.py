"""Artefact checks on in-memory snapshots: what counts as filled in, and what is refused."""

from __future__ import annotations

import pytest

from toolkit.demo import MINIMAL_PDF
from toolkit.evidence.artefacts import check_artefact, suspicious_names
from toolkit.evidence.model import ArtefactState, Entry, Snapshot
from toolkit.sop.model import Artefact, Settings

SETTINGS = Settings(placeholder="[[ISI", max_artefact_bytes=1000)
DOC = Artefact("docs/a.md", "markdown", sections=("Latar Belakang", "Tujuan"), fields=("nomor",))


def snapshot(files: dict[str, bytes], mode: str = "100644") -> tuple[Snapshot, dict[str, bytes]]:
    entries = {p: Entry(p, mode, "blob", f"{i:040x}", len(b)) for i, (p, b) in enumerate(files.items())}
    return Snapshot("x", entries), {entries[p].sha: b for p, b in files.items()}


def check(artefact: Artefact, files: dict[str, bytes], mode: str = "100644") -> tuple[ArtefactState, str]:
    snap, contents = snapshot(files, mode)
    result = check_artefact(artefact, snap, contents, SETTINGS)
    return result.state, " | ".join(result.reasons)


FILLED = b"---\nnomor: 800/1\n---\n# Judul\n\n## 1. Latar Belakang\n\nIsi.\n\n## Tujuan\n\nIsi juga.\n"


def test_a_filled_document_is_present() -> None:
    assert check(DOC, {"docs/a.md": FILLED}) == (ArtefactState.PRESENT, "")


@pytest.mark.parametrize(
    ("text", "state", "reason"),
    [
        (
            FILLED.replace(b"Isi juga.", b"[[ISI: tujuan]]"),
            ArtefactState.UNFILLED,
            "line 12 still has the template",
        ),
        (
            FILLED.replace(b"## Tujuan\n\nIsi juga.\n", b""),
            ArtefactState.UNFILLED,
            "section 'Tujuan' is missing",
        ),
        (FILLED.replace(b"Isi juga.\n", b""), ArtefactState.UNFILLED, "section 'Tujuan' is empty"),
        (
            FILLED.replace(b"nomor: 800/1", b"nomor: ''"),
            ArtefactState.UNFILLED,
            "field 'nomor' is not filled",
        ),
        (FILLED.replace(b"---\nnomor: 800/1\n---\n", b""), ArtefactState.UNFILLED, "has no front matter"),
        (
            FILLED.replace(b"## Tujuan", b"```\n## Tujuan\n```"),
            ArtefactState.UNFILLED,
            "section 'Tujuan' is missing",
        ),
        (  # "    ```" is indented code, not a fence: it hides no empty section
            FILLED.replace(b"## Tujuan\n\nIsi juga.\n", b"    ```\n\n## Tujuan\n\n## Lain\n\n```\nx\n```\n"),
            ArtefactState.UNFILLED,
            "section 'Tujuan' is empty",
        ),
        (  # "```a`b" is no fence: the section below it is a real, empty one
            FILLED.replace(b"## Tujuan\n\nIsi juga.\n", b"```a`b\n\n## Tujuan\n"),
            ArtefactState.UNFILLED,
            "section 'Tujuan' is empty",
        ),
        (  # a heading in a quote or indented as code is no heading of the document
            FILLED.replace(b"## Tujuan", b"> ## Tujuan"),
            ArtefactState.UNFILLED,
            "section 'Tujuan' is missing",
        ),
        (  # a comment is shown as nothing
            FILLED.replace(b"Isi juga.", b"<!-- Isi juga. -->"),
            ArtefactState.UNFILLED,
            "section 'Tujuan' is empty",
        ),
        (b"\x00\x01binary", ArtefactState.INVALID, "is not UTF-8 text"),
        (b"", ArtefactState.INVALID, "is empty"),
        (b"x" * 1001, ArtefactState.INVALID, "more than the limit of 1000"),
    ],
)
def test_markdown_that_is_not_filled_in(text: bytes, state: ArtefactState, reason: str) -> None:
    got_state, reasons = check(DOC, {"docs/a.md": text})
    assert got_state is state
    assert reason in reasons


@pytest.mark.parametrize(
    "text",
    [
        FILLED.replace(b"## Tujuan", b"Tujuan\n------"),  # a setext heading is a heading
        FILLED.replace(b"Isi juga.", b"| a | b |\n|---|---|\n| 1 | 2 |"),
        FILLED.replace(b"Isi juga.", b"![diagram](uml/kelas.png)"),
        FILLED.replace(b"## Tujuan\n\nIsi juga.", b"## Tujuan\n\n```\n# bukan judul\n```"),
        FILLED.replace(b"Isi.\n", b"Isi.\n\n    ```\n"),  # indented code opens no fence
    ],
    ids=["setext heading", "a table", "an image", "a fence holding a '#' line", "indented fence"],
)
def test_sections_read_as_rendered(text: bytes) -> None:
    assert check(DOC, {"docs/a.md": text}) == (ArtefactState.PRESENT, "")


def test_missing_and_lookalike_names() -> None:
    state, reasons = check(DOC, {"Docs/A.md": FILLED})
    assert state is ArtefactState.MISSING
    assert "'Docs/A.md' differs only in letter case" in reasons


def test_symlinks_never_count() -> None:
    assert check(DOC, {"docs/a.md": b"/etc/passwd"}, mode="120000")[0] is ArtefactState.INVALID


@pytest.mark.parametrize(
    ("kind", "content", "ok"),
    [
        ("pdf", MINIMAL_PDF, True),
        ("pdf", b"%PDF-1.7 but cut short", False),
        ("image", b"\x89PNG\r\n\x1a\n....", True),
        ("image", b"<svg onload=alert(1)>", False),
        ("sql", b"-- skema\nCREATE TABLE t (id int);\n", True),
        ("sql", b"-- only a comment\n", False),
        ("uml", b"@startuml\nA -> B\n@enduml\n", True),
        ("uml", b"erDiagram\n  A ||--o{ B : has\n", True),
        ("uml", b"just words\n", False),
        ("any", b"whatever", True),
    ],
)
def test_kinds(kind: str, content: bytes, ok: bool) -> None:
    artefact = Artefact("docs/f", kind)  # type: ignore[arg-type]
    state, _reasons = check(artefact, {"docs/f": content})
    assert (state is ArtefactState.PRESENT) is ok


def test_glob_artefacts_skip_hidden_files_and_check_each_match() -> None:
    uml = Artefact("docs/uml/*.puml", "uml")
    assert check(uml, {"docs/uml/.gitkeep": b""})[0] is ArtefactState.MISSING
    state, reasons = check(uml, {"docs/uml/a.puml": b"@startuml\n@enduml\n", "docs/uml/b.puml": b"no"})
    assert state is ArtefactState.INVALID and "docs/uml/b.puml" in reasons


def test_suspicious_names() -> None:
    snap, _ = snapshot({"docs/a.md": b"x", "docs/A.md": b"y", "src/ok.py": b"z", "src/bad\u202e.py": b"w"})
    problems = suspicious_names(["docs/A.md", "src/bad\u202e.py", "src/ok.py"], snap)
    assert problems == [
        ("name.case-twin", {"name": "docs/A.md", "other": "docs/a.md"}),
        ("name.invisible", {"name": "src/bad\\u202e.py"}),
    ]


def test_lookalikes_are_found_among_many_names_and_in_unicode_form() -> None:
    many = {f"src/m{i:04d}.py": b"x" for i in range(3000)}
    state, reasons = check(DOC, {**many, "DOCS/a.MD": FILLED, "zzz.py": b"x"})
    assert state is ArtefactState.MISSING and "'DOCS/a.MD' differs only in letter case" in reasons
    state, reasons = check(DOC, {**many, "ｄｏｃｓ/a.md": FILLED})  # fullwidth letters: NFKC folds them
    assert "'ｄｏｃｓ/a.md' differs only in letter case or Unicode form" in reasons
    assert check(DOC, many)[1] == "docs/a.md is missing"


def test_only_the_snapshots_own_names_are_judged() -> None:
    snap, _ = snapshot({"docs/a.md": b"x", "docs/A.md": b"y"})
    assert suspicious_names(["docs/gone\u202e.md"], snap) == []  # deleted: not in the snapshot
    assert len(suspicious_names(["docs/a.md", "docs/A.md"], snap)) == 2


def test_windows_line_endings_do_not_unfill_a_document() -> None:
    assert check(DOC, {"docs/a.md": FILLED.replace(b"\n", b"\r\n")}) == (ArtefactState.PRESENT, "")


# --- filled means filled: the template's examples count as not filled in ----------------------------------

EXAMPLE_SQL = (
    b"-- Skema basis data.\n-- [[CONTOH: tabel contoh; ganti dan hapus kedua tanda ini\n"
    b"CREATE TABLE contoh (id BIGINT PRIMARY KEY);\n-- CONTOH]]\n"
)


@pytest.mark.parametrize(
    ("artefact", "content"),
    [
        (Artefact("docs/skema.sql", "sql"), EXAMPLE_SQL),
        (
            Artefact("docs/erd.puml", "uml"),
            b"@startuml\n' [[CONTOH: entitas\nentity contoh\n' CONTOH]]\n@enduml\n",
        ),
        (
            DOC,
            FILLED.replace(
                b"Isi juga.", b"<!-- [[CONTOH -->\n| a | b |\n|---|---|\n| 1 | 2 |\n<!-- CONTOH]] -->"
            ),
        ),
    ],
    ids=["sample CREATE TABLE", "sample diagram", "sample table rows"],
)
def test_the_templates_example_is_not_filled_in(artefact: Artefact, content: bytes) -> None:
    state, reasons = check(artefact, {artefact.path: content})
    assert state is ArtefactState.UNFILLED
    assert "still hold the template's example (marked [[CONTOH ... CONTOH]])" in reasons


@pytest.mark.parametrize(
    "content",
    [
        EXAMPLE_SQL.replace(b"-- CONTOH]]\n", b""),  # the start mark left
        EXAMPLE_SQL.replace(b"-- [[CONTOH: tabel contoh; ganti dan hapus kedua tanda ini\n", b""),  # the end
        EXAMPLE_SQL.replace(b"[[CONTOH", b"[[contoh").replace(b"CONTOH]]", b"contoh]]"),  # any letter case
        EXAMPLE_SQL.replace(b"[[CONTOH", b"[[ Contoh").replace(b"CONTOH]]", b"Contoh ]]"),  # spaces inside
    ],
    ids=["start mark", "end mark", "lower case", "spaces"],
)
def test_either_mark_left_keeps_it_unfilled(content: bytes) -> None:
    assert check(Artefact("docs/skema.sql", "sql"), {"docs/skema.sql": content})[0] is ArtefactState.UNFILLED


def test_the_real_content_without_marks_is_present() -> None:
    real = b"-- Skema basis data.\nCREATE TABLE pegawai (nip CHAR(18) PRIMARY KEY);\n"
    assert check(Artefact("docs/skema.sql", "sql"), {"docs/skema.sql": real}) == (ArtefactState.PRESENT, "")


def test_every_example_of_the_template_is_marked_and_read_as_unfilled() -> None:
    """The shipped SQL and UML templates hold examples only between marks: as shipped they are unfilled,
    and once the marked lines are replaced they are present."""
    from toolkit.paths import template_dir

    examples = sorted((template_dir() / "template" / "docs").rglob("*.puml")) + sorted(
        (template_dir() / "template" / "docs").rglob("*.sql.jinja")
    )
    assert len(examples) >= 5
    for file in examples:
        kind = "sql" if file.name.endswith(".sql.jinja") else "uml"
        text = file.read_text(encoding="utf-8").replace("{{ app_name }}", "SIMPEG")
        artefact = Artefact(f"docs/x.{kind}", kind)
        assert check(artefact, {artefact.path: text.encode()})[0] is ArtefactState.UNFILLED, file
        lines = text.splitlines()
        start = next(i for i, line in enumerate(lines) if "[[CONTOH" in line)
        end = next(i for i, line in enumerate(lines) if "CONTOH]]" in line)
        real = "CREATE TABLE pegawai (nip CHAR(18));" if kind == "sql" else "A -> B"
        replaced = "\n".join([*lines[:start], real, *lines[end + 1 :]]) + "\n"
        assert check(artefact, {artefact.path: replaced.encode()})[0] is ArtefactState.PRESENT, file

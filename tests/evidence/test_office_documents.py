"""The office's own policy read against its own template: what steps 5, 6 and 17 must hold before they
count as done (the team named, the meeting documented, the agency's KAK and acceptance kept)."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT
from toolkit import sop
from toolkit.demo import MINIMAL_PDF, filled
from toolkit.evidence.artefacts import check_step
from toolkit.evidence.model import ArtefactState, Entry, Snapshot
from toolkit.paths import template_dir

POLICY = sop.load(ROOT / "sop.yaml")
DOCS = template_dir() / "template"
PHOTO = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def rendered(path: str) -> bytes:
    """A template document filled in as its team would (every placeholder replaced)."""
    source = DOCS / f"{path}.jinja"
    text = (
        source.read_text(encoding="utf-8") if source.exists() else (DOCS / path).read_text(encoding="utf-8")
    )
    for name, value in (("app_name", "SIMPEG"), ("opd", "Badan Kepegawaian Daerah")):
        text = text.replace("{{ " + name + " }}", value)
    return filled(text).encode()


def states(step_no: int, files: dict[str, bytes]) -> dict[str, tuple[ArtefactState, tuple[str, ...]]]:
    entries = {p: Entry(p, "100644", "blob", f"{i:040x}", len(b)) for i, (p, b) in enumerate(files.items())}
    snapshot = Snapshot("x", entries)
    contents = {entries[p].sha: b for p, b in files.items()}
    checks = check_step(POLICY.step(step_no), snapshot, contents, POLICY.settings)
    return {c.pattern: (c.state, c.reasons) for c in checks if not (c.optional and c.paths == ())}


STEP_6 = {
    "docs/06-rapat-kebutuhan/notulen.md": rendered("docs/06-rapat-kebutuhan/notulen.md"),
    "docs/06-rapat-kebutuhan/kak.md": rendered("docs/06-rapat-kebutuhan/kak.md"),
    "docs/06-rapat-kebutuhan/kak-opd.pdf": MINIMAL_PDF,
    "docs/06-rapat-kebutuhan/surat-pernyataan.pdf": MINIMAL_PDF,
    "docs/06-rapat-kebutuhan/hasil-analisa.md": rendered("docs/06-rapat-kebutuhan/hasil-analisa.md"),
    "docs/06-rapat-kebutuhan/dokumentasi/rapat-1.png": PHOTO,
}


def test_step_6_filled_in_is_present() -> None:
    assert {s for s, _r in states(6, STEP_6).values()} == {ArtefactState.PRESENT}


def test_step_6_needs_the_meeting_photos_and_the_agencys_kak() -> None:
    for missing in ("docs/06-rapat-kebutuhan/dokumentasi/rapat-1.png", "docs/06-rapat-kebutuhan/kak-opd.pdf"):
        found = states(6, {p: b for p, b in STEP_6.items() if p != missing})
        assert ArtefactState.MISSING in {s for s, _r in found.values()}, missing


def test_step_5_names_every_member_of_the_team() -> None:
    path = "docs/05-penugasan-tim/penugasan.md"
    ((state, _reasons),) = states(5, {path: rendered(path)}).values()
    assert state is ArtefactState.PRESENT
    unnamed = rendered(path).replace(b'tim_sekuriti: "Isi sebenarnya"', b'tim_sekuriti: ""')
    ((state, reasons),) = states(5, {path: unnamed}).values()
    assert state is ArtefactState.UNFILLED
    assert reasons == (f"{path}: front-matter field 'tim_sekuriti' is not filled in",)


def test_step_17_needs_the_agencys_acceptance_on_record() -> None:
    files = {
        f"docs/17-uji-coba/{name}": rendered(f"docs/17-uji-coba/{name}")
        for name in ("dokumen-uji-coba.md", "berita-acara.md", "panduan-pengguna.md")
    }
    files["docs/17-uji-coba/berita-acara.pdf"] = MINIMAL_PDF
    assert {s for s, _r in states(17, files).values()} == {ArtefactState.PRESENT}
    unsigned = {p: b for p, b in files.items() if not p.endswith(".pdf")}
    assert states(17, unsigned)["docs/17-uji-coba/berita-acara.pdf"][0] is ArtefactState.MISSING
    record = "docs/17-uji-coba/berita-acara.md"
    undecided = {
        **files,
        record: files[record].replace(b'keputusan_opd: "Diterima"', b"keputusan_opd:"),
    }
    state, reasons = states(17, undecided)[record]
    assert state is ArtefactState.UNFILLED and "keputusan_opd" in reasons[0]


@pytest.mark.parametrize("decision", ["Belum diterima", "DITOLAK", "Tidak diterima", "Diterima?", "ya"])
def test_step_17_is_not_complete_unless_the_agency_accepts(decision: str) -> None:
    record = "docs/17-uji-coba/berita-acara.md"
    text = rendered(f"docs/17-uji-coba/{record.rsplit('/', 1)[1]}")
    assert b'keputusan_opd: "Diterima"' in text
    state, reasons = states(17, {record: text.replace(b'"Diterima"', f'"{decision}"'.encode())})[record]
    assert state is ArtefactState.UNFILLED
    assert reasons == (
        f"{record}: front-matter field 'keputusan_opd' is '{decision}'; it must be one of: "
        "Diterima / Diterima dengan catatan",
    )


@pytest.mark.parametrize(
    "decision", ["Diterima", "diterima", "Diterima  dengan catatan", "DITERIMA DENGAN CATATAN"]
)
def test_step_17_accepts_either_form_of_acceptance(decision: str) -> None:
    record = "docs/17-uji-coba/berita-acara.md"
    text = rendered(record).replace(b'"Diterima"', f'"{decision}"'.encode())
    state, reasons = states(17, {record: text})[record]
    assert state is ArtefactState.PRESENT, reasons


def test_a_duplicated_front_matter_field_is_not_read_either_way() -> None:
    record = "docs/17-uji-coba/berita-acara.md"
    text = rendered(record).replace(
        b'keputusan_opd: "Diterima"', b'keputusan_opd: "Belum diterima"\nkeputusan_opd: "Diterima"'
    )
    state, reasons = states(17, {record: text})[record]
    assert state is ArtefactState.UNFILLED
    (reason,) = reasons
    line = text.decode().split("\n").index('keputusan_opd: "Diterima"') + 1
    assert reason.startswith(f"{record}: front matter, line {line}: duplicate key 'keputusan_opd'")

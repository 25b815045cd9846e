"""The documents an office would adopt, rendered with real Copier and read back: each letter in the Tata
Naskah Dinas format with its parts in order, the signature block and the note on the BSrE certificate;
who actually signed recorded in front matter; and the preferred terms everywhere (scripts/istilah.txt)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

LETTER_NO, LETTER_DATE = "800/123/BKD/2026", "2026-02-16"
IN_WORDS = "16 Februari 2026"  # the date as letters write it
OPD = "Badan Kepegawaian Daerah"
KOP = ("PEMERINTAH PROVINSI SUMATERA BARAT", "DINAS KOMUNIKASI, INFORMATIKA DAN STATISTIK")
BSRE = (
    "ditandatangani secara elektronik menggunakan sertifikat elektronik yang diterbitkan\n> oleh Balai Besar"
)
SIGNATURE = ("## Penandatangan", "[[ISI: jabatan penandatangan]]", "**[[ISI: nama", "NIP [[ISI: NIP]]")
SIGNER_FIELDS = {"penandatangan_nama", "penandatangan_nip", "penandatangan_jabatan", "atas_nama"}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One application rendered from the template with real Copier (the request letter known)."""
    from copier import run_copy

    dest = tmp_path_factory.mktemp("rendered") / "simpeg"
    data = {
        "app_name": "Sistem Informasi Kepegawaian",
        "opd": OPD,
        "request_letter_no": LETTER_NO,
        "request_letter_date": LETTER_DATE,
    }
    run_copy(str(ROOT / "project_template"), str(dest), data=data, defaults=True, quiet=True, unsafe=False)
    return dest


def in_order(text: str, *parts: str) -> None:
    """Every part is in ``text``, each after the one before."""
    position = 0
    for part in parts:
        found = text.find(part, position)
        assert found >= 0, f"{part!r} missing after position {position}:\n{text[position : position + 400]}"
        position = found + len(part)


def front(text: str) -> dict[str, object]:
    loaded = yaml.safe_load(text.split("---\n")[1])
    assert isinstance(loaded, dict)
    return loaded


def test_the_notification_letter_is_a_surat_dinas(rendered: Path) -> None:
    text = (rendered / "docs/16-surat-pemberitahuan/surat-pemberitahuan.md").read_text()
    in_order(
        text,
        *KOP,
        "Padang, [[ISI: tanggal surat",
        "| Nomor | : |",
        "| Sifat | : | Biasa |",
        "| Lampiran | : | - |",
        "| Hal | : | Pemberitahuan Aplikasi Sistem Informasi Kepegawaian Siap Diimplementasikan |",
        f"Yth. Kepala {OPD}",  # the head of the agency, not the agency
        f"surat Saudara nomor {LETTER_NO} tanggal\n{IN_WORDS}",  # the request letter cited
        *SIGNATURE,
        "## Tembusan",
        "1. Kepala Dinas",
        "Arsip.",
        BSRE,
    )
    fields = front(text)
    assert set(fields) >= SIGNER_FIELDS and fields["kepada"] == f"Kepala {OPD}"


def test_the_nota_dinas_has_its_header_in_order(rendered: Path) -> None:
    text = (rendered / "docs/15-nota-dinas/nota-dinas.md").read_text()
    in_order(
        text,
        *KOP,
        "**NOTA DINAS**",
        "| Yth. | : | Kepala Seksi Pengendalian Informatika |",
        "| Dari | : | Kepala Seksi Pengembangan Aplikasi |",
        "| Tembusan | : | Kepala Bidang Aplikasi Informatika |",
        "| Tanggal | : |",
        "| Nomor | : |",
        "| Sifat | : | Biasa |",
        "| Lampiran | : |",
        "| Hal | : | Aplikasi Sistem Informasi Kepegawaian Siap Diimplementasikan |",
        "## Isi",
        "## Penandatangan",
        "Kepala Seksi Pengembangan Aplikasi",
        "NIP [[ISI: NIP]]",
        BSRE,
    )
    assert set(front(text)) >= SIGNER_FIELDS


def test_the_letter_of_assignment_names_each_member(rendered: Path) -> None:
    text = (rendered / "docs/04-disposisi-kabid/surat-tugas.md").read_text()
    in_order(
        text,
        *KOP,
        "**SURAT TUGAS**",
        "Nomor: [[ISI: nomor surat tugas]]",
        "## Dasar",
        f"Surat {OPD} nomor {LETTER_NO} tanggal\n   {IN_WORDS}",
        "**MENUGASKAN:**",
        "## Kepada",
        "| No | Nama | NIP | Pangkat/Golongan | Jabatan | Peran dalam tim |",
        "Tim IT Support Management",
        "Tim Database",
        "Web Desainer",
        "Web Programmer",
        "Tim Sekuriti Aplikasi",
        "## Untuk",
        "Ditetapkan di Padang",
        *SIGNATURE,
        BSRE,
    )
    assert set(front(text)) >= SIGNER_FIELDS


@pytest.mark.parametrize(
    ("path", "by", "to"),
    [
        ("docs/03-disposisi-kadis/disposisi.md", "Kepala Dinas", "Kepala Bidang Aplikasi Informatika"),
        ("docs/04-disposisi-kabid/disposisi.md", "Kepala Bidang", "Kepala Seksi Pengembangan Aplikasi"),
    ],
)
def test_the_disposition_sheets(rendered: Path, path: str, by: str, to: str) -> None:
    text = (rendered / path).read_text()
    in_order(
        text,
        *KOP,
        "**LEMBAR DISPOSISI**",
        f"| Surat dari | {OPD} |",
        f"| Nomor surat | {LETTER_NO} |",
        f"| Tanggal surat | {LETTER_DATE} |",
        "| Nomor agenda |",
        "| Sifat |",
        f"**Diteruskan kepada:** {to}",
        "- [ ] Tanggapan dan saran",
        "- [ ] Proses lebih lanjut",
        "- [ ] Untuk ditindaklanjuti",
        "- [ ] Arsip",
        "## Laporan Permintaan Aplikasi",
        "## Pemberi Disposisi",
        by,
    )
    fields = front(text)
    assert {"nomor_agenda", "sifat", "isi_disposisi"} <= set(fields) and fields["kepada"] == to


def test_the_trial_record_is_signed_by_the_agency(rendered: Path) -> None:
    text = (rendered / "docs/17-uji-coba/berita-acara.md").read_text()
    in_order(
        text,
        "**BERITA ACARA UJI COBA DAN BIMBINGAN TEKNIS**",
        "## Uji Coba",
        "## Bimbingan Teknis",
        "## Daftar Hadir",
        "Kepala Seksi Pengembangan Aplikasi",
        "Tim IT Support Management",
        "Wakil OPD",
        "## Pernyataan Penerimaan",
        f"| Untuk {OPD} | Untuk Diskominfotik |",
        BSRE,
    )
    assert {"wakil_opd_nama", "wakil_opd_jabatan", "keputusan_opd", "kasi", "tim_it_support"} <= set(
        front(text)
    )


def test_the_test_record_follows_pdhupl(rendered: Path) -> None:
    text = (rendered / "docs/17-uji-coba/dokumen-uji-coba.md").read_text()
    in_order(
        text, "## Lingkungan Pengujian", "## Prosedur Pengujian", "## Data Uji", "## Kasus Uji dan Hasil"
    )


def test_the_minutes_record_time_chair_note_taker_and_signatures(rendered: Path) -> None:
    for path in ("docs/06-rapat-kebutuhan/notulen.md", "docs/12-review-70/notulen.md"):
        text = (rendered / path).read_text()
        assert {"waktu", "pimpinan_rapat", "notulis"} <= set(front(text)), path
        in_order(text, "## Peserta", "## Keputusan", "## Pengesahan", "| Nama |", "| Tanda tangan |")


def test_findings_go_to_a_private_channel(tmp_path: Path) -> None:
    from copier import run_copy

    data = {"app_name": "Sistem Informasi Kepegawaian", "opd": OPD, "github_org": "diskominfotik-sumbar"}
    run_copy(str(ROOT / "project_template"), str(tmp_path / "gh"), data=data, defaults=True, quiet=True)
    forms = tmp_path / "gh/.github/ISSUE_TEMPLATE"
    assert sorted(p.name for p in forms.iterdir()) == ["config.yml", "perubahan.yml"]  # no public form
    config = yaml.safe_load((forms / "config.yml").read_text())
    (link,) = config["contact_links"]
    advisories = (
        "https://github.com/diskominfotik-sumbar/sistem-informasi-kepegawaian/security/advisories/new"
    )
    assert link["url"] == advisories and config["blank_issues_enabled"] is False
    assert advisories in (tmp_path / "gh/SECURITY.md").read_text()


def test_the_rendered_documents_use_the_preferred_terms(rendered: Path) -> None:
    checker = [sys.executable, str(ROOT / "scripts" / "check_terms.py")]
    clean = subprocess.run([*checker, str(rendered)], capture_output=True, text=True, check=False)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    # the check finds what it is for, and leaves proper names and file names alone
    (rendered / "docs/07-skpl/skpl.md").write_text(
        "# SKPL\n\nTim Database menyerahkan `hasil-analisa.md`.\n\nHasil analisa disimpan di database.\n"
    )
    found = subprocess.run([*checker, str(rendered)], capture_output=True, text=True, check=False)
    assert found.returncode == 1
    assert found.stdout.splitlines() == [
        f"{rendered}/docs/07-skpl/skpl.md:5: 'analisa' -> 'analisis'",
        f"{rendered}/docs/07-skpl/skpl.md:5: 'database' -> 'basis data'",
    ]


def test_the_letter_is_addressed_to_the_heads_own_title(tmp_path: Path) -> None:
    """A Sekretariat DPRD is headed by its Sekretaris, not a Kepala: the title is the office's answer."""
    from copier import run_copy

    dest = tmp_path / "app"
    data = {
        "app_name": "E-Aspirasi",
        "opd": "Sekretariat DPRD",
        "opd_head": "Sekretaris DPRD Provinsi Sumatera Barat",
        "request_letter_date": "2026-12-01",
    }
    run_copy(str(ROOT / "project_template"), str(dest), data=data, defaults=True, quiet=True, unsafe=False)
    text = (dest / "docs/16-surat-pemberitahuan/surat-pemberitahuan.md").read_text()
    assert "Yth. Sekretaris DPRD Provinsi Sumatera Barat" in text and "Kepala Sekretariat" not in text
    assert "1 Desember 2026" in text

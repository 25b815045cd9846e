"""Reading a security test report from its text: the result, the findings tables, the tested commit's form."""

from __future__ import annotations

import pytest

from toolkit.evidence.security_report import CommitName, DoubtKind, commit_name, parse
from toolkit.paths import template_dir

FRONT = '---\ncommit_diuji: "{commit}"\ntanggal_uji: 2026-03-02\npenguji: Joko\nhasil: {result}\n---\n\n'
HEADER = "| No | Temuan | Area | Tingkat risiko | Status |\n|---:|---|---|---|---|\n"
RETESTED = "| No | Temuan | Area | Tingkat risiko | Status | Uji ulang |\n|---:|---|---|---|---|---|\n"


def report(rows: str, result: str = "LULUS", header: str = HEADER, commit: str = "a" * 40) -> str:
    return (
        FRONT.format(commit=commit, result=result)
        + "# Laporan Uji Keamanan\n\n## Temuan\n\n"
        + header
        + rows
        + "\n## Uji Ulang\n\n| No temuan | Tanggal uji ulang | Hasil |\n|---:|---|---|\n"
        + "| 1 | 2026-03-02 | belum |\n"
    )


def test_the_template_is_read_as_it_is() -> None:
    text = (template_dir() / "template/docs/14-uji-keamanan/laporan-uji-keamanan.md.jinja").read_text()
    found = parse(text)
    assert found.tables == 1  # the re-test log and the BSSN checklist are no findings tables
    assert not found.passed and found.result and "LULUS atau TIDAK LULUS" in found.result
    (row,) = found.findings
    assert row.open and row.serious and not row.known  # a placeholder is no severity


def test_an_honest_report_passes() -> None:
    found = parse(
        report("| 1 | Injeksi SQL | Validasi input | Tinggi | Diperbaiki | Lulus |\n", header=RETESTED)
    )
    assert found.passed and found.tables == 1 and found.doubts == ()
    assert found.fields["commit_diuji"] == "a" * 40 and found.fields["tanggal_uji"] == "2026-03-02"
    (row,) = found.findings
    assert not row.open and row.serious and row.known and row.line == 14
    assert found.open_serious == ()


@pytest.mark.parametrize("result", ["LULUS", "lulus", "  Lulus ", '"LULUS"'])
def test_lulus_passes_in_any_case(result: str) -> None:
    assert parse(report("| 1 | Tidak ada temuan | - | - | - |\n", result=result)).passed


@pytest.mark.parametrize("result", ["TIDAK LULUS", "LULUS BERSYARAT", "Lulus.", "yes", '""', "PASS"])
def test_anything_but_lulus_fails(result: str) -> None:
    assert not parse(report("| 1 | Tidak ada temuan | - | - | - |\n", result=result)).passed


def test_no_result_field_fails() -> None:
    found = parse("---\ncommit_diuji: abc\n---\n\n" + HEADER)
    assert found.result is None and not found.passed
    assert not parse("# no front matter\n\n" + HEADER).passed


@pytest.mark.parametrize(
    "severity", ["Kritis", "Tinggi", "**Tinggi**", "High", "CRITICAL", "Tinggi (CVSS 8.1)"]
)
def test_an_open_serious_finding_is_found(severity: str) -> None:
    found = parse(report(f"| 1 | XSS tersimpan | Validasi input | {severity} | Terbuka |\n"))
    (row,) = found.open_serious
    assert row.severity == severity.strip("*") and row.statuses == ("Terbuka",) and row.known


@pytest.mark.parametrize(
    "status", ["Terbuka", "", "Belum diperbaiki", "Diperbaiki sebagian", "Tidak berlaku"]
)
def test_a_finding_is_open_unless_its_status_closes_it(status: str) -> None:
    (row,) = parse(report(f"| 1 | XSS | Validasi input | Tinggi | {status} |\n")).findings
    assert row.open


@pytest.mark.parametrize(
    "status", ["Diperbaiki", "diperbaiki", "Sudah diperbaiki", "Ditutup", "Selesai", "Fixed", "*Closed*"]
)
def test_fixed_or_closed_findings_are_closed(status: str) -> None:
    found = parse(report(f"| 1 | XSS | Validasi input | Kritis | {status} | Lulus |\n", header=RETESTED))
    assert found.open_serious == () and not found.findings[0].open


@pytest.mark.parametrize("severity", ["Sedang", "Rendah", "Medium", "Low", "Informasi"])
def test_open_minor_findings_do_not_count(severity: str) -> None:
    found = parse(report(f"| 1 | Header keamanan | Konfigurasi | {severity} | Terbuka |\n"))
    assert found.open_serious == () and found.findings[0].open


@pytest.mark.parametrize("severity", ["", "Isi sebenarnya", "Parah", "?"])
def test_an_open_finding_of_unknown_severity_counts_as_serious(severity: str) -> None:
    (row,) = parse(report(f"| 1 | Sesuatu | Konfigurasi | {severity} | Terbuka |\n")).open_serious
    assert not row.known


@pytest.mark.parametrize(
    "row",
    [
        "| 1 | Tidak ada temuan | - | - | - |",
        "| 1 | Tidak ada temuan | | | |",
        "| 1 | **Tidak ada temuan** | - | Tidak berlaku | Tidak berlaku |",
        "| - | No findings | - | N/A | N/A |",
        "|  |  |  |  |  |",
    ],
)
def test_no_finding_rows_are_left_out(row: str) -> None:
    found = parse(report(row + "\n"))
    assert found.tables == 1 and found.findings == ()


def test_a_no_finding_row_with_a_severity_is_a_finding() -> None:
    (row,) = parse(report("| 1 | Tidak ada temuan | Kontrol akses | Tinggi | Terbuka |\n")).open_serious
    assert row.severity == "Tinggi"


@pytest.mark.parametrize(
    ("header", "row"),
    [
        (
            "| No | Finding | Area | Severity | Status | Re-test result |\n|---|---|---|---|---|---|\n",
            "| 1 | SQL injection | Input | Tinggi | Open | Not fixed |",
        ),
        (
            "| No | Temuan | Tingkat | Status perbaikan |\n|---|---|---|---|\n",
            "| 1 | XSS | Tinggi | Terbuka |",
        ),
        (
            "No | Temuan | Tingkat Risiko (Kritis/Tinggi/Sedang/Rendah) | **Status**\n"
            "--- | --- | --- | ---\n",
            "1 | XSS | Tinggi | Terbuka",
        ),
        (
            "| No | Temuan | Risk level | Status temuan |\n|:-:|:--|:--|--:|\n",
            "| 1 | XSS | Tinggi | Terbuka |",
        ),
    ],
)
def test_header_names_in_indonesian_and_english(header: str, row: str) -> None:
    found = parse(report(row + "\n", header=header))
    assert found.tables == 1
    (open_row,) = found.open_serious
    assert open_row.severity == "Tinggi"


def test_every_status_column_must_close_a_finding() -> None:
    header = "| No | Temuan | Severity | Status | Status uji ulang | Re-test |\n|---|---|---|---|---|---|\n"
    # "Status uji ulang" is no status header the report is read by: the finding is closed by "Status"
    assert parse(report("| 1 | XSS | High | Fixed | Terbuka | Pass |\n", header=header)).open_serious == ()
    header = "| No | Temuan | Severity | Status | Status perbaikan | Re-test |\n|---|---|---|---|---|---|\n"
    assert parse(report("| 1 | XSS | High | Fixed | Terbuka | Pass |\n", header=header)).open_serious


def test_findings_of_every_findings_table_count() -> None:
    text = report("| 1 | XSS | Validasi input | Rendah | Terbuka |\n")
    text += "\n## Temuan tambahan\n\n" + HEADER + "| 2 | IDOR | Kontrol akses | Kritis | Terbuka |\n"
    found = parse(text)
    assert found.tables == 2
    assert [f.line for f in found.open_serious] == [
        text.split("\n").index("| 2 | IDOR | Kontrol akses | Kritis | Terbuka |") + 1
    ]


def test_a_report_without_a_findings_table_has_none() -> None:
    text = FRONT.format(commit="a" * 40, result="LULUS") + "## Temuan\n\nTidak ada temuan.\n"
    assert parse(text).tables == 0
    no_status = "| No | Temuan | Tingkat risiko |\n|---|---|---|\n| 1 | XSS | Tinggi |\n"
    assert parse(FRONT.format(commit="a" * 40, result="LULUS") + no_status).tables == 0


def test_tables_in_code_blocks_and_comments_are_not_read() -> None:
    hidden = "```\n" + HEADER + "| 1 | XSS | x | Tinggi | Diperbaiki |\n```\n\n<!--\n" + HEADER + "-->\n"
    assert parse(FRONT.format(commit="a" * 40, result="LULUS") + hidden).tables == 0


def test_a_line_right_after_a_table_is_one_more_row() -> None:
    # a Markdown renderer shows the line as a row of the table: it is a finding of unknown severity
    found = parse(report("| 1 | XSS | x | Tinggi | Diperbaiki |\nSQL injection di halaman admin\n"))
    assert [row.cells[0] for row in found.open_serious] == ["1", "SQL injection di halaman admin"]
    assert not found.open_serious[-1].known


def test_escaped_pipes_stay_inside_a_cell() -> None:
    (row,) = parse(report("| 1 | a \\| b | x | Tinggi | Terbuka |\n")).findings
    assert row.cells[1] == "a | b" and row.severity == "Tinggi"


def test_crlf_and_a_byte_order_mark() -> None:
    text = "\ufeff" + report("| 1 | XSS | x | Tinggi | Terbuka |\n").replace("\n", "\r\n")
    found = parse(text)
    assert found.tables == 1 and len(found.open_serious) == 1


@pytest.mark.parametrize(
    ("value", "length", "form"),
    [
        ("a" * 40, 40, CommitName.FULL),
        ("0123456789abcdef" * 4, 64, CommitName.FULL),
        ("", 40, CommitName.EMPTY),
        ("abc1234", 40, CommitName.SHORT),
        ("a" * 39, 40, CommitName.SHORT),
        ("a" * 40, 64, CommitName.SHORT),  # a SHA-1 id in a SHA-256 repository
        ("a" * 64, 40, CommitName.OTHER_LENGTH),
        ("A" * 40, 40, CommitName.UPPER),
        ("v1.0", 40, CommitName.NOT_HEX),
        ("HEAD", 40, CommitName.NOT_HEX),
        ("main~1", 40, CommitName.NOT_HEX),
        ("a" * 40 + "^", 40, CommitName.NOT_HEX),
        (" " + "a" * 40, 40, CommitName.NOT_HEX),
        ("[[ISI: commit]]", 40, CommitName.NOT_HEX),
    ],
)
def test_commit_name_forms(value: str, length: int, form: CommitName) -> None:
    assert commit_name(value, length) is form


def test_a_report_saved_with_windows_line_endings_reads_the_same() -> None:
    text = (
        "---\r\ncommit_diuji: " + "a" * 40 + "\r\nhasil: LULUS\r\n---\r\n# Laporan\r\n\r\n## Temuan\r\n\r\n"
        "| No | Temuan | Tingkat risiko | Status |\r\n|---|---|---|---|\r\n| 1 | RCE | Kritis | Terbuka |\r\n"
    )
    report = parse(text)
    assert report.result == "LULUS" and report.fields["commit_diuji"] == "a" * 40
    assert [f.severity for f in report.open_serious] == ["Kritis"]


# --- the template's findings table: controls (ASVS), severity with CVSS, status and re-test --------------

FINDINGS = (
    "| No | Temuan | Kontrol (ASVS) | Tingkat risiko | CVSS | Status | Uji ulang |\n"
    "|---:|---|---|---|---|---|---|\n"
)


def findings(*rows: str, result: str = "LULUS") -> str:
    return report("".join(f"{row}\n" for row in rows), result=result, header=FINDINGS)


def test_the_template_keeps_controls_apart_from_findings() -> None:
    text = (template_dir() / "template/docs/14-uji-keamanan/laporan-uji-keamanan.md.jinja").read_text()
    found = parse(text)
    assert found.tables == 1  # thirteen tables of controls, one of findings
    assert "level_asvs" in found.fields
    for area in (
        "Autentikasi",
        "Manajemen Sesi",
        "Persyaratan Kontrol Akses",
        "Validasi Input",
        "Kriptografi pada Verifikasi Statis",
        "Penanganan Eror dan Pencatatan Log",
        "Proteksi Data",
        "Keamanan Komunikasi",
        "Pengendalian Kode Berbahaya",
        "Logika Bisnis",
        "Keamanan File",
        "Keamanan API dan Web Service",
        "Keamanan Konfigurasi",
    ):
        assert f". {area}\n" in text, area  # the regulation's own area names, one section each
    assert text.count("| V") >= 13 * 2  # controls with their ASVS requirement ids


def test_lulus_with_only_closed_and_retested_or_low_findings_passes() -> None:
    found = parse(
        findings(
            "| 1 | Injeksi SQL | VAL-2 (V5.3.4) | Kritis | 9.8 | Diperbaiki | Lulus |",
            "| 2 | Sesi tanpa batas waktu | SES-2 (V3.3.1) | Tinggi | 7.5 | Ditutup | Lulus |",
            "| 3 | Header CSP belum ada | KON-3 (V14.4.3) | Rendah | 3.1 | Terbuka | - |",
            "| 4 | Pesan eror terlalu rinci | LOG-3 (V7.4.1) | Sedang | 5.3 | Terbuka | belum |",
        )
    )
    assert found.passed and found.tables == 1 and len(found.findings) == 4
    assert found.open_serious == ()


@pytest.mark.parametrize("retest", ["Gagal", "belum", "", "-", "Lulus sebagian"])
def test_a_fixed_serious_finding_whose_retest_did_not_pass_is_open(retest: str) -> None:
    found = parse(findings(f"| 1 | Injeksi SQL | VAL-2 | Tinggi | 8.1 | Diperbaiki | {retest} |"))
    (row,) = found.open_serious
    assert row.open and row.severity == "Tinggi"


@pytest.mark.parametrize("cvss", ["7.0", "9,8", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H 9.8"])
def test_a_cvss_of_seven_or_more_is_serious_whatever_the_word(cvss: str) -> None:
    (row,) = parse(findings(f"| 1 | XSS | VAL-3 | Sedang | {cvss} | Terbuka | - |")).open_serious
    assert row.serious and row.known


@pytest.mark.parametrize("cvss", ["6.9", "", "-", "belum dinilai"])
def test_a_low_cvss_leaves_a_minor_finding_minor(cvss: str) -> None:
    assert parse(findings(f"| 1 | XSS | VAL-3 | Sedang | {cvss} | Terbuka | - |")).open_serious == ()


def test_the_no_finding_row_of_the_new_table_counts_as_none() -> None:
    found = parse(findings("| 1 | Tidak ada temuan | - | - | - | - | - |"))
    assert found.findings == () and found.tables == 1 and found.passed


# --- read as a renderer reads it (review of issue 10: F1-F7) ---------------------------------------------

NIHIL = FINDINGS + "| 1 | Tidak ada temuan | - | - | - | - | - |\n"
OPEN_CRITICAL = "| 1 | RCE | KOD-1 | Kritis | 9.8 | Terbuka | - |\n"


def body(text: str) -> str:
    return FRONT.format(commit="a" * 40, result="LULUS") + "# Laporan\n\n## Temuan\n\n" + text


def blocks(text: str) -> bool:
    found = parse(text)
    return not found.passed or not found.tables or bool(found.open_serious) or bool(found.doubts)


def test_the_nihil_table_alone_releases() -> None:
    found = parse(body(NIHIL))
    assert not blocks(body(NIHIL)) and found.findings == () and found.doubts == ()


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (
            NIHIL + "\n<table><tr><th>Tingkat risiko</th><th>Status</th></tr>"
            "<tr><td>Kritis</td><td>Terbuka</td></tr></table>\n",
            DoubtKind.HTML_TABLE,
        ),
        (NIHIL + "\nLihat <table><tr><td>Kritis</td></tr></table>\n", DoubtKind.HTML_TABLE),
        (NIHIL + "\n> | No | Tingkat risiko | Status |\n> |---|---|---|\n> | 1 | Kritis | Terbuka |\n", None),
        (
            NIHIL + "\n1.  Temuan lanjutan:\n\n    | No | Tingkat risiko | Status |\n    |---|---|---|\n"
            "    | 1 | Kritis | Terbuka |\n",
            None,
        ),
        (NIHIL + "\n    | 1 | RCE | KOD-1 | Kritis | 9.8 | Terbuka | - |\n", DoubtKind.CODE_ROWS),
        (
            NIHIL + "\n## Temuan tambahan\n\n| No | Temuan | Severitas | Status |\n|---|---|---|---|\n"
            "| 1 | RCE | Kritis | Terbuka |\n",
            DoubtKind.SERIOUS_ELSEWHERE,
        ),
        (
            NIHIL + "\n| No | Temuan | Tingkat Risiko/Dampak | Status |\n|---|---|---|---|\n"
            "| 1 | RCE | Kritis | Terbuka |\n",
            DoubtKind.SERIOUS_ELSEWHERE,
        ),
        (
            NIHIL + "\n| No | Temuan | Tingkat risiko | Status tindak lanjut |\n|---|---|---|---|\n"
            "| 1 | RCE | Tinggi | Terbuka |\n",
            DoubtKind.SERIOUS_ELSEWHERE,
        ),
    ],
    ids=[
        "html table",
        "html table inline",
        "quoted table",
        "table in a list item",
        "row indented as code",
        "header Severitas",
        "header Tingkat Risiko/Dampak",
        "header Status tindak lanjut",
    ],
)
def test_findings_a_reader_sees_beside_a_nihil_table_block(text: str, kind: DoubtKind | None) -> None:
    found = parse(body(text))
    assert blocks(body(text))
    if kind is None:  # a nested table: read as findings, and doubted for where it is
        assert DoubtKind.NESTED_TABLE in {d.kind for d in found.doubts}
        assert [f.severity for f in found.open_serious] == ["Kritis"]
    else:
        assert kind in {d.kind for d in found.doubts}


@pytest.mark.parametrize(
    "text",
    [
        # "    ```" is indented code, not a fence: the real table is the Kritis one, the nihil one is code
        "Contoh:\n\n    ```\n\n" + FINDINGS + OPEN_CRITICAL + "\n```\n" + NIHIL + "```\n",
        # "```a`b" is no fence (a backtick in the info string): nothing after it is code
        "```a`b\n\n" + FINDINGS + OPEN_CRITICAL + "\n```\n\n" + NIHIL,
        # an HTML comment opener in inline code hides nothing
        "Komentar HTML ditulis `<!--`.\n\n" + FINDINGS + OPEN_CRITICAL + "\nPenutup `-->`.\n\n" + NIHIL,
        # a four-backtick fence is not closed by three
        "````\n```\n" + NIHIL + "````\n\n" + FINDINGS + OPEN_CRITICAL,
    ],
    ids=["indented fence", "backtick info string", "comment in inline code", "long fence"],
)
def test_fences_and_comments_are_read_as_a_renderer_reads_them(text: str) -> None:
    found = parse(body(text))
    assert [f.severity for f in found.open_serious] == ["Kritis"]


def test_a_real_fence_and_a_real_comment_still_hide_a_table() -> None:
    text = "```\n" + FINDINGS + OPEN_CRITICAL + "```\n\n<!--\n" + FINDINGS + OPEN_CRITICAL + "-->\n\n" + NIHIL
    found = parse(body(text))
    assert found.tables == 1 and found.findings == () and found.doubts == ()


def test_cells_are_read_as_shown() -> None:
    # an entity is the letter it shows; a tag between two words is no word of either
    (row,) = parse(body(FINDINGS + "| 1 | RCE | KOD-1 | &#75;ritis | - | Terbuka | - |\n")).open_serious
    assert row.severity == "Kritis" and row.known
    (row,) = parse(body(FINDINGS + "| 1 | RCE | KOD-1 | Rendah<br>Kritis | - | Terbuka | - |\n")).open_serious
    assert not row.known


@pytest.mark.parametrize("status", ["Diperbaiki", "Ditutup", "Fixed"])
def test_without_a_retest_column_no_serious_finding_is_closed(status: str) -> None:
    text = body(
        f"| No | Temuan | Tingkat risiko | Status |\n|---|---|---|---|\n| 1 | RCE | Kritis | {status} |\n"
    )
    (row,) = parse(text).open_serious
    assert row.open


@pytest.mark.parametrize(
    "retest",
    ["Lulus (kecuali modul admin: masih rentan)", "Lulus (sebagian)", "Lulus (belum)", "Lulus *(x)*"],
)
def test_a_retest_with_a_reservation_did_not_pass(retest: str) -> None:
    (row,) = parse(findings(f"| 1 | RCE | VAL-2 | Kritis | 9.8 | Diperbaiki | {retest} |")).open_serious
    assert row.open


@pytest.mark.parametrize(
    "cvss",
    [
        "9.8 (CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H)",
        "9.80",
        "9,8",
        "7.0/10",
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N 9.3",
        "v3.1: 8.8",
        "5.0 (semula 9.1)",
    ],
)
def test_the_highest_cvss_score_in_a_cell_counts(cvss: str) -> None:
    (row,) = parse(findings(f"| 1 | RCE | KOD-1 | Rendah | {cvss} | Terbuka | - |")).open_serious
    assert row.serious and row.known


@pytest.mark.parametrize("cvss", ["6.5/10", "6.95", "CVSS:3.1/AV:N/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N 2.0"])
def test_a_cvss_vector_or_scale_is_no_score(cvss: str) -> None:
    assert parse(findings(f"| 1 | XSS | KOD-1 | Rendah | {cvss} | Terbuka | - |")).open_serious == ()


@pytest.mark.parametrize(
    "row",
    [
        "| 1 | RCE | - | - | 9.8 | Terbuka | Tidak ada |",  # a CVSS score: a finding whatever the others say
        "| 1 | Tidak ada temuan | - | - | - | Terbuka | - |",  # a status: a finding
        "| 1 | RCE (bukti: tidak ada) | Tidak ada | - | - | Terbuka | - |",
    ],
)
def test_a_row_with_a_status_or_score_is_never_dropped_as_no_finding(row: str) -> None:
    (found,) = parse(findings(row)).open_serious
    assert found.open


def test_a_duplicate_front_matter_key_is_a_doubt() -> None:
    text = (
        '---\nhasil: "TIDAK LULUS"\ncommit_diuji: "'
        + "a" * 40
        + '"\nhasil: "LULUS"\n---\n\n## Temuan\n\n'
        + NIHIL
    )
    found = parse(text)
    assert not found.passed and found.fields == {}
    (doubt,) = found.doubts
    assert doubt.kind is DoubtKind.FRONT_MATTER and doubt.line == 4 and "hasil" in doubt.detail


def controls(status: str, code: str = "VAL-2") -> str:
    return (
        "## Kontrol\n\n| Kode | Kontrol | ASVS | Status | Bukti |\n|---|---|---|---|---|\n"
        f"| {code} | Kueri berparameter | V5.3.4 | {status} | uji |\n"
        "| VAL-3 | Keluaran di-encode | V5.3.3 | Sesuai | uji |\n\n"
    )


@pytest.mark.parametrize("status", ["Tidak sesuai", "Sebagian sesuai", "Gagal", "Not compliant"])
def test_a_non_compliant_control_must_be_a_finding(status: str) -> None:
    found = parse(body(controls(status) + NIHIL))
    (doubt,) = found.doubts
    assert doubt.kind is DoubtKind.CONTROL_WITHOUT_FINDING and doubt.detail == "VAL-2"
    named = body(
        controls(status) + findings_rows("| 1 | Injeksi SQL | VAL-2 (V5.3.4) | Sedang | 5.0 | Terbuka | - |")
    )
    assert parse(named).doubts == ()
    # another control's code does not name it
    other = body(
        controls(status) + findings_rows("| 1 | Injeksi SQL | VAL-21 | Sedang | 5.0 | Terbuka | - |")
    )
    assert [d.detail for d in parse(other).doubts] == ["VAL-2"]


@pytest.mark.parametrize("status", ["Sesuai", "Tidak berlaku", "-", "N/A", ""])
def test_compliant_or_not_applicable_controls_need_no_finding(status: str) -> None:
    assert parse(body(controls(status) + NIHIL)).doubts == ()


def findings_rows(*rows: str) -> str:
    return FINDINGS + "".join(f"{row}\n" for row in rows)


def test_the_filled_template_has_no_doubt() -> None:
    from toolkit.demo import filled

    text = (template_dir() / "template/docs/14-uji-keamanan/laporan-uji-keamanan.md.jinja").read_text()
    found = parse(filled(text))
    assert found.doubts == () and found.tables == 1

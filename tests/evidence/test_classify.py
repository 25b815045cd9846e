"""Path classes: code is default-deny, and the batch answers (one regex pass over all the paths) are
exactly the answers for one path at a time."""

from __future__ import annotations

import random

from tests.conftest import ROOT
from toolkit import sop
from toolkit.evidence.classify import classes

TRICKY = [
    "docs",
    "docs.md",
    "docs-lama/01-permintaan/surat-permintaan.md",
    "docs/01-permintaan/surat-permintaan.md",
    "docs/01-permintaan/surat-permintaan.md.bak",
    "Docs/01-permintaan/surat-permintaan.md",
    "docs/06-rapat-kebutuhan/dokumentasi/foto-1.jpg",
    "docs/06-rapat-kebutuhan/dokumentasi/.gitkeep",
    "docs/06-rapat-kebutuhan/data/.htaccess",
    "docs/06-rapat-kebutuhan/data/opd/pegawai.csv",
    "docs/14-uji-keamanan/shell.php",
    "docs/lampiran/x.php",
    ".gitattributes",
    "src/.gitattributes",
    ".gitignore",
    ".copier-answers.yml",
    ".github/pull_request_template.md",
    ".github/ISSUE_TEMPLATE/config.yml",
    ".github/dependabot.yml",
    ".github/actions/deploy/action.yml",
    "docs/README.md",
    ".sop/sop.yaml",
    ".sop/roster.yaml",
    ".sopx/sop.yaml",
    ".github/workflows/sop-gate.yml",
    ".github/CODEOWNERS",
    ".github/ISSUE_TEMPLATE/permintaan.yml",
    "CODEOWNERS",
    "CODEOWNERS.bak",
    "README.md",
    "src/README.md",
    "src/app.py",
    "src/.gitkeep",
    "a/b/c/.gitkeep",
    "app.js",
    "docs/\U0001f600.md",
    "zzz/docs/01-permintaan/surat-permintaan.md",
]


def test_batch_answers_equal_one_path_answers() -> None:
    paths = [*TRICKY, *(f"src/modul_{i:03d}/berkas_{i:05d}.py" for i in range(500))]
    random.Random(7).shuffle(paths)
    policy = sop.load(ROOT / "sop.yaml")
    classified = classes(policy)
    assert sorted(classified.artefacts_among(paths)) == sorted(p for p in paths if classified.is_artefact(p))
    assert sorted(classified.policy_among(paths)) == sorted(p for p in paths if classified.is_policy(p))
    assert sorted(classified.code_among(paths)) == sorted(p for p in paths if classified.is_code(p))
    assert "docs/01-permintaan/surat-permintaan.md" in classified.artefacts_among(paths)
    assert set(classified.policy_among(paths)) == {
        ".sop/sop.yaml",
        ".sop/roster.yaml",
        ".github/workflows/sop-gate.yml",
        ".github/CODEOWNERS",
        "CODEOWNERS",
        ".copier-answers.yml",  # it names the application sign-offs are bound to
    }
    code = set(classified.code_among(paths))
    assert {
        "src/app.py",
        "app.js",
        "src/README.md",
        "docs.md",
        "docs",
        ".sopx/sop.yaml",
        "CODEOWNERS.bak",
        "Docs/01-permintaan/surat-permintaan.md",
        "docs/01-permintaan/surat-permintaan.md.bak",
        "zzz/docs/01-permintaan/surat-permintaan.md",
        # default-deny: hidden files, files of no artefact under docs/, .github/ files of no policy
        "src/.gitkeep",
        "a/b/c/.gitkeep",
        "docs/06-rapat-kebutuhan/dokumentasi/.gitkeep",
        "docs/06-rapat-kebutuhan/data/.htaccess",
        "docs/14-uji-keamanan/shell.php",
        "docs/lampiran/x.php",
        "docs/\U0001f600.md",
        ".gitattributes",
        "src/.gitattributes",
        ".github/ISSUE_TEMPLATE/permintaan.yml",
        ".github/dependabot.yml",
        ".github/actions/deploy/action.yml",
    } <= code
    assert not code & {
        "README.md",
        "docs/README.md",
        ".gitignore",
        ".copier-answers.yml",
        ".github/pull_request_template.md",
        ".github/ISSUE_TEMPLATE/config.yml",
        "CODEOWNERS",
        ".sop/sop.yaml",
        "docs/01-permintaan/surat-permintaan.md",
        "docs/06-rapat-kebutuhan/dokumentasi/foto-1.jpg",
        "docs/06-rapat-kebutuhan/data/opd/pegawai.csv",
    }
    assert not classified.is_artefact("docs/06-rapat-kebutuhan/dokumentasi/.gitkeep")
    assert set(classified.artefacts_among(paths)) == {
        "docs/01-permintaan/surat-permintaan.md",
        "docs/06-rapat-kebutuhan/dokumentasi/foto-1.jpg",
        "docs/06-rapat-kebutuhan/data/opd/pegawai.csv",
    }


def test_exemptions_are_exact_paths() -> None:
    policy = sop.load(ROOT / "sop.yaml")
    assert "README.md" in policy.code_gate.exclude
    classified = classes(policy)
    near = ["README.md.php", "src/README.md", "readme.md", "README.md/x.php", "README", " README.md"]
    assert classified.code_among(["README.md", *near]) == near
    assert all(classified.is_code(p) for p in near) and not classified.is_code("README.md")


def test_a_policy_without_exemptions_makes_everything_else_code() -> None:
    text = (ROOT / "sop.yaml").read_text()
    start, end = text.index("    exclude:\n"), text.index("    # Kode boleh digabung")
    classified = classes(sop.parse((text[:start] + text[end:]).encode(), "sop.yaml"))
    paths = ["README.md", ".gitignore", "docs/README.md", ".sop/sop.yaml", "docs/07-skpl/skpl.md"]
    assert classified.code_among(paths) == ["README.md", ".gitignore", "docs/README.md"]


def test_a_pattern_that_starts_with_a_wildcard_is_tried_everywhere() -> None:
    text = (ROOT / "sop.yaml").read_text()
    marker = "\n    - .github/CODEOWNERS\n"  # the policy's own paths
    assert text.count(marker) == 1
    text = text.replace(marker, marker + '    - "**/KEBIJAKAN.md"\n')
    classified = classes(sop.parse(text.encode(), "sop.yaml"))
    paths = ["a/KEBIJAKAN.md", "KEBIJAKAN.md", "src/app.py", "CODEOWNERS", "a/KEBIJAKAN.md.txt"]
    assert sorted(classified.policy_among(paths)) == ["CODEOWNERS", "KEBIJAKAN.md", "a/KEBIJAKAN.md"]

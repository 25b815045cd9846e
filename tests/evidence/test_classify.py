"""Path classes: the batch answers (one regex pass, bisection under literal folders) are exactly the
answers for one path at a time."""

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
    }
    code = set(classified.code_among(paths))
    assert {"src/app.py", "app.js", "src/README.md", "docs.md", ".sopx/sop.yaml"} <= code
    assert not code & {"README.md", "src/.gitkeep", "a/b/c/.gitkeep", "docs/README.md", "CODEOWNERS"}


def test_a_pattern_that_starts_with_a_wildcard_is_tried_everywhere() -> None:
    text = (ROOT / "sop.yaml").read_text()
    marker = "\n    - .github/CODEOWNERS\n"  # the policy's own paths
    assert text.count(marker) == 1
    text = text.replace(marker, marker + '    - "**/KEBIJAKAN.md"\n')
    classified = classes(sop.parse(text.encode(), "sop.yaml"))
    paths = ["a/KEBIJAKAN.md", "KEBIJAKAN.md", "src/app.py", "CODEOWNERS", "a/KEBIJAKAN.md.txt"]
    assert sorted(classified.policy_among(paths)) == ["CODEOWNERS", "KEBIJAKAN.md", "a/KEBIJAKAN.md"]

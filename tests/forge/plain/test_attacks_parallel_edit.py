"""A sign-off must come after the last edit of what it covers in the change. An edit on a parallel branch
(not an ancestor of the sign-off) that ends at the signed content is not seen when git's order puts
another edit last. Every edit must be one the sign-off saw."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import git
from tests.office import Office


@pytest.mark.parametrize("first", ["signed", "other"])
def test_an_edit_beside_the_signoff_is_after_it(office: Office, first: str) -> None:
    app = office.app
    base = git(app, "rev-parse", "HEAD").strip()
    office.fill(1)
    office.commit("Surat permintaan", author="rina")
    assert office.signoff(1, "tu").exit_code == 0
    signed = git(app, "rev-parse", "HEAD").strip()
    saved = app.parent / "saved-docs"
    shutil.copytree(app / "docs", saved)
    git(app, "checkout", "-q", "-b", "other", base)
    # another branch: the letter written otherwise (never signed), then made the same as the signed one
    office.fill(1)
    for f in (app / "docs").rglob("*.md"):
        if "01" in str(f.parent.name)[:3]:
            f.write_text(f.read_text() + "\nTAMBAHAN TIDAK DITANDATANGANI\n")
    office.commit("Versi lain", author="rina")
    shutil.rmtree(app / "docs")
    shutil.copytree(saved, app / "docs")
    office.commit("Kembali", author="rina")
    if first == "signed":
        git(app, "checkout", "-q", "main")
        git(app, "reset", "-q", "--hard", signed)
        git(app, "merge", "-q", "--no-ff", "-m", "Gabung", "other")
    else:
        git(app, "merge", "-q", "--no-ff", "-m", "Gabung", signed)
    diff = git(app, "diff", "--stat", signed, "HEAD", "--", "docs")
    assert diff == ""  # the head holds exactly the signed content
    pushed = office.push("HEAD:main")
    assert pushed.returncode != 0, (
        "accepted: the sign-off predates edits of step 1 in this change\n" + pushed.stderr
    )

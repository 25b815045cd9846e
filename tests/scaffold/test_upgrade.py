"""``sopkit upgrade``: a new template version arrives without losing the project's own work."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import Cli, git
from tests.scaffold.conftest import NewApp

SKPL = "docs/07-skpl/skpl.md"
DPPL = "docs/08-dppl/dppl.md"
NOW = (Path(__file__).parents[2] / "project_template" / "VERSION").read_text().strip()  # the shipped one
NEXT = "99.0.0"  # a newer version the tests publish
DPPL_LINE = "[[ISI: tujuan dokumen, lingkup rancangan, dan acuan ke SKPL]]"


def release(template: Path, version: str, edit_dppl_to: str | None = None) -> None:
    """Publish a new template version: a changed document and a new file."""
    (template / "VERSION").write_text(f"{version}\n")
    if edit_dppl_to is not None:
        source = template / "template" / f"{DPPL}.jinja"
        source.write_text(source.read_text().replace(DPPL_LINE, edit_dppl_to))
    (template / "template" / "CONTRIBUTING.md").write_text(f"# Panduan kontribusi {version}\n")


def commit_edit(repo: Path, path: str, old: str | None, new: str) -> None:
    file = repo / path
    text = file.read_text()
    file.write_text(text.replace(old, new) if old else text + new)
    git(repo, "commit", "-qam", f"edit {path}")


def upgraded_keeping_the_edit(cli: Cli, repo: Path, template: Path) -> None:
    """Release NEXT (a changed DPPL, a new file) and upgrade ``repo``, whose SKPL has a local edit."""
    release(template, NEXT, edit_dppl_to=f"[[ISI: tujuan dan acuan (templat {NEXT})]]")
    result = cli("upgrade", str(repo))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{repo}: diperbarui v{NOW} -> v{NEXT}, sudah di-commit\n"
    assert (repo / SKPL).read_text().endswith("\nCatatan tim kami.\n")
    assert f"[[ISI: tujuan dan acuan (templat {NEXT})]]" in (repo / DPPL).read_text()
    assert (repo / "CONTRIBUTING.md").read_text() == f"# Panduan kontribusi {NEXT}\n"
    assert f"_commit: v{NEXT}" in (repo / ".copier-answers.yml").read_text()


def test_upgrade_keeps_local_edits_and_brings_the_new_version(
    cli: Cli, new_app: NewApp, template_copy: Path
) -> None:
    repo = new_app()
    commit_edit(repo, SKPL, None, "\nCatatan tim kami.\n")
    upgraded_keeping_the_edit(cli, repo, template_copy)
    assert git(repo, "status", "--porcelain") == ""
    assert (
        git(repo, "log", "-1", "--format=%s").strip() == f"Upgrade the sop-toolkit template v{NOW} -> v{NEXT}"
    )

    again = cli("upgrade", str(repo))
    assert again.exit_code == 0 and again.stdout == f"{repo}: sudah terbaru (templat v{NEXT})\n"


def test_a_conflicting_edit_fails_cleanly_and_commits_nothing(
    cli: Cli, new_app: NewApp, template_copy: Path
) -> None:
    repo = new_app()
    commit_edit(repo, DPPL, DPPL_LINE, "Tujuan dokumen ini menurut tim kami.")
    head = git(repo, "rev-parse", "HEAD")
    before = (repo / DPPL).read_text()
    release(template_copy, NEXT, edit_dppl_to="[[ISI: tujuan baru menurut templat]]")

    result = cli("upgrade", str(repo))
    assert result.exit_code == 1
    assert f"TIDAK diperbarui (v{NOW} -> v{NEXT})" in result.stderr
    assert result.stderr.rstrip().endswith(f"  {DPPL}")
    assert git(repo, "rev-parse", "HEAD") == head
    assert git(repo, "status", "--porcelain", "--ignored") == ""
    assert (repo / DPPL).read_text() == before
    assert not (repo / "CONTRIBUTING.md").exists()


def test_check_reports_drift_without_changing_anything(
    cli: Cli, new_app: NewApp, template_copy: Path
) -> None:
    repo = new_app()
    assert cli("upgrade", "--check", str(repo)).exit_code == 0
    release(template_copy, NEXT)
    result = cli("upgrade", "--check", str(repo))
    assert result.exit_code == 1
    assert result.stdout == f"{repo}: tertinggal: templat v{NOW}, terbaru v{NEXT}\n"
    assert git(repo, "rev-list", "--count", "HEAD").strip() == "1"


def test_all_upgrades_every_repository_under_a_folder(
    cli: Cli, new_app: NewApp, template_copy: Path, tmp_path: Path
) -> None:
    first, second = new_app(name="a"), new_app(name="b")
    release(template_copy, NEXT)
    result = cli("upgrade", "--all", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count(f"diperbarui v{NOW} -> v{NEXT}") == 2
    for repo in (first, second):
        assert (repo / "CONTRIBUTING.md").exists()


def test_refuses_uncommitted_changes_and_foreign_folders(
    cli: Cli, new_app: NewApp, template_copy: Path, tmp_path: Path
) -> None:
    repo = new_app()
    release(template_copy, NEXT)
    (repo / SKPL).write_text("belum di-commit\n")
    result = cli("upgrade", str(repo))
    assert result.exit_code == 2
    assert "punya perubahan yang belum di-commit" in result.stderr
    assert (repo / SKPL).read_text() == "belum di-commit\n"

    plain = tmp_path / "plain"
    plain.mkdir()
    git(plain, "init", "-q")
    result = cli("upgrade", str(plain))
    assert result.exit_code == 2
    assert "tidak punya .copier-answers.yml" in result.stderr


def test_a_project_from_another_machine_upgrades_from_this_store(
    cli: Cli, new_app: NewApp, template_copy: Path
) -> None:
    repo = new_app()
    answers = repo / ".copier-answers.yml"
    answers.write_text(re.sub(r"_src_path: .*", "_src_path: /srv/elsewhere/template", answers.read_text()))
    git(repo, "commit", "-qam", "moved here from another machine")
    release(template_copy, NEXT)
    result = cli("upgrade", str(repo))
    assert result.exit_code == 0, result.stderr
    assert (repo / "CONTRIBUTING.md").exists()


def plain_copy(template: Path, dest: Path) -> Path:
    """What an office gets from plain `copier copy` of the template folder, committed to git."""
    from copier import run_copy

    data = {"app_name": "Sistem Informasi Kepegawaian", "opd": "Badan Kepegawaian Daerah"}
    run_copy(str(template), str(dest), data=data, defaults=True, quiet=True, unsafe=False)
    git(dest, "init", "-q", "-b", "main")
    git(dest, "add", "-A")
    git(
        dest, "-c", "user.name=Rina", "-c", "user.email=rina@sumbarprov.go.id", "commit", "-qm", "copier copy"
    )
    return dest


def test_a_repository_made_with_plain_copier_copy_is_brought_under_upgrade(
    cli: Cli, template_copy: Path, tmp_path: Path
) -> None:
    repo = plain_copy(template_copy, tmp_path / "simpeg")
    answers = (repo / ".copier-answers.yml").read_text()
    assert "_commit" not in answers and f"# sopkit-template-version: {NOW}\n" in answers
    commit_edit(repo, SKPL, None, "\nCatatan tim kami.\n")
    # the office's store already holds the version the copy was made from
    assert cli("upgrade", "--check", str(repo)).stdout == f"{repo}: sudah terbaru (templat v{NOW})\n"
    upgraded_keeping_the_edit(cli, repo, template_copy)
    log = git(repo, "log", "--format=%s", "-2").splitlines()
    assert log == [
        f"Upgrade the sop-toolkit template v{NOW} -> v{NEXT}",
        f"Record the sop-toolkit template version v{NOW} of a repository made with copier copy",
    ]
    assert git(repo, "status", "--porcelain") == ""


def test_an_older_plain_copy_says_how_and_upgrades_with_from(
    cli: Cli, template_copy: Path, tmp_path: Path
) -> None:
    repo = plain_copy(template_copy, tmp_path / "simpeg")
    answers = repo / ".copier-answers.yml"
    answers.write_text(re.sub(r"# sopkit-template-version: .*\n", "", answers.read_text()))
    git(repo, "commit", "-qam", "as a template older than 0.3.0 left it")
    assert cli("upgrade", "--check", str(repo), "--from", NOW).exit_code == 0  # the store learns NOW
    release(template_copy, NEXT)

    result = cli("upgrade", str(repo))
    assert result.exit_code == 2
    assert "tidak mencatat versi templat (_commit)" in result.stderr
    assert f"sopkit upgrade {repo} --from X.Y.Z" in result.stderr
    unknown = cli("upgrade", str(repo), "--from", "1.2.3")
    assert unknown.exit_code == 2 and "tidak punya versi v1.2.3" in unknown.stderr
    assert git(repo, "rev-list", "--count", "HEAD").strip() == "2"  # nothing committed by the refusals

    done = cli("upgrade", str(repo), "--from", NOW)
    assert done.exit_code == 0, done.stderr
    assert (repo / "CONTRIBUTING.md").read_text() == f"# Panduan kontribusi {NEXT}\n"


def test_a_conflicting_upgrade_of_a_plain_copy_leaves_it_as_it_was(
    cli: Cli, template_copy: Path, tmp_path: Path
) -> None:
    repo = plain_copy(template_copy, tmp_path / "simpeg")
    commit_edit(repo, DPPL, DPPL_LINE, "Tujuan dokumen ini menurut tim kami.")
    head = git(repo, "rev-parse", "HEAD")
    answers = (repo / ".copier-answers.yml").read_text()
    assert cli("upgrade", "--check", str(repo)).exit_code == 0  # the store learns NOW
    release(template_copy, NEXT, edit_dppl_to="[[ISI: tujuan baru menurut templat]]")

    result = cli("upgrade", str(repo))
    assert result.exit_code == 1 and f"TIDAK diperbarui (v{NOW} -> v{NEXT})" in result.stderr
    # "repository unchanged" holds: not even the commit recording the template version stays
    assert git(repo, "rev-parse", "HEAD") == head
    assert (repo / ".copier-answers.yml").read_text() == answers
    assert git(repo, "status", "--porcelain", "--ignored") == ""


@pytest.mark.parametrize(
    "given", ["0.3.0^{tree}", "0.3.0:VERSION", "0.3.0~0", "v0.3.0^0", "HEAD", "0.3", "0.3.0.1"]
)
def test_from_is_a_version_never_a_revision(
    cli: Cli, template_copy: Path, tmp_path: Path, given: str
) -> None:
    repo = plain_copy(template_copy, tmp_path / "simpeg")
    head = git(repo, "rev-parse", "HEAD")
    result = cli("upgrade", str(repo), "--from", given)
    assert result.exit_code == 2
    assert f"'{given}' bukan versi templat" in result.stderr
    assert git(repo, "rev-parse", "HEAD") == head


@pytest.mark.parametrize("version", ["0.1.0\n_commit: v0.3.0", "0.1.0\n", "0.3.0^{tree}", "latest", ""])
def test_a_plain_copy_cannot_stamp_anything_but_a_version(
    template_copy: Path, tmp_path: Path, version: str
) -> None:
    from copier import run_copy

    data = {"app_name": "SIMPEG", "opd": "BKD", "template_version": version}
    with pytest.raises(ValueError, match=r"template version must be X\.Y\.Z"):
        run_copy(str(template_copy), str(tmp_path / "x"), data=data, defaults=True, quiet=True, unsafe=False)
    answers = tmp_path / "x" / ".copier-answers.yml"
    assert not answers.exists() or "_commit" not in answers.read_text()

"""Code is default-deny, on real git: a file that is neither an artefact nor a policy file is application
code wherever it lies, so the code gate holds it back before the design and the security sign-off covers
it after the test. Two offices are built once per module (new, and signed off through the security test)
and each test works on a copy."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.forge.plain.test_adversarial import rejected
from tests.office import Office, open_office, write_security_report

SHELL = "<?php system($_GET['c']);\n"
REPORT = "docs/14-uji-keamanan/laporan-uji-keamanan.md"


def sopkit(*args: str, lang: str | None = None) -> Result:
    from toolkit.cli.app import cli

    return CliRunner().invoke(cli, list(args), env={"SOPKIT_LANG": lang}, catch_exceptions=False)


def english(*args: str) -> Result:
    return sopkit(*args, lang="en")


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory, keyring: dict[str, Path]) -> Iterator[dict[str, Path]]:
    """A new office (first push done), and one whose steps 1–14 are complete: code landed after the
    design, the security report names the tested commit and the security team signed it off."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SOPKIT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        fresh = tmp_path_factory.mktemp("fresh") / "office"
        fresh.mkdir()
        open_office(fresh, sopkit, keyring)
        tested = tmp_path_factory.mktemp("tested") / "office"
        shutil.copytree(fresh, tested, symlinks=True)
        office = Office(tested, english, keyring)
        _designed, tested_commit = office.program("src/index.php", "<?php echo 'Halo';\n")
        office.fill(14)
        write_security_report(office.app, tested_commit)
        office.commit("Laporan uji keamanan", author="rina")
        signed = office.signoff(14, "security")
        assert signed.exit_code == 0, signed.stderr
        assert office.push().returncode == 0
        release = office.cli("gate", "release", "--repo", str(office.app), *office.rules)
        assert release.exit_code == 0, release.stdout
        yield {"fresh": fresh, "tested": tested}


def _copy(prepared: Path, tmp_path: Path, keyring: dict[str, Path]) -> Office:
    root = tmp_path / "office"
    shutil.copytree(prepared, root, symlinks=True)
    return Office(root, english, keyring)


@pytest.fixture
def fresh(prepared: dict[str, Path], tmp_path: Path, keyring: dict[str, Path]) -> Office:
    """A new application on its server: nothing filled in, the design steps far away."""
    return _copy(prepared["fresh"], tmp_path, keyring)


@pytest.fixture
def tested(prepared: dict[str, Path], tmp_path: Path, keyring: dict[str, Path]) -> Office:
    """An application signed off through the security test (step 14), its release allowed."""
    return _copy(prepared["tested"], tmp_path, keyring)


def step_status(office: Office, no: int) -> str:
    state = office.cli("gate", "check", "--repo", str(office.app), "--format", "json", *office.rules)
    return str(next(s["status"] for s in json.loads(state.stdout)["steps"] if s["no"] == no))


# --- before the design steps: the code gate ----------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "docs/01-permintaan/shell.php",  # beside an artefact, in the step's own folder
        "docs/lampiran/shell.php",  # a docs folder no step has
        "docs/shell.php",
        "docs/06-rapat-kebutuhan/dokumentasi/.htaccess",  # hidden files are never artefacts
        "docs/14-uji-keamanan/.user.ini",
    ],
)
def test_code_under_docs_before_the_design_is_refused(fresh: Office, path: str) -> None:
    fresh.write(path, SHELL)
    fresh.commit("Lampiran")
    stderr = rejected(fresh, "[code]", path, "7, 8, 9, 10")
    assert "application code changes" in stderr


def test_gitattributes_is_code(fresh: Office) -> None:
    # export-ignore changes what `git archive` ships: the released code, not a side file
    fresh.write(".gitattributes", "src/** export-ignore\n")
    fresh.commit("Atribut git")
    rejected(fresh, "[code]", ".gitattributes")


@pytest.mark.parametrize(
    "path",
    [
        ".github/ISSUE_TEMPLATE/laporan-bug.yml",  # only the issue templates the policy names are not code
        ".github/dependabot.yml",
        ".github/actions/deploy/action.yml",
        "src/.gitattributes",
        "README.md.php",  # near an exempt name is not an exempt name
        "docs/README.md.php",
    ],
)
def test_files_outside_docs_that_no_policy_names_are_code(fresh: Office, path: str) -> None:
    fresh.write(path, "name: x\n")
    fresh.commit("Berkas baru")
    rejected(fresh, "[code]", path)


def test_a_file_the_policy_names_as_not_code_may_change(fresh: Office) -> None:
    fresh.write("README.md", "# Sistem Informasi Kepegawaian\n\nCatatan baru.\n")
    fresh.write(".github/ISSUE_TEMPLATE/perubahan.yml", "name: Perubahan\n")
    fresh.commit("README")
    pushed = fresh.push()
    assert pushed.returncode == 0, pushed.stderr


def test_widening_the_exemptions_in_the_change_does_not_help(fresh: Office) -> None:
    policy = fresh.app / ".sop" / "sop.yaml"
    text = policy.read_text()
    assert text.count("      - README.md\n") == 1
    policy.write_text(text.replace("      - README.md\n", '      - README.md\n      - "docs/**"\n'))
    fresh.write("docs/shell.php", SHELL)
    fresh.commit("Pengecualian baru")
    # the change is judged by the base's policy: the file is code, and the policy change needs its owners
    rejected(fresh, "[code]", "docs/shell.php", "[policy]", "policy owner")
    # even the owners cannot sign a wildcard exemption into the policy: it does not validate
    signed = fresh.signoff("policy", "kasi")
    assert signed.exit_code == 2 and "code is default-deny" in signed.stderr
    rejected(fresh, "[policy]", "code is default-deny", "[code]")


# --- after the security test: the sign-off covers every file that is code ---------------------------


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("docs/x.php", SHELL),
        ("docs/14-uji-keamanan/.htaccess", "AddType application/x-httpd-php .md\n"),
        (".gitattributes", "src/** export-ignore\n"),
        (".github/actions/deploy/action.yml", "runs: {using: composite, steps: []}\n"),
    ],
)
def test_code_added_after_the_security_test_needs_a_re_test(tested: Office, path: str, text: str) -> None:
    tested.write(path, text)
    tested.commit("Tambahan setelah uji keamanan")
    pushed = tested.push()
    assert pushed.returncode == 0, pushed.stderr  # the design is complete: code may merge
    assert step_status(tested, 14) == "stale"
    release = tested.cli("gate", "release", "--repo", str(tested.app), "--format", "json", *tested.rules)
    assert release.exit_code == 1, release.stdout
    data = json.loads(release.stdout)
    assert data["decision"] == "block"
    assert any(v["step"] == 14 and "re-test" in v["message"] for v in data["violations"]), data


def test_a_named_exemption_changes_without_a_re_test(tested: Office) -> None:
    tested.write("README.md", "# Sistem Informasi Kepegawaian\n\nPanduan singkat.\n")
    tested.commit("README")
    assert tested.push().returncode == 0
    assert step_status(tested, 14) == "complete"
    release = tested.cli("gate", "release", "--repo", str(tested.app), *tested.rules)
    assert release.exit_code == 0, release.stdout


def test_a_file_in_a_folder_of_any_kind_is_that_steps_artefact(tested: Office) -> None:
    # docs/06-rapat-kebutuhan/data/** takes any file: a script there is step 6's, signed off again or refused
    tested.write("docs/06-rapat-kebutuhan/data/impor.php", SHELL)
    tested.commit("Data OPD")
    rejected(tested, "[signoff]", "step 6 changes and needs the sign-off of 'kasi'")

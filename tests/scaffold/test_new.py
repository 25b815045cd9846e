"""``sopkit new``: one command, one commit, no prompt; every artefact of sop.yaml has its place."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import ROOT, Cli, git
from tests.scaffold.conftest import APP, NewApp
from toolkit import sop
from toolkit.evidence.classify import classes
from toolkit.evidence.contents import EXAMPLE_START
from toolkit.sop import globs


def test_new_makes_a_repository_with_one_commit_and_asks_nothing(tmp_path: Path) -> None:
    dest = tmp_path / "simpeg"
    sopkit = Path(sys.executable).parent / "sopkit"
    result = subprocess.run(
        [str(sopkit), "new", str(dest), "--defaults", *APP],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
        env=os.environ,
    )
    assert result.returncode == 0, result.stderr
    assert git(dest, "rev-list", "--count", "HEAD").strip() == "1"
    assert git(dest, "status", "--porcelain") == ""
    assert git(dest, "branch", "--show-current").strip() == "main"
    answers = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    assert answers["app_name"] == "Sistem Informasi Kepegawaian"
    assert answers["app_slug"] == "sistem-informasi-kepegawaian"
    assert answers["_commit"] == "v" + (ROOT / "project_template" / "VERSION").read_text().strip()
    assert "Langkah berikutnya" in result.stdout or "Next steps" in result.stdout
    readme = (dest / "README.md").read_text()
    assert readme.startswith("# Sistem Informasi Kepegawaian\n")
    assert "**Badan Kepegawaian Daerah**" in readme


def test_every_artefact_of_the_policy_has_its_place(new_app: NewApp) -> None:
    repo = new_app()
    policy = sop.load(repo / ".sop" / "sop.yaml")
    index = (repo / "docs" / "README.md").read_text()
    marker = policy.settings.placeholder
    for step in policy.steps:
        for artefact in step.artefacts:
            path = artefact.path
            assert f"`{path.removeprefix('docs/')}`" in index, f"docs/README.md does not name {path}"
            if artefact.kind in ("pdf", "image"):
                # a signed letter, a scan, a photo: the office's own file, no template; the step's
                # folder is there (a folder of photos comes with its first photo)
                assert (repo / "/".join(path.split("/")[:2])).is_dir(), f"no folder for {path}"
            elif globs.is_glob(path):
                # a folder of optional data comes with its first file
                files = [f.relative_to(repo).as_posix() for f in (repo / "docs").rglob("*")]
                assert artefact.optional or any(globs.matches(path, f) for f in files), path
            else:
                document = repo / path
                assert document.is_file(), f"no template for {path}"
                text = document.read_text(encoding="utf-8")
                # what is not filled in yet is a placeholder, or an example marked as such
                assert marker in text or EXAMPLE_START in text, f"{path} lacks the placeholder marker"
                for section in artefact.sections:
                    assert re.search(rf"^#+ {re.escape(section)}\s*$", text, re.M), f"{path}: no '{section}'"
                if artefact.fields:
                    front = yaml.safe_load(text.split("---\n")[1])
                    assert set(artefact.fields) <= set(front), f"{path}: fields {artefact.fields}"


def test_no_template_document_is_orphaned(new_app: NewApp) -> None:
    repo = new_app()
    policy = sop.load(repo / ".sop" / "sop.yaml")
    patterns = [a.path for s in policy.steps for a in s.artefacts]
    for file in (repo / "docs").rglob("*"):
        if not file.is_file():
            continue
        rel = file.relative_to(repo).as_posix()
        if rel == "docs/README.md":
            continue
        assert any(globs.matches(p, rel) for p in patterns), f"{rel} belongs to no step of sop.yaml"


def test_the_scaffold_holds_no_code(new_app: NewApp) -> None:
    """Code is default-deny and needs the design steps: the first push of a new repository may only
    carry artefacts (the unfilled templates), policy files and the files the policy names as not code."""
    repo = new_app()
    files = git(repo, "ls-files", "-z").split("\0")[:-1]
    assert ".gitignore" in files and "README.md" in files
    assert classes(sop.load(repo / ".sop" / "sop.yaml")).code_among(files) == []


def test_policy_in_the_repository_is_the_office_policy(new_app: NewApp) -> None:
    repo = new_app()
    assert (repo / ".sop" / "sop.yaml").read_bytes() == (ROOT / "sop.yaml").read_bytes()
    assert (repo / ".sop" / "sop.schema.json").read_bytes() == (ROOT / "sop.schema.json").read_bytes()


def test_codeowners_give_each_folder_to_its_signing_roles(new_app: NewApp) -> None:
    repo = new_app("--data", "github_org=diskominfotik-sumbar")
    policy = sop.load(repo / ".sop" / "sop.yaml")
    owners: dict[str, list[str]] = {}
    for line in (repo / ".github" / "CODEOWNERS").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            path, *teams = line.split()
            owners[path] = teams
    for step in policy.steps:
        folders = {a.path.split("/")[1] for a in step.artefacts}
        expected = [f"@diskominfotik-sumbar/{policy.roles[r].team}" for r in step.signoffs]
        for folder in folders:
            assert owners[f"/docs/{folder}/"] == expected, folder
    policy_owners = [f"@diskominfotik-sumbar/{policy.roles[r].team}" for r in policy.policy.owners]
    for pattern in policy.policy.paths:
        key = "/" + pattern.removesuffix("**")
        assert owners[key] == policy_owners, pattern


def test_template_team_defaults_match_the_roles() -> None:
    config = yaml.safe_load((ROOT / "project_template" / "copier.yml").read_text())
    policy = sop.load(ROOT / "sop.yaml")
    assert config["teams"]["default"] == {r.id: r.team for r in policy.roles.values()}


def test_pull_request_template_lists_every_step(new_app: NewApp) -> None:
    repo = new_app()
    policy = sop.load(repo / ".sop" / "sop.yaml")
    checklist = (repo / ".github" / "pull_request_template.md").read_text()
    for step in policy.steps:
        folder = step.artefacts[0].path.split("/")[1]
        assert re.search(rf"^- \[ \] {step.no}\. .*`docs/{folder}/`", checklist, re.M), step.id


def test_answers_fill_the_documents(new_app: NewApp) -> None:
    repo = new_app("--data", "request_letter_no=800/123/BKD/2026", "--data", "request_letter_date=2026-11-02")
    front = yaml.safe_load((repo / "docs/01-permintaan/surat-permintaan.md").read_text().split("---\n")[1])
    assert front["nomor_surat"] == "800/123/BKD/2026"
    assert front["tanggal_surat"] == "2026-11-02"
    assert front["opd"] == "Badan Kepegawaian Daerah"


def test_refuses_a_folder_that_is_not_empty(cli: Cli, tmp_path: Path) -> None:
    dest = tmp_path / "busy"
    dest.mkdir()
    (dest / "catatan.txt").write_text("milik saya")
    result = cli("new", str(dest), "--defaults", *APP)
    assert result.exit_code == 2
    assert result.stderr == (
        f"{dest} tidak kosong; sopkit new hanya membuat repositori di folder baru atau "
        "kosong, sehingga tidak ada berkas Anda yang tertimpa\n"
    )
    assert [p.name for p in dest.iterdir()] == ["catatan.txt"]


def test_refuses_bad_answers_and_leaves_nothing(cli: Cli, tmp_path: Path) -> None:
    dest = tmp_path / "app"
    cases = [
        (("--data", "app_slug=Bad Slug"), "Validation error for question 'app_slug'"),
        (("--data", "request_letter_date=2026-13-01"), "the date must be YYYY-MM-DD"),
        (("--data", "teams=[1, 2]"), "must map each role to a team"),
        (("--data", "app_name=  "), "the application name is required"),
        (("--data", "bogus=1"), "--data bogus: templat tidak punya pertanyaan itu"),
        (("--data", "app_name"), "--data 'app_name': tulis sebagai KUNCI=NILAI"),
    ]
    for extra, expected in cases:
        result = cli("new", str(dest), "--defaults", *APP, *extra)
        assert result.exit_code == 2, extra
        assert expected in result.stderr, (extra, result.stderr)
        assert "Traceback" not in result.stderr
        assert not dest.exists(), extra


def test_a_question_without_default_must_be_answered(cli: Cli, tmp_path: Path) -> None:
    result = cli("new", str(tmp_path / "app"), "--defaults", "--data", "opd=Dinas Pariwisata")
    assert result.exit_code == 2
    assert result.stderr == (
        "pertanyaan 'app_name' tidak punya nilai bawaan: jawab dengan --data app_name=...\n"
    )


def test_policy_option_validates_and_replaces_the_policy(cli: Cli, tmp_path: Path) -> None:
    broken = ROOT / "tests" / "sop" / "corpus" / "unknown-role-typo.yaml"
    result = cli("new", str(tmp_path / "a"), "--defaults", *APP, "--policy", str(broken))
    assert result.exit_code == 2
    assert ":54:14: peran 'securty' tidak dikenal" in result.stderr
    assert not (tmp_path / "a").exists()
    minimal = ROOT / "tests" / "sop" / "minimal.yaml"
    result = cli("new", str(tmp_path / "b"), "--defaults", *APP, "--policy", str(minimal))
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "b" / ".sop" / "sop.yaml").read_bytes() == minimal.read_bytes()


def test_slug_folds_accents(new_app: NewApp) -> None:
    repo = new_app("--data", "app_name=Aplikasi Pariwisata Ranah Minang Édisi 2")
    answers = yaml.safe_load((repo / ".copier-answers.yml").read_text())
    assert answers["app_slug"] == "aplikasi-pariwisata-ranah-minang-edisi-2"


def test_plain_copier_copy_renders_the_template(tmp_path: Path) -> None:
    from copier import run_copy

    run_copy(
        str(ROOT / "project_template"),
        tmp_path / "plain",
        data={"app_name": "Sistem Informasi Arsip", "opd": "Dinas Kearsipan"},
        defaults=True,
        quiet=True,
    )
    assert (tmp_path / "plain" / "docs" / "07-skpl" / "skpl.md").is_file()
    assert sop.load(tmp_path / "plain" / ".sop" / "sop.yaml").step(14).id == "uji-keamanan"


def test_roster_option_validates_and_places_the_roster(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "version: 1\nmembers:\n  budi:\n    name: Budi\n    email: budi@x.go.id\n"
        "    keys: [nope]\n    roles: [{role: kasi}]\n"
    )
    result = cli("new", str(tmp_path / "a"), "--defaults", *APP, "--roster", str(bad))
    assert result.exit_code == 2
    assert f"{bad}:6:12:" in result.stderr
    assert not (tmp_path / "a").exists()
    key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGk0fx4dsmBh8TzZBgAuUSkGeMnZpOhnmkUQqqY3hKlG budi"
    good = tmp_path / "good.yaml"
    good.write_text(bad.read_text().replace("[nope]", f"[{key}]"))
    result = cli("new", str(tmp_path / "b"), "--defaults", *APP, "--roster", str(good))
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "b" / ".sop" / "roster.yaml").read_text() == good.read_text()

"""Registry commits whose trees no transition makes (a path named twice, a folder of many files, files
nested deeper than a request's folder), refused by every reader, and the documents a scaffold fills
with values that hold YAML's own characters."""

from __future__ import annotations

import binascii
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import Cli, git
from tests.intake.registry_office import RegistryOffice


def _put(repo: Path, kind: str, data: bytes) -> str:
    """An object written as given, without git's own checks (as a hand-made pack can carry it)."""
    args = ["git", "hash-object", "-t", kind, "-w", "--stdin", "--literally"]
    return subprocess.run(args, cwd=repo, input=data, capture_output=True, check=True).stdout.decode().strip()


def _tree(repo: Path, entries: list[tuple[str, str, str]]) -> str:
    return _put(repo, "tree", b"".join(f"{m} {n}\0".encode() + binascii.unhexlify(s) for m, n, s in entries))


def _doubled_root(repo: Path, root: Path) -> str:
    """A first commit whose ``.sop/`` names ``roster.yaml`` twice (an empty roster, then the real one)."""
    policy = _put(repo, "blob", (root / "sop.yaml").read_bytes())
    roster = _put(repo, "blob", (root / "roster.yaml").read_bytes())
    sop = _tree(
        repo,
        [
            ("100644", "roster.yaml", _put(repo, "blob", b"members: []\n")),
            ("100644", "roster.yaml", roster),
            ("100644", "sop.yaml", policy),
        ],
    )
    tree = _tree(repo, [("40000", ".sop", sop), ("100644", "README.md", _put(repo, "blob", b"# R\n"))])
    return git(repo, "commit-tree", tree, "-m", "Registri permintaan aplikasi").strip()


def test_a_clone_refuses_a_first_commit_naming_a_path_twice(local: RegistryOffice) -> None:
    """Without a server's object checks (a registry copied by hand): the reader itself refuses the tree
    whose first entry git reads and whose last a mapping would keep."""
    evil = local.root / "evil"
    git(evil.parent, "init", "-q", "-b", "main", str(evil))
    commit = _doubled_root(evil, local.root)
    git(evil, "update-ref", "refs/heads/main", commit)
    verified = local.cli("request", "verify", "--registry", str(evil))
    assert verified.exit_code == 1
    assert "names .sop/roster.yaml twice" in verified.stderr


def test_an_application_server_refuses_a_malformed_tree(
    tmp_path: Path, local: RegistryOffice, cli: Cli
) -> None:
    """``sopkit server init`` turns on git's checks of every object pushed, for applications too."""
    bare = tmp_path / "app.git"
    made = cli(
        "server",
        "init",
        str(bare),
        "--policy",
        str(tmp_path / "sop.yaml"),
        "--roster",
        str(tmp_path / "roster.yaml"),
    )
    assert made.exit_code == 0, made.stderr
    evil = tmp_path / "evil"
    git(tmp_path, "init", "-q", "-b", "main", str(evil))
    commit = _doubled_root(evil, tmp_path)
    pushed = subprocess.run(
        ["git", "push", str(bare), f"{commit}:refs/heads/main"],
        cwd=evil,
        capture_output=True,
        text=True,
        check=False,
    )
    assert pushed.returncode != 0 and "duplicateEntries" in pushed.stderr, pushed.stderr
    assert not git(bare, "for-each-ref", "refs/heads/").strip()


def test_a_request_folder_of_many_files_or_deeper_files_is_refused(local: RegistryOffice) -> None:
    """A signed transition whose request folder holds 200 files, or a file one folder deeper: refused
    by what it changes, the registry unchanged."""
    request_id = local.new().output.split(":")[0]
    tip = local.head()
    trailers = {
        "Sop-Request": request_id,
        "Sop-Transition": "record",
        "Sop-Step": "surat-masuk",
        "Sop-Role": "tu",
        "Sop-Digest": "auto",
    }
    many = {f"requests/{request_id}/f{i:03d}.yaml": b"x: 1\n" for i in range(200)}
    local.craft(many, trailers, "ani")
    verified = local.run("verify")
    assert verified.exit_code == 1 and "changes more than 3 files" in verified.stderr, verified.stderr
    git(local.reg, "reset", "-q", "--hard", tip)
    local.craft({f"requests/{request_id}/sub/02-pencatatan.yaml": b"nomor_agenda: '1'\n"}, trailers, "ani")
    verified = local.run("verify")
    assert verified.exit_code == 1 and f"requests/{request_id}/sub: 'record'" in verified.stderr, (
        verified.stderr
    )
    git(local.reg, "reset", "-q", "--hard", tip)
    assert local.run("verify").exit_code == 0


def test_values_with_quotes_and_backslashes_read_back_as_recorded(local: RegistryOffice) -> None:
    """The letter number, agency and agenda number hold YAML's own characters: the scaffolded documents'
    front matter reads them back exactly as recorded, and the documents' text shows them as typed."""
    number, agency, agenda = '800\\12/"RSUD" #1/2026', 'RSUD "Dr. Achmad Mochtar"', 'AG\\7 "x"'
    request_id = local.new(letter_no=number, opd=agency).output.split(":")[0]
    local.through(request_id, "assign", agenda=agenda)
    app = local.root / "app"
    made = local.run("scaffold", request_id, "--dest", str(app))
    assert made.exit_code == 0, made.stderr

    def front(path: str) -> dict[str, str]:
        return yaml.safe_load((app / path).read_text().split("---\n")[1])

    letter = front("docs/01-permintaan/surat-permintaan.md")
    assert letter["nomor_surat"] == number and letter["opd"] == agency
    archive = front("docs/02-surat-masuk/arsip-surat-masuk.md")
    assert archive["nomor_surat"] == number and archive["asal_surat"] == agency
    assert archive["nomor_agenda"] == agenda
    assert front("docs/16-surat-pemberitahuan/surat-pemberitahuan.md")["kepada"] == f"Kepala {agency}"
    assert f"| Nomor surat | {number} |" in (app / "docs/03-disposisi-kadis/disposisi.md").read_text()


def test_scaffold_never_puts_the_application_inside_the_registry(
    local: RegistryOffice, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Asked inside the registry without ``--dest``, the application goes beside it; a ``--dest`` inside
    it is refused, and the registry keeps working either way."""
    request_id = local.new(app="Sistem Informasi Arsip").output.split(":")[0]
    local.through(request_id, "assign")
    inside = local.reg / "apps" / "arsip"
    refused = local.run("scaffold", request_id, "--dest", str(inside))
    assert refused.exit_code == 2 and "outside it" in refused.stderr and not inside.exists()
    monkeypatch.chdir(local.reg / "requests")
    made = local.cli("request", "scaffold", request_id, "--registry", str(local.reg))
    assert made.exit_code == 0, made.stderr
    assert (local.reg.parent / "sistem-informasi-arsip" / ".sop" / "sop.yaml").is_file()
    assert local.new().exit_code == 0

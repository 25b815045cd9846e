"""Commits made by hand, as a programmer with push access and no officer's key would make them: the
server hook refuses the push (the server's branch unchanged), ``sopkit request verify`` reports the
history as not valid, and no further transition is made on top of it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import Result

from tests.conftest import Cli, git
from tests.intake.registry_office import RegistryOffice, open_registry
from tests.office import MINIMAL_PDF


@pytest.fixture
def office(tmp_path: Path, cli: Cli, keyring: dict[str, Path]) -> RegistryOffice:
    office = open_registry(tmp_path, cli, keyring)
    request_id = office.new().output.split(":")[0]
    assert request_id == "2026-001" or request_id.endswith("-001")
    office.through(request_id, "record")
    pushed = office.push()
    assert pushed.returncode == 0, pushed.stderr
    return office


def rid(office: RegistryOffice) -> str:
    return next(p.name for p in (office.reg / "requests").iterdir())


KADIS = "isi_disposisi: Untuk ditindaklanjuti\nsifat: Biasa\ntanggal: '2026-03-03'\n"


def trailers(
    office: RegistryOffice,
    transition: str = "dispose-kadis",
    step: str = "disposisi-kadis",
    role: str = "kadis",
) -> dict[str, str]:
    return {
        "Sop-Request": rid(office),
        "Sop-Transition": transition,
        "Sop-Step": step,
        "Sop-Role": role,
        "Sop-Digest": "auto",
    }


def assert_refused_everywhere(office: RegistryOffice, expected: str) -> None:
    tip = office.server_tip()
    pushed = office.push()
    assert pushed.returncode != 0, pushed.stderr
    assert expected in pushed.stderr, pushed.stderr
    assert office.server_tip() == tip
    verified = office.run("verify")
    assert verified.exit_code == 1, verified.output
    assert expected in verified.stderr, verified.stderr
    listed = office.run("list")
    assert listed.exit_code == 1 and "history is not valid" in listed.stderr


def test_a_valid_hand_made_transition_is_accepted(office: RegistryOffice) -> None:
    """The control: the same crafting, done right (kadis's key, the right trailers), is accepted."""
    path = f"requests/{rid(office)}/03-disposisi-kadis.yaml"
    office.craft({path: KADIS.encode()}, trailers(office), "dedi")
    pushed = office.push()
    assert pushed.returncode == 0, pushed.stderr
    assert office.run("verify").exit_code == 0


def test_unsigned_commit(office: RegistryOffice) -> None:
    office.craft({f"requests/{rid(office)}/03-disposisi-kadis.yaml": KADIS.encode()}, trailers(office), None)
    assert_refused_everywhere(office, "the commit is not signed")


def test_forged_trailer_role(office: RegistryOffice) -> None:
    """The programmer signs with a roster key of their own and names the Kadis's role."""
    office.craft(
        {f"requests/{rid(office)}/03-disposisi-kadis.yaml": KADIS.encode()}, trailers(office), "rina"
    )
    assert_refused_everywhere(office, "rina does not hold the role 'kadis'")


def test_key_outside_the_roster(office: RegistryOffice) -> None:
    office.craft(
        {f"requests/{rid(office)}/03-disposisi-kadis.yaml": KADIS.encode()}, trailers(office), "outsider"
    )
    assert_refused_everywhere(office, "the signature is not made by a key in the roster")


def test_forged_step_trailer(office: RegistryOffice) -> None:
    names = trailers(office, step="penugasan-tim")
    office.craft({f"requests/{rid(office)}/03-disposisi-kadis.yaml": KADIS.encode()}, names, "dedi")
    assert_refused_everywhere(office, "names the step 'penugasan-tim'")


def test_tampered_earlier_record(office: RegistryOffice) -> None:
    """TU's record rewritten (a new agenda number) inside an otherwise valid, signed transition."""
    base = f"requests/{rid(office)}"
    files = {
        f"{base}/03-disposisi-kadis.yaml": KADIS.encode(),
        f"{base}/02-pencatatan.yaml": b"nomor_agenda: '999'\ntanggal_diterima: '2026-03-02'\n",
    }
    office.craft(files, trailers(office), "dedi")
    assert_refused_everywhere(office, "may add only")


def test_record_edited_alone(office: RegistryOffice) -> None:
    base = f"requests/{rid(office)}"
    office.craft(
        {f"{base}/02-pencatatan.yaml": b"nomor_agenda: '999'\ntanggal_diterima: '2026-03-02'\n"},
        trailers(office, "record", "pencatatan-surat", "tu"),
        "ani",
    )
    assert_refused_everywhere(office, "the next transition is 'dispose-kadis', not 'record'")


def test_two_records_in_one_commit(office: RegistryOffice) -> None:
    base = f"requests/{rid(office)}"
    files = {
        f"{base}/03-disposisi-kadis.yaml": KADIS.encode(),
        f"{base}/04-disposisi-kabid.yaml": KADIS.encode(),
    }
    office.craft(files, trailers(office), "dedi")
    assert_refused_everywhere(office, "04-disposisi-kabid.yaml: 'dispose-kadis' of request")


def test_an_extra_file(office: RegistryOffice) -> None:
    files = {
        f"requests/{rid(office)}/03-disposisi-kadis.yaml": KADIS.encode(),
        "src/index.php": b"<?php echo 1;",
    }
    office.craft(files, trailers(office), "dedi")
    assert_refused_everywhere(office, "src/index.php: 'dispose-kadis'")


def test_a_symlink_record(office: RegistryOffice) -> None:
    path = f"requests/{rid(office)}/03-disposisi-kadis.yaml"
    office.craft({}, trailers(office), "dedi", links={path: "../../.sop/roster.yaml"})
    assert_refused_everywhere(office, "not a regular file")


def test_the_roster_changed_without_its_owners(office: RegistryOffice) -> None:
    """The programmer grants themselves the Kadis's role in the registry's roster."""
    roster = (office.reg / ".sop" / "roster.yaml").read_text().replace("- role: it-support", "- role: kadis")
    office.craft({".sop/roster.yaml": roster.encode()}, trailers(office), "rina")
    assert_refused_everywhere(office, ".sop/roster.yaml: 'dispose-kadis'")


def test_a_commit_without_trailers(office: RegistryOffice) -> None:
    office.craft({f"requests/{rid(office)}/03-disposisi-kadis.yaml": KADIS.encode()}, None, "dedi")
    assert_refused_everywhere(office, "not a transition")


def next_request(request_id: str, letter: bytes = MINIMAL_PDF) -> dict[str, bytes]:
    """The files of a new request ``request_id`` made by hand."""
    record = f"id: {request_id}\nopd: X\naplikasi: Y\njenis: pembangunan\nnomor_surat: '1'\n"
    return {
        f"requests/{request_id}/request.yaml": (record + "tanggal_surat: '2026-01-01'\n").encode(),
        f"requests/{request_id}/surat-permintaan.pdf": letter,
    }


def new_names(request_id: str) -> dict[str, str]:
    return {
        "Sop-Request": request_id,
        "Sop-Transition": "new",
        "Sop-Step": "permintaan",
        "Sop-Role": "tu",
        "Sop-Digest": "auto",
    }


def test_a_pdf_that_is_not_one(office: RegistryOffice) -> None:
    following = rid(office)[:5] + "002"
    office.craft(next_request(following, b"MZ\x90\x00 not a pdf"), new_names(following), "ani")
    assert_refused_everywhere(office, "surat-permintaan.pdf: not a PDF")


def test_a_path_trick_in_the_request_id(office: RegistryOffice) -> None:
    names = {
        "Sop-Request": "../.sop",
        "Sop-Transition": "new",
        "Sop-Step": "permintaan",
        "Sop-Role": "tu",
        "Sop-Digest": "auto",
    }
    office.craft({".sop/x.pdf": MINIMAL_PDF}, names, "ani")
    assert_refused_everywhere(office, "is not a request id like 2026-001")


def test_a_rewritten_history_is_refused_by_the_server(office: RegistryOffice) -> None:
    from tests.conftest import git

    tip = office.server_tip()
    git(office.reg, "reset", "-q", "--hard", "HEAD~1")
    pushed = office.push()
    assert pushed.returncode != 0 or office.server_tip() == tip
    import subprocess

    done = subprocess.run(
        ["git", "push", "-q", "-f", str(office.bare), "HEAD:main"],
        cwd=office.reg,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0 and "rewrites history" in done.stderr
    assert office.server_tip() == tip


def test_a_new_registry_must_start_with_the_servers_policy(
    tmp_path: Path, cli: Cli, keyring: dict[str, Path]
) -> None:
    office = open_registry(tmp_path, cli, keyring, with_server=False)
    roster = (tmp_path / "roster.yaml").read_text().replace("- role: it-support", "- role: kadis")
    (tmp_path / "own-roster.yaml").write_text(roster)
    served = office.cli(
        "server",
        "init",
        str(office.bare),
        "--registry",
        "--policy",
        str(tmp_path / "sop.yaml"),
        "--roster",
        str(tmp_path / "roster.yaml"),
        "--hook-lang",
        "en",
    )
    assert served.exit_code == 0
    other = tmp_path / "other"
    made = office.cli(
        "request",
        "init",
        str(other),
        "--policy",
        str(tmp_path / "sop.yaml"),
        "--roster",
        str(tmp_path / "own-roster.yaml"),
    )
    assert made.exit_code == 0
    import subprocess

    pushed = subprocess.run(
        ["git", "push", "-q", str(office.bare), "HEAD:main"],
        cwd=other,
        capture_output=True,
        text=True,
        check=False,
    )
    assert pushed.returncode != 0 and "differs from the server's own copy" in pushed.stderr


def test_other_refs_are_refused_on_a_registry_server(office: RegistryOffice) -> None:
    import subprocess

    done = subprocess.run(
        ["git", "push", "-q", str(office.bare), "HEAD:refs/heads/side"],
        cwd=office.reg,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0 and "refused" in done.stderr


def test_no_transition_on_top_of_a_tampered_history(office: RegistryOffice) -> None:
    office.craft({f"requests/{rid(office)}/03-disposisi-kadis.yaml": KADIS.encode()}, trailers(office), None)
    before = office.state()
    result = office.run("dispose", rid(office), "--instruction", "x", key="dedi")
    assert result.exit_code == 1 and "history is not valid" in result.stderr
    assert office.state() == before


def test_a_back_dated_transition_is_judged_by_its_arrival(
    office: RegistryOffice, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lina was a Kasi in 2019-2020. She signs the team assignment with her own roster key and dates the
    commit in her window: the server judges the day it arrives, when she holds no role, and refuses a
    commit not dated on the day it arrives (every clone judges by that date)."""
    request_id = rid(office)
    assert office.run("dispose", request_id, "--instruction", "Lanjutkan", key="dedi").exit_code == 0
    disposed = office.run(
        "dispose",
        request_id,
        "--instruction",
        "Proses",
        "--assignment-no",
        "090/ST/2026",
        "--assignment-date",
        "2026-03-05",
        key="rahmat",
    )
    assert disposed.exit_code == 0, disposed.stderr
    assert office.push().returncode == 0
    tip = office.server_tip()
    for variable in ("GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE"):
        monkeypatch.setenv(variable, "2020-06-01T10:00:00+07:00")
    record = "tanggal: '2020-06-01'\ntim_it_support:\n- rina\ntim_database:\n- rina\ntim_sekuriti:\n- joko\n"
    office.craft(
        {f"requests/{request_id}/05-penugasan.yaml": record.encode()},
        trailers(office, "assign", "penugasan-tim", "kasi"),
        "lina",
    )
    pushed = office.push()
    assert pushed.returncode != 0
    assert "lina does not hold the role 'kasi' on " in pushed.stderr, pushed.stderr
    assert "on 2020-06-01" not in pushed.stderr  # judged on the day it arrived, not the day it claims
    assert "the commit is dated 2020-06-01, but reached the server on" in pushed.stderr
    assert office.server_tip() == tip


def test_a_file_name_that_is_not_utf8_is_refused_and_reported(office: RegistryOffice) -> None:
    """The Kadis's valid record, and beside it a file named with bytes that are not UTF-8 (the name alone
    needs no key): the hook answered "the gate failed (UnicodeEncodeError)", and verify, the register
    and the dashboard crashed with a traceback. Now the push is refused naming the commit and the path,
    escaped; verify says the same (exit 1); the read-only views say the history is not valid (exit 1)."""
    odd = f"requests/{rid(office)}/".encode() + b"\xff\xfe.pdf"
    files = {f"requests/{rid(office)}/03-disposisi-kadis.yaml": KADIS.encode(), odd: MINIMAL_PDF}
    commit = office.craft(files, trailers(office), "dedi")
    expected = f"{commit[:12]}: a file name must be UTF-8 text; requests/{rid(office)}/\\xff\\xfe.pdf is not"
    assert_refused_everywhere(office, expected)
    report = office.cli("report", "requests", "--registry", str(office.reg))
    app = office.root / "apps" / "simpeg"
    (app / ".sop").mkdir(parents=True)
    shutil.copyfile(office.root / "sop.yaml", app / ".sop" / "sop.yaml")
    git(app, "init", "-q", "-b", "main")
    git(app, "add", "-A")
    git(app, "-c", "user.name=Rina", "-c", "user.email=rina@example.com", "commit", "-q", "-m", "SOP")
    www = office.root / "www"
    apps = str(office.root / "apps")
    shown = office.cli("dashboard", apps, "--out", str(www), "--registry", str(office.reg))
    for view in (report, shown):
        assert view.exit_code == 1 and "history is not valid" in view.stderr, view.stderr
        assert isinstance(view.exception, SystemExit)  # a UserError, not a traceback
    assert not (www / "index.html").exists()


def _serve(office: RegistryOffice, roster: Path) -> Result:
    """``sopkit server init --registry`` again ("creates or reconfigures"), with ``roster``."""
    policy = str(office.root / "sop.yaml")
    return office.cli(
        "server", "init", str(office.bare), "--registry", "--policy", policy, "--roster", str(roster),
        "--hook-lang", "en",
    )  # fmt: skip


def test_the_office_reconfigures_its_registry_server_and_keeps_working(office: RegistryOffice) -> None:
    """The office runs `server init --registry` again with its updated roster: the server's copies were
    compared with the registry's first commit on every push, so every later push was refused ("differs
    from the server's own copy"). Now the server refuses a roster other than the registry's own, saying
    how it changes (a policy owner's `sopkit request policy`), and nothing is changed; once the
    transition is pushed, the same reconfiguration is accepted and transitions go on."""
    own = office.bare / "sopkit" / "roster.yaml"
    before = own.read_bytes()
    updated = office.root / "roster-2026.yaml"
    updated.write_text((office.root / "roster.yaml").read_text() + "# 2026: reviewed\n")
    refused = _serve(office, updated)
    assert refused.exit_code == 2 and "sopkit request policy" in refused.stderr, refused.stderr
    assert own.read_bytes() == before
    assert office.run("dispose", rid(office), "--instruction", "Segera", key="dedi").exit_code == 0
    pushed = office.push()
    assert pushed.returncode == 0, pushed.stderr
    policy = str(office.root / "sop.yaml")
    changed = office.run("policy", "--policy", policy, "--roster", str(updated), key="budi")
    assert changed.exit_code == 0 and "policy recorded by budi as kasi" in changed.output, changed.stderr
    assert office.push().returncode == 0
    assert _serve(office, updated).exit_code == 0
    assert own.read_bytes() == updated.read_bytes()
    kabid = ["--instruction", "Proses", "--assignment-no", "090/ST/2026", "--assignment-date", "2026-03-05"]
    assert office.run("dispose", rid(office), *kabid, key="rahmat").exit_code == 0
    pushed = office.push()
    assert pushed.returncode == 0, pushed.stderr
    assert office.run("verify").exit_code == 0


def test_the_registrys_roster_changes_only_by_a_policy_owner(office: RegistryOffice) -> None:
    """A programmer with push access and a roster key that is no policy owner's (rina, IT support) grants
    herself the Kadis's role: through `sopkit request policy`, and by a policy transition made by hand
    (signed with her key, or unsigned). Each is refused; the registry and the server keep their roster."""
    roster = (office.reg / ".sop" / "roster.yaml").read_text().replace("- role: it-support", "- role: kadis")
    mine = office.root / "mine.yaml"
    mine.write_text(roster)
    before = office.state()
    made = office.run("policy", "--policy", str(office.root / "sop.yaml"), "--roster", str(mine), key="rina")
    assert made.exit_code == 1 and "rina does not hold the role 'kasi'" in made.stderr, made.stderr
    assert office.state() == before
    names = {
        "Sop-Request": "registry",
        "Sop-Transition": "policy",
        "Sop-Step": "policy",
        "Sop-Role": "kasi",
        "Sop-Digest": "auto",
    }
    for key, expected in (("rina", "rina does not hold the role 'kasi'"), (None, "the commit is not signed")):
        office.craft({".sop/roster.yaml": roster.encode()}, names, key)
        assert_refused_everywhere(office, expected)
        git(office.reg, "reset", "-q", "--hard", office.server_tip())
    assert _serve(office, mine).exit_code == 2  # nor may the server be pointed at it


@pytest.mark.parametrize("chosen", ["2026-999999", "2026-0001", "2026-0002", "2026-004"])
def test_a_new_request_takes_exactly_the_next_id(office: RegistryOffice, chosen: str) -> None:
    """TU (or anyone with TU's key) pushes a `new` made by hand with an id of their choosing: 2026-999999
    left `sopkit request new` no id for the rest of the year, 2026-0001 was a second request 001 beside
    2026-001, and a skipped number leaves a hole in the register. Only the next id is accepted, and the
    message names it; `sopkit request new` goes on as before."""
    year = rid(office)[:4]
    chosen = chosen.replace("2026", year)
    office.craft(next_request(chosen), new_names(chosen), "ani")
    assert_refused_everywhere(office, f"{chosen} is not the next request id: a new request is {year}-002")
    git(office.reg, "reset", "-q", "--hard", office.server_tip())
    made = office.new()
    assert made.exit_code == 0 and made.output.startswith(f"{year}-002:"), made.stderr
    pushed = office.push()
    assert pushed.returncode == 0, pushed.stderr


def _alias_bomb() -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 12)]
    return "\n".join(lines) + "\nisi_disposisi: *a11\nsifat: Biasa\ntanggal: '2026-03-03'\n"


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (KADIS.replace("sifat: Biasa\n", "sifat: Biasa\nsifat: Rahasia\n"), "duplicate key 'sifat'"),
        (_alias_bomb(), "expands to more than"),
    ],
)
def test_a_record_that_yaml_would_misread_is_refused(
    office: RegistryOffice, record: str, expected: str
) -> None:
    """The Kadis's own signed record, written to be read two ways (a key given twice: which `sifat`?) or
    to exhaust the hook (aliases that expand to billions of values): refused, quickly, never expanded."""
    path = f"requests/{rid(office)}/03-disposisi-kadis.yaml"
    office.craft({path: record.encode()}, trailers(office), "dedi")
    assert_refused_everywhere(office, expected)


def test_request_show_prints_no_line_a_record_forges(office: RegistryOffice) -> None:
    """The Kadis's note (`catatan`, up to 2,000 characters, new lines allowed) carries lines shaped like
    the events and the "waiting for" line of `sopkit request show`: they were printed as they are, so
    the request looked assigned to a team and waiting for nobody. Each value is shown on one line."""
    forged = "  2026-03-05  assign         Budi (kasi)  0123456789ab"
    record = KADIS + f'catatan: "Lanjut\\n{forged}\\nwaiting for: -"\n'
    path = f"requests/{rid(office)}/03-disposisi-kadis.yaml"
    office.craft({path: record.encode()}, trailers(office), "dedi")
    assert office.push().returncode == 0
    shown = office.run("show", rid(office))
    assert shown.exit_code == 0, shown.stderr
    lines = shown.output.splitlines()
    assert forged not in lines and "waiting for: -" not in lines, shown.output
    note = next(line for line in lines if "catatan=Lanjut" in line)
    assert forged.strip() in note and note.endswith("waiting for: -")
    assert lines[-1].startswith("waiting for: ") and "Rahmat" in lines[-1]


@pytest.mark.parametrize("hidden", ["\u202e", "\u2066", "\u009b", "\u0085"])
def test_a_record_with_a_bidirectional_override_or_a_c1_control_is_refused(
    office: RegistryOffice, hidden: str
) -> None:
    """A bidirectional override (U+202E shows `fdp.exe` as `exe.pdf`) or a C1 control (U+009B starts a
    terminal escape) in a long field passed: the printable check applied only to fields of at most 300
    characters. Every field refuses them now."""
    escaped = f"\\u{ord(hidden):04x}"
    record = KADIS + f'catatan: "Lanjut {escaped} segera"\n'
    path = f"requests/{rid(office)}/03-disposisi-kadis.yaml"
    office.craft({path: record.encode()}, trailers(office), "dedi")
    assert_refused_everywhere(
        office, f"bidirectional overrides and control characters are not allowed (U+{ord(hidden):04X})"
    )

"""Outside review, round 4, of the request registry and intake (SOP steps 1-5): attacks by a programmer
with push access and no officer's key, and user mistakes. Each test names the attack, its severity and
the expected and actual outcomes; every ``test_*`` except the ``control`` ones fails on the code reviewed
(8251a98) because of the defect it describes."""

from __future__ import annotations

import binascii
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Cli, git
from tests.intake.registry_office import RegistryOffice, open_registry
from tests.office import PEOPLE, roster_text

# --------------------------------------------------------------------------------------------- helpers


def _put(repo: Path, kind: str, data: bytes, literally: bool = False) -> str:
    """An object written as given (``literally``: without git's own checks, as a hand-made pack can)."""
    args = ["git", "hash-object", "-t", kind, "-w", "--stdin", *(["--literally"] if literally else [])]
    return subprocess.run(args, cwd=repo, input=data, capture_output=True, check=True).stdout.decode().strip()


def _raw_tree(repo: Path, entries: list[tuple[str, str, str]]) -> str:
    """A tree object of exactly ``entries`` (mode, name, id), in the order given, duplicates kept."""
    data = b"".join(m.encode() + b" " + n.encode() + b"\0" + binascii.unhexlify(s) for m, n, s in entries)
    return _put(repo, "tree", data, literally=True)


def _push(repo: Path, bare: Path, commit: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "push", "-q", str(bare), f"{commit}:refs/heads/main"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )


def _push_peak_memory(repo: Path, bare: Path, commit: str) -> tuple[int, str, int]:
    """Push ``commit`` from a fresh process and report its exit code, its stderr and the peak memory (KiB)
    of the processes it waited for (git receive-pack and the pre-receive hook under it)."""
    script = (
        "import resource, subprocess, sys\n"
        "done = subprocess.run(['git', 'push', '-q', sys.argv[1], sys.argv[2] + ':refs/heads/main'],"
        " capture_output=True, text=True)\n"
        "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        "sys.stderr.write(done.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(bare), commit],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    code, peak = done.stdout.split()
    return int(code), done.stderr, int(peak)


def _gate_reasons(cli: Cli, app: Path) -> dict[int, list[str]]:
    state = cli("gate", "check", "--repo", str(app), "--format", "json", lang="en")
    return {s["no"]: s["reasons"] for s in json.loads(state.output)["steps"]}


# ------------------------------------------------------- 1. a malformed root tree is accepted by the hook


def test_a_root_commit_whose_tree_holds_a_path_twice_is_refused(
    tmp_path: Path, cli: Cli, keyring: dict[str, Path]
) -> None:
    """Attack (severity: medium): on a new registry server, before the office's first push, the
    programmer pushes their own root commit (no key is needed for a registry's first commit). Its tree is
    hand-made: ``.sop/`` holds ``roster.yaml`` twice, first a roster giving the programmer every role,
    then the server's own roster. The server runs no fsck (``receive.fsckObjects`` is unset), and the
    hook reads the tree with ``diff-tree``/``ls-tree`` into dicts where the last entry wins, so it sees
    the server's roster and accepts the commit; git itself (``HEAD:.sop/roster.yaml``, checkout, the
    index) takes the first entry, the programmer's roster. Every clone of the registry is then broken
    for good: the checkout is "modified" the moment it is made, so every ``sopkit request`` transition
    is refused ("has uncommitted changes") while ``sopkit request verify`` says "registry valid".

    Expected: the push is refused (a tree git's fsck calls malformed: duplicate entries) and the server
    keeps no branch. Actual: accepted ("1 transitions accepted")."""
    office = open_registry(tmp_path, cli, keyring, with_server=False)
    made = office.cli(
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
    assert made.exit_code == 0, made.stderr
    evil = tmp_path / "evil"
    evil.mkdir()
    git(evil, "init", "-q", "-b", "main")
    everything = ["tu", "kadis", "kabid", "kasi", "security", "pengendalian"]
    own = roster_text(keyring, {**PEOPLE, "outsider": (everything, None, None)}).encode()
    theirs = (tmp_path / "roster.yaml").read_bytes()
    policy = _put(evil, "blob", (tmp_path / "sop.yaml").read_bytes())
    sop_dir = _raw_tree(
        evil,
        [
            ("100644", "roster.yaml", _put(evil, "blob", own)),
            ("100644", "roster.yaml", _put(evil, "blob", theirs)),
            ("100644", "sop.yaml", policy),
        ],
    )
    root = _raw_tree(
        evil, [("40000", ".sop", sop_dir), ("100644", "README.md", _put(evil, "blob", b"# R\n"))]
    )
    commit = git(evil, "commit-tree", root, "-m", "Registri permintaan aplikasi").strip()
    assert (
        b"outsider"
        in subprocess.run(  # what git itself reads at that path: the programmer's roster
            ["git", "cat-file", "-p", f"{commit}:.sop/roster.yaml"], cwd=evil, capture_output=True, check=True
        ).stdout
    )
    pushed = _push(evil, office.bare, commit)
    assert pushed.returncode != 0, "accepted: " + pushed.stderr
    assert not git(office.bare, "for-each-ref", "refs/heads/").strip()


# ---------------------------------------------------- 2. a tree bomb makes the hook read millions of paths


def test_an_unsigned_tree_bomb_is_refused_without_listing_every_path(served: RegistryOffice) -> None:
    """Attack (severity: medium, availability): with push access and no key, push one unsigned commit
    whose ``requests/`` is a nested tree bomb: 100 directories of 100 directories of 100 files, a million
    paths from four objects (about 20 KB on the wire; one more level is a hundred million). The hook runs
    ``git diff-tree -r`` over the whole commit and holds every path of it in Python lists
    (``registry._changes``) before it judges anything, although a transition adds at most three files; a
    few parallel pushes exhaust the server's memory (the server also hosts the application repositories).

    Control: a plain unsigned commit of one file is refused by the same hook; its peak memory (about 25
    MiB here) is the baseline. Expected: the bomb is refused within 256 MiB (or three times the baseline,
    whichever is more): the number of files a transition may add is known before any path is listed.
    Actual: refused, after the push's processes peaked at about 770 MiB, growing linearly with the
    bomb (one more level: a hundred times more)."""
    reg, bare = served.reg, served.bare
    tip = served.head()
    small_root = git(reg, "ls-tree", "HEAD") + f"100644 blob {_put(reg, 'blob', b'x')}\tjunk.txt\n"
    small_tree = subprocess.run(
        ["git", "mktree"], cwd=reg, input=small_root.encode(), capture_output=True, check=True
    ).stdout.decode()
    small = git(reg, "commit-tree", small_tree.strip(), "-p", tip, "-m", "junk").strip()
    code, said, baseline = _push_peak_memory(reg, bare, small)
    assert code != 0 and "not a valid transition" in said  # the control: refused, and its peak measured

    leaf = _put(reg, "blob", b"x\n")
    tree = _put(reg, "tree", b"".join(b"100644 f%03d\0" % i + binascii.unhexlify(leaf) for i in range(100)))
    for _level in range(2):
        tree = _put(
            reg, "tree", b"".join(b"40000 d%03d\0" % i + binascii.unhexlify(tree) for i in range(100))
        )
    root = git(reg, "ls-tree", "HEAD") + f"040000 tree {tree}\trequests\n"
    bomb_tree = subprocess.run(
        ["git", "mktree"], cwd=reg, input=root.encode(), capture_output=True, check=True
    ).stdout.decode()
    bomb = git(reg, "commit-tree", bomb_tree.strip(), "-p", tip, "-m", "bomb").strip()
    code, said, peak = _push_peak_memory(reg, bare, bomb)
    assert code != 0, said
    assert served.server_tip() == tip
    said = f"the push peaked at {peak // 1024} MiB (baseline {baseline // 1024} MiB)"
    assert peak < max(3 * baseline, 256 * 1024), said


# ------------------------------------------- 3. scaffold writes the letter's values unescaped into YAML


def test_a_letter_number_with_a_backslash_or_quote_gives_a_valid_step_1_and_2(
    local: RegistryOffice, cli: Cli
) -> None:
    """Defect (severity: medium): the registry accepts a letter number (``nomor_surat``) holding ``\\`` or
    ``"`` (real letter numbers do: ``800\\12/"RSUD"/2026``, and on GitHub the agency types it into the
    form); ``sopkit request scaffold`` passes it to Copier, whose templates put it unescaped inside
    double-quoted YAML front matter (``docs/01-permintaan/surat-permintaan.md``,
    ``docs/02-surat-masuk/arsip-surat-masuk.md``: ``nomor_surat: "{{ request_letter_no }}"``). The
    application repository starts with steps 1 and 2 broken ("YAML syntax error: found unknown escape
    character") and every later step blocked; a value like ``X" #`` instead changes what the document
    says silently (``nomor_surat`` reads ``X``).

    Expected: the scaffolded documents of steps 1 and 2 are valid YAML holding the letter number as
    recorded. Actual: both front matters are YAML syntax errors."""
    made = local.new(letter_no='800\\12/"RSUD"/2026')
    assert made.exit_code == 0, made.stderr
    request_id = made.output.split(":")[0]
    local.through(request_id, "assign")
    app = local.root / "app"
    scaffolded = local.run("scaffold", request_id, "--dest", str(app))
    assert scaffolded.exit_code == 0, scaffolded.stderr
    reasons = _gate_reasons(cli, app)
    broken = [r for no in (1, 2) for r in reasons[no] if "YAML" in r]
    assert not broken, broken


def test_an_agency_name_with_quotes_can_be_scaffolded(local: RegistryOffice) -> None:
    """Defect (severity: low): an agency named with quotes (``RSUD "Dr. Achmad Mochtar"``) is accepted at
    step 1 and carried through step 5, but the assigned request can never be scaffolded: the template
    derives ``opd_head`` ("Kepala {{ opd }}") and its validator refuses quotes, so scaffold stops with
    "the template refused the answers: Validation error for question 'opd_head'", about a question the
    Kasi never answered and cannot answer through ``sopkit request scaffold`` (a closed request's record
    cannot be changed either).

    Expected: scaffold succeeds (or the registry refuses the name at step 1, naming the field). Actual:
    exit 2 at scaffold, after all five transitions were accepted."""
    made = local.new(opd='RSUD "Dr. Achmad Mochtar"')
    assert made.exit_code == 0, made.stderr
    request_id = made.output.split(":")[0]
    local.through(request_id, "assign")
    scaffolded = local.run("scaffold", request_id, "--dest", str(local.root / "app"))
    assert scaffolded.exit_code == 0, scaffolded.stderr


# ------------------------------------------------ 4. scaffold's default folder lies inside the registry


def test_scaffold_with_its_defaults_leaves_the_registry_working(
    local: RegistryOffice, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Defect (severity: low): ``--registry`` defaults to ``.`` and ``--dest`` to ``./<app slug>``, so
    ``sopkit request scaffold ID`` run in the registry (as the other ``sopkit request`` commands are)
    creates the application repository inside the registry's working tree. From then on every
    transition of every request is refused ("has uncommitted changes; a registry is changed only by
    sopkit request") until someone finds and moves the folder.

    Expected: scaffold refuses a destination inside the registry (or puts it beside it), and the next
    transition is accepted. Actual: the application lands in ``registri/<slug>`` and the next ``sopkit
    request new`` exits 2."""
    made = local.new()
    request_id = made.output.split(":")[0]
    local.through(request_id, "assign")
    monkeypatch.chdir(local.reg)
    scaffolded = local.cli("request", "scaffold", request_id)  # its defaults: --registry . --dest ./<slug>
    if scaffolded.exit_code != 0:  # refusing a destination inside the registry is a fix too
        assert "registr" in scaffolded.stderr, scaffolded.stderr
    monkeypatch.chdir(local.root)
    after = local.new(app="Sistem Informasi Arsip")
    assert after.exit_code == 0, after.stderr


# ------------------------------------------------------------------- 5. impossible dates are recorded


def test_a_letter_received_next_year_is_refused(local: RegistryOffice) -> None:
    """Defect (severity: low): TU's record takes any well-formed date as the day the letter was received,
    a year in the future included (a mistyped year), and so does a disposition's ``tanggal``. Records are
    never changed once made, and the registers (arsip surat masuk) print the date as recorded.

    Expected: a receipt date after the day of the transition (office time zone) is refused, naming the
    field. Actual: accepted."""
    request_id = local.new().output.split(":")[0]
    future = (dt.date.today() + dt.timedelta(days=400)).isoformat()
    result = local.run("record", request_id, "--agenda", "AG-7", "--received", future, key="ani")
    assert result.exit_code == 1, result.output
    assert "tanggal_diterima" in result.stderr


def test_control_a_letter_received_today_is_recorded(local: RegistryOffice) -> None:
    """Control: the same record with today's date is accepted."""
    request_id = local.new().output.split(":")[0]
    result = local.run("record", request_id, "--agenda", "AG-7", key="ani")
    assert result.exit_code == 0, result.stderr

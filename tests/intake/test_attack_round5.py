"""Outside review, round 5, of the request registry and intake (fixes of 01d7f22): attacks by a
programmer with push access and no officer's key (or by an officer beyond their role), and user
mistakes. Each test names the attack, its severity and the expected and actual outcomes; every
``test_*`` fails on the code reviewed (01d7f22) because of the defect it describes."""

from __future__ import annotations

import binascii
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from tests.conftest import Cli, git
from tests.intake.registry_office import RegistryOffice
from tests.intake.test_attack_round4 import _push, _push_peak_memory, _put, _raw_tree
from tests.intake.test_issues import ASSIGNED, DAY, FORM, comment, facts
from toolkit.gate.model import Rules
from toolkit.intake.issues import replay
from toolkit.intake.model import State

pytestmark = pytest.mark.usefixtures("english")


def _junk_push(served: RegistryOffice) -> tuple[int, str, int]:
    """The control: one plain unsigned commit of one file, refused by the hook; its peak memory."""
    reg = served.reg
    root = git(reg, "ls-tree", "HEAD") + f"100644 blob {_put(reg, 'blob', b'x')}\tjunk.txt\n"
    tree = subprocess.run(["git", "mktree"], cwd=reg, input=root.encode(), capture_output=True, check=True)
    small = git(reg, "commit-tree", tree.stdout.decode().strip(), "-p", served.head(), "-m", "junk").strip()
    return _push_peak_memory(reg, served.bare, small)


ALL_COUNTED = frozenset({"opened", "comment:1", "comment:2", "comment:3", "comment:4"})

# ------------------------------------------------------------------------- GitHub intake: record dates

RECEIVED_EARLY = (  # TU received the paper letter on the 25th, before the issue was opened on the 30th
    comment("ani", "/catat\nnomor_agenda: 45/TU\ntanggal_diterima: 2025-11-25", 1),
    *ASSIGNED[1:],
)


def test_a_valid_edit_of_the_letter_date_does_not_void_an_assigned_request(rules: Rules) -> None:
    """Attack: anyone who can edit the request issue (its author, the agency; any programmer with write
    access to the intake repository) edits the form's letter date of an ASSIGNED request to another
    valid date (2025-11-20 -> 2025-11-28, still before the day the issue was opened) after the Kasi
    assigned the team. Severity: medium (a regression of the second review's F3: "an assigned request is
    final like a rejected one"; the request leaves the registers and every officer must act again).

    Expected: the assigned request stays assigned (the edit changes nothing, and is noted), as
    ``test_an_assigned_request_edited_validly_stays_assigned_and_noted`` asks for any valid edit.
    Actual: the new "not before the letter's date" check (``records.letter_days``) judges TU's
    ``/catat`` (received 2025-11-25, valid when made) against the *edited* letter date in the pass
    "before the edit" too, so ``/catat`` and everything after it stop counting; the request is ``None``
    ("it counts again once TU accepts the edited text"), and nothing is marked tampered. Every later
    command is refused as well: the record can never be made again with the date it was received.
    Where: toolkit/intake/issues.py ``_judged`` (``letter_days(request.letter ...)``) with ``_replay``'s
    vouched pass. Fix: in the pass before the edit (and for a closed request) judge the records' dates
    by the days only (``Days(day)``), not against a letter date GitHub kept only in its edited form."""
    assert replay(rules, facts(*RECEIVED_EARLY, confirmed=ALL_COUNTED)).request.state is State.ASSIGNED  # type: ignore[union-attr]
    body = FORM.replace("2025-11-20", "2025-11-28")
    done = replay(rules, facts(*RECEIVED_EARLY, body=body, edited=DAY + 10, confirmed=ALL_COUNTED))
    assert done.request is not None and done.request.state is State.ASSIGNED, done.notes


# ------------------------------------------------------------- registry hook: memory and time of a push


def test_a_push_of_many_large_unsigned_commits_is_refused_in_bounded_memory(served: RegistryOffice) -> None:
    """Attack (severity: medium, availability; push access, no key): push 200 unsigned commits chained on
    the tip, each with a message of 1,000,000 bytes (just under ``MAX_COMMIT_BYTES``) and the tip's own
    tree. Each compresses to about a kilobyte, so the push is a few hundred KB on the wire.

    Expected: refused at its first commit within the same bound the fourth review set for the tree bomb
    (256 MiB, or three times a plain refused push): "no more memory than an ordinary refused push".
    Actual: ``registry.replay`` reads the raw bytes of *every* commit of the push up front
    (``raw = read_objects(repo, small)``; the whole ``cat-file --batch`` output, then a copy of each
    object), before judging the first one: the hook peaks at about 3 MiB per commit (200 commits: over
    600 MiB; 300: about 890 MiB), linear in the number of commits, and several parallel pushes exhaust
    the server. Where: toolkit/intake/registry.py ``replay``. Fix: read commits in batches under
    ``READ_BUDGET`` as the files are (or one at a time, as judged), stopping at the first refused one."""
    code, said, baseline = _junk_push(served)
    assert code != 0 and "not a valid transition" in said
    reg = served.reg
    message = reg.parent / "message"
    message.write_bytes(b"x" * 1_000_000)
    tree = git(reg, "rev-parse", "HEAD^{tree}").strip()
    tip = start = served.head()
    for _ in range(200):
        tip = git(reg, "commit-tree", tree, "-p", tip, "-F", str(message)).strip()
    code, said, peak = _push_peak_memory(reg, served.bare, tip)
    assert code != 0 and served.server_tip() == start, said
    shown = f"the push peaked at {peak // 1024} MiB (baseline {baseline // 1024} MiB)"
    assert peak < max(3 * baseline, 256 * 1024), shown


def test_a_push_of_many_wide_commits_is_refused_without_comparing_every_one(
    served: RegistryOffice,
) -> None:
    """Attack (severity: low-medium, availability; push access, no key): two root trees of 240,000
    files each (7.9 MB, under ``MAX_TREE_BYTES``; one blob each, so about a megabyte on the wire) and
    100 unsigned commits alternating between them. The first commit is refused whatever follows.

    Expected: refused in about the time of a plain refused push (the commit title: "a tree bomb costs
    nothing"; a commit "is left as soon as it changes more than any transition does").
    Actual: ``changes.changes_of`` compares every commit of the push before the first is judged, and
    ``_compared`` reads all of git's output for each (240,000 entries per commit, 25 MB) after the
    commit is already over ``MAX_COMMIT_FILES``: about 0.23 s per commit here, so 100 commits take
    over 20 s and 10,000 commits (a few MB pushed) hold the hook for most of an hour, per push.
    Where: toolkit/intake/changes.py ``changes_of``/``_compared``. Fix: refuse a root tree larger than a
    registry's root can be (three entries) before comparing it, stop git once every pair of the batch is
    over the limit, and compare commits in the batches they are judged in, stopping at the first
    refused."""
    started = time.monotonic()
    code, said, _peak = _junk_push(served)
    control = time.monotonic() - started
    assert code != 0 and "not a valid transition" in said
    reg = served.reg
    names = sorted(f"{i:05x}".encode() for i in range(240_000))
    trees = []
    for content in (b"1\n", b"2\n"):
        blob = binascii.unhexlify(_put(reg, "blob", content))
        trees.append(_put(reg, "tree", b"".join(b"100644 " + n + b"\0" + blob for n in names)))
    tip = start = served.head()
    for i in range(100):
        tip = git(reg, "commit-tree", trees[i % 2], "-p", tip, "-m", f"wide {i}").strip()
    started = time.monotonic()
    pushed = _push(reg, served.bare, tip)
    took = time.monotonic() - started
    assert pushed.returncode != 0 and served.server_tip() == start, pushed.stderr
    assert took < max(5 * control, 8.0), f"refused after {took:.1f} s (a plain refused push: {control:.1f} s)"


# ------------------------------------------------------------------- registry: what a commit changes


def test_a_transition_carrying_a_folder_git_cannot_read_is_refused(local: RegistryOffice) -> None:
    """Attack (severity: low; an officer acting in their own role, on a registry copied by hand, the case
    ``test_a_clone_refuses_a_first_commit_naming_a_path_twice`` covers): a valid ``new`` transition made
    again with the same message and signature key, whose root tree also holds ``zzz``, a folder entry
    (mode 040000) naming a blob. A recursive ``git diff-tree`` (the reader before 01d7f22) fails on it
    ("unable to read tree"), so the commit was refused; ``git clone`` of the registry fails too.

    Expected: ``sopkit request verify`` refuses the commit (exit 1).
    Actual: "registry valid". ``changes._compared`` sends the pair (empty tree, blob) to
    ``git diff-tree --stdin``, which prints an error for that line, *no header*, and goes on with exit
    code 0; the reader counts headers to know which pair an entry belongs to, so this pair's change
    vanishes, and when such a pair is not the last, every later pair's entries are attributed to the
    pair (and commit) before it. Where: toolkit/intake/changes.py ``_compared``. Fix: check that each
    header line is the pair's own ``old new`` (and that every pair got one); treat a mismatch or a
    missing header as a refusal of the commit (fail closed), and check the object type of a folder
    entry before descending."""
    assert local.new().exit_code == 0
    made = local.head()
    parent = git(local.reg, "rev-parse", "HEAD^").strip()
    entries = []
    for line in git(local.reg, "ls-tree", made).splitlines():
        meta, name = line.split("\t")
        mode, _kind, sha = meta.split()
        entries.append((mode, name, sha))
    junk = _put(local.reg, "blob", b"not a folder\n")
    tree = _raw_tree(local.reg, [*entries, ("40000", "zzz", junk)])
    text = local.root / "message"
    text.write_text(git(local.reg, "log", "-1", "--format=%B", made))
    sign = ["-c", "gpg.format=ssh", "-c", f"user.signingkey={local.keys['ani']}"]
    evil = subprocess.run(
        ["git", *sign, "commit-tree", tree, "-p", parent, "-S", "-F", str(text)],
        cwd=local.reg,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    git(local.reg, "update-ref", "refs/heads/main", evil)
    recursive = subprocess.run(
        ["git", "diff-tree", "-r", evil], cwd=local.reg, capture_output=True, check=False
    )
    assert recursive.returncode != 0  # the reader before: git cannot list this commit's files
    verified = local.run("verify")
    assert verified.exit_code == 1, verified.output


# ------------------------------------------------------------------------------ scaffold front matter


@pytest.mark.parametrize("app", ["Sistem ]] Arsip", "Sistem [Arsip] Daerah"], ids=["closing", "bracket"])
def test_an_application_name_with_brackets_fills_the_letters_subject(local: RegistryOffice, app: str) -> None:
    """Defect (severity: low; an agency's own application name, e.g. ``SIMPEG [v2]``): the template puts
    the application name inside the ``perihal`` placeholder of step 1's front matter
    (``"[[ISI: perihal surat, mis. Permohonan Pembangunan Aplikasi {{ app_name }}]]"``), and scaffold's
    ``PLACEHOLDER`` (``\\[\\[ISI[^\\]]*\\]\\]``) ends at the first ``]``.

    Expected: ``perihal`` of docs/01-permintaan/surat-permintaan.md reads back as the registry's subject
    (``Permohonan pembangunan aplikasi <app>``), as every other filled value does.
    Actual: with ``]]`` in the name the placeholder closes early, the subject is filled in and the rest of
    the name stays behind it (``"... Sistem ]] Arsip Arsip]]"``); with a single ``]`` nothing matches, the
    subject is not filled at all and the placeholder is not even counted in the scaffold's list of fields
    left to fill (the gate still sees ``[[ISI`` and holds step 1). Where:
    project_template/template/docs/01-permintaan/surat-permintaan.md.jinja, toolkit/intake/scaffold.py
    ``PLACEHOLDER``. Fix: keep user values out of placeholders (``perihal: "[[ISI: perihal surat]]"``)
    or escape ``]`` in what the template writes inside one."""
    request_id = local.new(app=app).output.split(":")[0]
    local.through(request_id, "assign")
    dest = local.root / "app"
    made = local.run("scaffold", request_id, "--dest", str(dest))
    assert made.exit_code == 0, made.stderr
    text = (dest / "docs/01-permintaan/surat-permintaan.md").read_text()
    front = yaml.safe_load(text.split("---\n")[1])
    assert front["perihal"] == f"Permohonan pembangunan aplikasi {app}"


@pytest.mark.parametrize("value", ["800/12/BKD/2026\r", "Dinas\x1bKominfo"], ids=["cr", "escape"])
def test_sopkit_new_answers_read_back_or_are_refused(tmp_path: Path, cli: Cli, value: str) -> None:
    """Defect (severity: low; a user mistake: a letter number pasted from a Windows document keeps its
    ``\\r``, a name copied from a terminal an escape): ``sopkit new --data`` answers go into the double-
    quoted front matter of steps 1-2 with only ``\\`` and ``"`` escaped; the questions' validators refuse
    no control character (only ``opd_head`` refuses ``\\n``).

    Expected: the answer is refused by ``sopkit new``, or reads back exactly from the front matter.
    Actual: the document is made; ``\\r`` is a line break to YAML and reads back as a space
    (``"800/12/BKD/2026 "``), and an escape character makes the whole front matter unreadable
    ("unacceptable character #x001b"), so step 1's fields are all missing to the gate.
    Where: project_template/copier.yml (validators of app_name, opd, request_letter_no), the templates'
    ``replace`` chains. Fix: refuse control characters (and U+0085, U+2028/9) in the validators, as the
    registry's records do, or escape them (``\\r``, ``\\x1b``) in the front matter."""
    app = tmp_path / "app"
    answers = ["app_name=Uji", "opd=Dinas Uji", f"request_letter_no={value}"]
    made = cli("new", str(app), "--defaults", *(a for d in answers for a in ("--data", d)))
    if made.exit_code != 0:
        return  # refused: fine
    text = (app / "docs/01-permintaan/surat-permintaan.md").read_text()
    try:
        front = yaml.safe_load(text.split("---\n")[1])
    except yaml.YAMLError as error:
        pytest.fail(f"the front matter of step 1 cannot be read: {error}")
    assert front["nomor_surat"] == value

"""The size of attachments: a letter is judged by the limit of the rules in force at its commit
(`max_artefact_bytes`), whenever the history is replayed: when it arrives, by every later push's
hook, by `verify` and in every clone."""

from __future__ import annotations

import datetime as dt
import subprocess
import tracemalloc
from pathlib import Path

from tests.conftest import ROOT, Cli, git
from tests.intake.registry_office import RegistryOffice
from tests.intake.test_tampering import new_names, next_request, rid
from tests.office import MINIMAL_PDF, PEOPLE, roster_text
from toolkit.intake import registry as store

MIB = 1024 * 1024
LETTER = ["--opd", "BKD", "--app", "SIMPEG", "--letter-no", "1/2026", "--letter-date", "2026-03-02"]


def policy_with_limit(limit: int) -> str:
    policy = (ROOT / "sop.yaml").read_text()
    changed = policy.replace("max_artefact_bytes: 10485760", f"max_artefact_bytes: {limit}")
    assert changed != policy or limit == 10 * MIB
    return changed


def open_with_limit(root: Path, cli: Cli, keyring: dict[str, Path], limit: int) -> RegistryOffice:
    """The office's registry and its server, the policy allowing attachments of ``limit`` bytes."""
    (root / "sop.yaml").write_text(policy_with_limit(limit))
    (root / "roster.yaml").write_text(roster_text(keyring, PEOPLE))
    office = RegistryOffice(root, lambda *args: cli(*args, lang="en"), keyring)
    rules = ["--policy", str(root / "sop.yaml"), "--roster", str(root / "roster.yaml")]
    assert office.cli("request", "init", str(office.reg), *rules).exit_code == 0
    served = office.cli("server", "init", str(office.bare), "--registry", *rules, "--hook-lang", "en")
    assert served.exit_code == 0, served.stderr
    assert office.push().returncode == 0
    return office


def pdf_of(size: int) -> bytes:
    """A PDF of exactly ``size`` bytes (a comment pads it)."""
    head, tail = MINIMAL_PDF[:9], MINIMAL_PDF[9:]
    made = head + b"%" + b"x" * (size - len(MINIMAL_PDF) - 2) + b"\n" + tail
    assert len(made) == size
    return made


def new_with_letter(office: RegistryOffice, size: int) -> None:
    letter = office.root / "scan.pdf"
    letter.write_bytes(pdf_of(size))
    made = office.run("new", *LETTER, "--letter", str(letter), key="ani")
    assert made.exit_code == 0, made.stderr
    pushed = office.push()
    assert pushed.returncode == 0, pushed.stderr


def set_limit(office: RegistryOffice, limit: int) -> None:
    """The policy owner (budi, the Kasi) changes the registry's limit with a signed policy transition."""
    policy = office.root / f"sop-{limit}.yaml"
    policy.write_text(policy_with_limit(limit))
    roster = str(office.reg / ".sop" / "roster.yaml")
    changed = office.run("policy", "--policy", str(policy), "--roster", roster, key="budi")
    assert changed.exit_code == 0, changed.stderr
    assert office.push().returncode == 0


def verified_in_a_clone(office: RegistryOffice) -> None:
    where = office.root / f"clone-{office.head()[:8]}"
    subprocess.run(["git", "clone", "-q", str(office.bare), str(where)], check=True)
    verified = office.cli("request", "verify", "--registry", str(where))
    assert verified.exit_code == 0, verified.stderr


def test_a_letter_the_policy_allows_over_10_mib_keeps_the_registry_working(
    tmp_path: Path, cli: Cli, keyring: dict[str, Path]
) -> None:
    """The office allows scanned letters of up to 20 MiB. TU records a 12 MiB letter: judged with the
    policy's limit when it arrives, it was accepted; every later replay from the first commit read
    contents only up to a fixed 10 MiB, so the same commit was then "larger than 20971520 bytes": the
    hook refused every later push and verify failed, for good."""
    office = open_with_limit(tmp_path, cli, keyring, 20 * MIB)
    new_with_letter(office, 12 * MIB)
    recorded = office.run("record", rid(office), "--agenda", "AG-1", key="ani")
    assert recorded.exit_code == 0, recorded.stderr
    pushed = office.push()
    assert pushed.returncode == 0, pushed.stderr
    assert office.run("verify").exit_code == 0
    verified_in_a_clone(office)


def test_each_letter_is_judged_by_the_limit_in_force_at_its_commit(
    tmp_path: Path, cli: Cli, keyring: dict[str, Path]
) -> None:
    """The policy owner raises the limit to 20 MiB, a 12 MiB letter comes in, then the limit is lowered
    back to 10 MiB: the letter stays valid in every replay, and a second one is refused with its size."""
    office = open_with_limit(tmp_path, cli, keyring, 10 * MIB)
    set_limit(office, 20 * MIB)
    new_with_letter(office, 12 * MIB)
    set_limit(office, 10 * MIB)
    verified_in_a_clone(office)
    following = rid(office)[:5] + "002"
    office.craft(next_request(following, pdf_of(12 * MIB)), new_names(following), "ani")
    pushed = office.push()
    assert pushed.returncode != 0
    expected = f"surat-permintaan.pdf: {12 * MIB} bytes, larger than the policy's limit of {10 * MIB} bytes"
    assert expected in pushed.stderr, pushed.stderr


def test_a_letter_over_the_limit_is_refused_with_its_real_size(
    tmp_path: Path, cli: Cli, keyring: dict[str, Path]
) -> None:
    """A letter over the policy's limit, made by hand (`sopkit request new` refuses it before): the
    refusal names its size and the limit, on the server and in `verify`."""
    office = open_with_limit(tmp_path, cli, keyring, 100_000)
    new_with_letter(office, 90_000)
    tip = office.server_tip()
    following = rid(office)[:5] + "002"
    office.craft(next_request(following, pdf_of(150_000)), new_names(following), "ani")
    expected = "surat-permintaan.pdf: 150000 bytes, larger than the policy's limit of 100000 bytes"
    pushed = office.push()
    assert pushed.returncode != 0 and expected in pushed.stderr, pushed.stderr
    assert office.server_tip() == tip
    verified = office.run("verify")
    assert verified.exit_code == 1 and expected in verified.stderr, verified.stderr
    git(office.reg, "reset", "-q", "--hard", tip)
    assert office.run("verify").exit_code == 0


def peak_of_replay(office: RegistryOffice) -> tuple[bool, int]:
    """Whether the registry's history replays as valid, and the most memory Python held doing it."""
    tracemalloc.start()
    try:
        verdict = store.replay(office.reg, office.head())
        return verdict.valid, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_big_file_is_not_read_over_the_limit_in_force(
    tmp_path: Path, cli: Cli, keyring: dict[str, Path]
) -> None:
    office = open_with_limit(tmp_path, cli, keyring, 64 * 1024)
    office.craft(next_request(f"{dt.date.today().year}-001", pdf_of(8 * MIB)), None, None)
    valid, peak = peak_of_replay(office)
    assert not valid and peak < 4 * MIB


def test_an_unsigned_commit_cannot_raise_the_limit_of_what_the_replay_reads(
    tmp_path: Path, cli: Cli, keyring: dict[str, Path]
) -> None:
    """Attack: anyone with push access adds, in one unsigned commit (never a valid transition), a copy
    of the policy with ``max_artefact_bytes: 1073741824`` and big files. The replay took each commit's
    limit from the rules it *brings* before judging whether it may bring them, and read every file up
    to it into memory before the first commit was judged: files of zeros pack to almost nothing, so a
    push of a few MB made the hook hold GiBs. A commit's files are now read with the limit of the rules
    in force before it."""
    office = open_with_limit(tmp_path, cli, keyring, 64 * 1024)
    files = {
        ".sop/sop.yaml": policy_with_limit(1024 * MIB).encode(),
        **next_request(f"{dt.date.today().year}-001", pdf_of(8 * MIB)),
    }
    office.craft(files, None, None)
    valid, peak = peak_of_replay(office)
    assert not valid and peak < 4 * MIB


def test_a_policy_file_too_large_is_refused_unread(
    tmp_path: Path, cli: Cli, keyring: dict[str, Path]
) -> None:
    """Attack: the same with a policy file of many MB (the policy a commit brings is read whole to
    judge it): refused by its size, never read."""
    office = open_with_limit(tmp_path, cli, keyring, 64 * 1024)
    office.craft({".sop/sop.yaml": policy_with_limit(64 * 1024).encode() + b"#" * 8 * MIB}, None, None)
    valid, peak = peak_of_replay(office)
    assert not valid and peak < 4 * MIB


def test_a_commit_too_large_is_refused_unread(tmp_path: Path, cli: Cli, keyring: dict[str, Path]) -> None:
    """Attack: the same with a commit message of many MB (every commit object is read before the first
    is judged): refused by its size, never read."""
    office = open_with_limit(tmp_path, cli, keyring, 64 * 1024)
    big = office.root / "message"
    big.write_bytes(b"x" * 8 * MIB)
    git(office.reg, "commit", "-q", "--allow-empty", "--no-verify", "-F", str(big))
    verdict = store.replay(office.reg, office.head())
    assert not verdict.valid and "the commit is larger than 1048576 bytes" in verdict.problems[0]
    assert peak_of_replay(office)[1] < 4 * MIB

"""Attacks found by an outside review: the pusher's PATH and time zone files, a findings row that
looks like a heading, a commit in another encoding. Each is refused, with its reason."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import git
from tests.forge.plain.test_adversarial import fill_letter
from tests.office import Office

FAKE_KEYGEN = """#!/usr/bin/env python3
import sys
args = sys.argv[1:]
if "find-principals" in args:
    f = args[args.index("-f") + 1]
    for line in open(f):
        print(line.split()[0])
    sys.exit(0)
if "verify" in args:
    sys.exit(0)
sys.exit(1)
"""


def test_pushers_path_replaces_ssh_keygen(
    office: Office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pusher's PATH with an ssh-keygen that 'verifies' everything would make the outsider's signature
    count as the TU's: the hook finds its tools on the server's own PATH. Brought to the branch around the
    hook, the same sign-off is reported by the audit, which the office runs with its own tools."""
    fill_letter(office)
    office.signoff(1, "tu", member="outsider", key=office.keys["outsider"])
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "ssh-keygen").write_text(FAKE_KEYGEN)
    (fake / "ssh-keygen").chmod(0o755)
    path = os.environ["PATH"]
    before = git(office.bare, "rev-parse", "main")
    monkeypatch.setenv("PATH", f"{fake}{os.pathsep}{path}")
    pushed = office.push()
    monkeypatch.setenv("PATH", path)
    assert pushed.returncode != 0 and "not made by a key in the roster" in pushed.stderr, pushed.stderr
    assert git(office.bare, "rev-parse", "main") == before
    git(office.bare, "fetch", "-q", str(office.app), "HEAD:refs/heads/main")  # around the hook
    audit = office.cli("audit", "--repo", str(office.bare))
    assert audit.exit_code == 1 and "reached the branch around the hook" in audit.stdout
    assert "SOP state: 0 of 17 steps complete" in audit.stdout  # the outsider's sign-off counts for nothing


def test_pushers_pythontzpath_shifts_the_office_day(
    office: Office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """-I ignores PYTHON* for the interpreter, but zoneinfo reads PYTHONTZPATH from os.environ, which
    hook_environment keeps: the pusher chooses what 'Asia/Jakarta' means, so a sign-off made a day
    outside the signer's window counts."""
    import datetime as dt
    import shutil

    from tests.forge.plain.test_attacks_signoffs import server_roster

    now = dt.datetime.now(dt.UTC)
    jakarta = now.astimezone(dt.timezone(dt.timedelta(hours=7)))
    today = jakarta.date()
    zones = [f"Etc/GMT{sign}{h}" for sign in "+-" for h in range(1, 15)]
    pick = None
    for zone in zones:
        src = Path("/usr/share/zoneinfo") / zone
        if not src.is_file():
            continue
        from zoneinfo import ZoneInfo

        day = now.astimezone(ZoneInfo(zone)).date()
        if day == today + dt.timedelta(days=1):
            pick, window = zone, f"        from: {(today + dt.timedelta(days=1)).isoformat()}\n"
            break
        if day == today - dt.timedelta(days=1):
            pick, window = zone, f"        until: {(today - dt.timedelta(days=1)).isoformat()}\n"
    assert pick, "no zone a day away right now"
    server_roster(office, "      - role: tu\n", "      - role: tu\n" + window)
    fill_letter(office)
    assert office.signoff(1, "tu").exit_code == 0
    control = office.push()
    assert control.returncode != 0 and "does not hold the role 'tu'" in control.stderr, control.stderr
    fake = tmp_path / "tz" / "Asia"
    fake.mkdir(parents=True)
    shutil.copyfile(Path("/usr/share/zoneinfo") / pick, fake / "Jakarta")
    monkeypatch.setenv("PYTHONTZPATH", str(tmp_path / "tz"))
    before = git(office.bare, "rev-parse", "main")
    pushed = office.push()
    monkeypatch.delenv("PYTHONTZPATH")
    assert pushed.returncode != 0 and git(office.bare, "rev-parse", "main") == before, (
        f"a sign-off outside ani's window landed ({pick}, {window.strip()}): " + pushed.stderr
    )


def test_findings_row_starting_with_hash_is_a_table_row() -> None:
    """GFM renders '#3 | ... |' (no space after '#': no heading) as a row of the table; the parser ends
    the table there and misses the open critical finding."""
    from toolkit.evidence.security_report import parse

    text = (
        '---\ncommit_diuji: "' + "a" * 40 + '"\nhasil: "LULUS"\n---\n\n## Temuan\n\n'
        "No | Temuan | Tingkat risiko | Status\n"
        "--- | --- | --- | ---\n"
        "#1 | XSS | Rendah | Diperbaiki\n"
        "#2 | RCE pada unggah berkas | Kritis | Terbuka\n"
    )
    report = parse(text)
    assert report.tables == 1
    assert report.open_serious, report.findings


def test_a_commit_whose_encoding_garbles_its_dates_is_refused_with_a_reason(office: Office) -> None:
    """A commit whose ``encoding`` header (IBM037, EBCDIC) does not match its bytes: git prints its dates
    as garbage. The gate cannot decide, says why, and nothing lands; an honest sign-off counts and its
    arrival is logged from the raw commit, as the gate reads it."""
    from toolkit.forge.plain.pushlog import ARRIVALS, CONFIG_DIR

    fill_letter(office)
    subprocess.run(
        ["git", "-c", "i18n.commitEncoding=IBM037", "commit", "-q", "--allow-empty", "-m", "catatan"],
        cwd=office.app,
        check=True,
    )
    before = git(office.bare, "rev-parse", "main")
    pushed = office.push()
    assert pushed.returncode != 0
    assert "git cannot read the author, committer and date of commit" in pushed.stderr, pushed.stderr
    assert "the gate failed" not in pushed.stderr
    assert git(office.bare, "rev-parse", "main") == before
    git(office.app, "reset", "-q", "--hard", "HEAD~1")
    assert office.signoff(1, "tu").exit_code == 0
    signoff = git(office.app, "rev-parse", "HEAD").strip()
    pushed = office.push()
    assert pushed.returncode == 0 and "complete steps: 1" in pushed.stderr, pushed.stderr
    assert signoff in (office.bare / CONFIG_DIR / ARRIVALS).read_text()

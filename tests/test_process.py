"""``sopkit`` as a process: read-only commands end without the interpreter's teardown, and still hand
over all their output and the right exit code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, git

SOPKIT = str(Path(sys.executable).parent / "sopkit")


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SOPKIT, "--lang", "en", *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_a_blocked_change_reports_in_full_and_exits_1(tmp_path: Path) -> None:
    app = tmp_path / "app"
    made = run("new", str(app), "--defaults", "--data", "app_name=Uji", "--data", "opd=Dinas Uji")
    assert made.returncode == 0, made.stderr
    base = git(app, "rev-parse", "HEAD").strip()
    for i in range(300):  # enough output to need more than one write
        (app / "src" / f"modul_{i:03d}.py").parent.mkdir(exist_ok=True)
        (app / "src" / f"modul_{i:03d}.py").write_text(f"print({i})\n")
    git(app, "add", "-A")
    git(app, "commit", "-qm", "kode")
    checked = run("gate", "check", "--repo", str(app), "--base", base, "--format", "json")
    assert checked.returncode == 1, checked.stderr
    report = json.loads(checked.stdout)
    assert report["decision"] == "block" and len(report["steps"]) == 17
    assert "297 more" in report["violations"][0]["message"]
    state = run("gate", "check", "--repo", str(app))
    assert state.returncode == 0
    assert state.stdout.startswith("SOP state: 0 of 17 steps complete")
    # the last row, flushed: step 17 waits for step 16, whose role nobody holds here (no roster): its title
    assert state.stdout.rstrip().endswith("to act: Informatics control section")


def test_a_refused_policy_says_why_and_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "sop.yaml"
    bad.write_text("version: 1\nsop: [\n")
    result = run("sop", "validate", str(bad))
    assert result.returncode == 2
    assert str(bad) in result.stderr and "Traceback" not in result.stderr


def test_output_to_a_closed_pipe_ends_quietly() -> None:
    shown = subprocess.run(
        f"'{SOPKIT}' --lang en sop show '{ROOT / 'sop.yaml'}' --format json | head -c 20",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
    )
    assert shown.stdout.startswith("[") or shown.stdout.startswith("{")
    assert "Traceback" not in shown.stderr

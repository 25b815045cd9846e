"""The benchmark scripts still run: each once, at its smallest size, printing its figures.

They are not timed here (figures come from running them by hand on a quiet machine); this only stops a
script from rotting when the code it measures changes, as ``benchmarks/status.py`` did once the demo
began to run the whole SOP. ``benchmarks/github_calls.py`` is left out: its scenarios are the
provisioning, gate, tracking and organisation tests' own, whose budgets those tests assert.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"

RUNS = {
    "cli_startup.py": (["--rounds", "1"], r"ratio sopkit/baseline: \d+\.\d\d"),
    "new_vs_copier.py": (["--rounds", "1"], r"ratio sopkit new / copier copy \(same template store\): \d"),
    "signed_letter.py": (["--rounds", "1"], r"cold check vs cached verdict +\d+x"),
    "gate_check.py": (
        ["--files", "20", "--commits", "12", "--rounds", "1"],  # it pushes the last 10 commits
        r"state at HEAD\), warm cache +median +[\d.]+ ms +[\d.]+ x floor",
    ),
    "status.py": (["--repos", "4", "--rounds", "1"], r"status, warm cache: [\d.]+ s, .* the floor"),
}


@pytest.mark.parametrize("script", sorted(RUNS))
def test_benchmark_runs_and_prints_its_figures(script: str, tmp_path: Path) -> None:
    args, figure = RUNS[script]
    env = dict(os.environ, TMPDIR=str(tmp_path), SOPKIT_CACHE_DIR=str(tmp_path / "cache"))
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args],
        check=False,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(figure, done.stdout), done.stdout

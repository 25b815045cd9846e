"""How fast ``sopkit --help`` starts, as a ratio to ``python -c "import click"`` in the same run.

    python benchmarks/cli_startup.py [--rounds N]

The two commands are run alternately, so machine noise hits both alike; the ratio of the medians is
the figure to watch (the goal is well under 2: sopkit must not import heavy libraries for --help).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
from pathlib import Path

from timing import timed


def sopkit_command() -> list[str]:
    script = Path(sys.executable).parent / "sopkit"
    found = str(script) if script.exists() else shutil.which("sopkit")
    return [found] if found else [sys.executable, "-m", "toolkit"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21)
    args = parser.parse_args()
    baseline_cmd = [sys.executable, "-c", "import click"]
    sopkit_cmd = [*sopkit_command(), "--help"]
    for command in (baseline_cmd, sopkit_cmd):  # warm the OS caches
        timed(command)
    baseline, sopkit = [], []
    for _ in range(args.rounds):
        baseline.append(timed(baseline_cmd))
        sopkit.append(timed(sopkit_cmd))
    b, s = statistics.median(baseline), statistics.median(sopkit)
    print(f"baseline  python -c 'import click'  median {b * 1000:7.1f} ms  ({args.rounds} rounds)")
    print(f"sopkit --help                      median {s * 1000:7.1f} ms")
    print(f"ratio sopkit/baseline: {s / b:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

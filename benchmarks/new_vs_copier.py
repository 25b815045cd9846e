"""``sopkit new`` wall time as a ratio to a bare ``copier copy`` of the same template, in the same run.

    python benchmarks/new_vs_copier.py [--rounds N]

Both render the same template from the same git template store with the same answers; sopkit new does
more (checks the answers and the destination, syncs the store, git init and the first commit), and the
goal is that this costs at most 30 % more (ratio <= 1.3). A second baseline, copier copying the plain
template folder (no git clone), is printed for reference.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from timing import timed

ROOT = Path(__file__).resolve().parent.parent
ANSWERS = ["app_name=Sistem Informasi Kepegawaian", "opd=Badan Kepegawaian Daerah"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    bindir = Path(sys.executable).parent
    work = Path(tempfile.mkdtemp(prefix="sopkit-bench-"))
    env = dict(
        os.environ,
        SOPKIT_TEMPLATE_STORE=str(work / "store"),
        GIT_AUTHOR_NAME="b",
        GIT_AUTHOR_EMAIL="b@example.invalid",
        GIT_COMMITTER_NAME="b",
        GIT_COMMITTER_EMAIL="b@example.invalid",
    )
    data = [x for pair in ANSWERS for x in ("--data", pair)]
    counter = iter(range(10**6))

    def sopkit() -> list[str]:
        return [str(bindir / "sopkit"), "new", str(work / f"s{next(counter)}"), "--defaults", *data]

    def copier_store() -> list[str]:
        return [
            str(bindir / "copier"),
            "copy",
            "--quiet",
            "--defaults",
            "--vcs-ref",
            "HEAD",
            *data,
            str(work / "store"),
            str(work / f"c{next(counter)}"),
        ]

    def copier_folder() -> list[str]:
        return [
            str(bindir / "copier"),
            "copy",
            "--quiet",
            "--defaults",
            *data,
            str(ROOT / "project_template"),
            str(work / f"f{next(counter)}"),
        ]

    try:
        timed(sopkit(), env=env)  # creates the store; warms the caches
        timed(copier_store(), env=env)
        results: dict[str, list[float]] = {"sopkit": [], "store": [], "folder": []}
        for _ in range(args.rounds):
            results["store"].append(timed(copier_store(), env=env))
            results["sopkit"].append(timed(sopkit(), env=env))
            results["folder"].append(timed(copier_folder(), env=env))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    med = {k: statistics.median(v) for k, v in results.items()}
    print(f"copier copy (template store, git)   median {med['store'] * 1000:7.0f} ms  ({args.rounds} rounds)")
    print(f"copier copy (plain template folder) median {med['folder'] * 1000:7.0f} ms")
    print(f"sopkit new                          median {med['sopkit'] * 1000:7.0f} ms")
    print(f"ratio sopkit new / copier copy (same template store): {med['sopkit'] / med['store']:.2f}")
    print(f"ratio sopkit new / copier copy (plain folder):        {med['sopkit'] / med['folder']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

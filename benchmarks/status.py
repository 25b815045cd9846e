"""``sopkit status`` over many application repositories, as a ratio to a floor measured in the same run:
one ``git rev-parse HEAD`` in each of the same repositories (a process per repository is the least any
report of them costs).

    python benchmarks/status.py [--repos 300] [--rounds 3]

The repositories are made cheaply: ``sopkit demo`` runs the whole SOP once (keys, roster, a server
repository with every step signed off), and every repository is a bare clone of that server (objects
hard-linked) with its ``sopkit/`` configuration, its main branch moved to one of the commits of the demo's
history in turn, so the rows differ from step 1 to step 17. Printed: the floor, ``status`` with an empty
cache (cold) and again (warm, what a Kasi sees day after day), each in seconds, per repository and as a
ratio to the floor.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import timed


def make_repositories(work: Path, count: int, env: dict[str, str], sopkit: str) -> Path:
    office = work / "office"
    subprocess.run([sopkit, "demo", str(office)], env=env, check=True, capture_output=True)
    server = office / "server.git"
    # The demo leaves every step complete; its main branch's earlier commits stop at each step in turn.
    tips = _git(server, env, "rev-list", "--first-parent", "main").split()
    root = work / "apps"
    root.mkdir()
    config = [p for p in (server / "sopkit").iterdir() if p.is_file()]
    for i in range(count):
        repo = root / f"app-{i:03d}.git"
        subprocess.run(
            ["git", "clone", "-q", "--bare", "--local", str(server), str(repo)], env=env, check=True
        )
        (repo / "sopkit").mkdir()
        for file in config:
            shutil.copyfile(file, repo / "sopkit" / file.name)
        _git(repo, env, "update-ref", "refs/heads/main", tips[i % len(tips)])
    return root


def _git(repo: Path, env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True
    ).stdout.strip()


def floor(repos: list[Path], env: dict[str, str]) -> float:
    start = time.perf_counter()
    for repo in repos:
        subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sopkit = str(Path(sys.executable).parent / "sopkit")
    work = Path(tempfile.mkdtemp(prefix="sopkit-bench-status-"))
    env = dict(os.environ, SOPKIT_TEMPLATE_STORE=str(work / "store"), SOPKIT_LANG="en")
    env.update(GIT_AUTHOR_NAME="b", GIT_AUTHOR_EMAIL="b@example.invalid")
    env.update(GIT_COMMITTER_NAME="b", GIT_COMMITTER_EMAIL="b@example.invalid")
    try:
        started = time.perf_counter()
        root = make_repositories(work, args.repos, env, sopkit)
        made = time.perf_counter() - started
        repos = sorted(root.iterdir())
        command = [sopkit, "status", str(root), "--format", "json"]
        floors, colds, warms = [], [], []
        for round_no in range(args.rounds):
            floors.append(floor(repos, env))
            cache = dict(env, SOPKIT_CACHE_DIR=str(work / f"cache-{round_no}"))
            colds.append(timed(command, env=cache))
            warms.append(timed(command, env=cache))
        base = statistics.median(floors)
        print(f"{args.repos} repositories made in {made:.1f} s")
        print(f"floor (git rev-parse in each): {base:.2f} s, {base / args.repos * 1000:.1f} ms a repository")
        for label, times in (("status, cold cache", colds), ("status, warm cache", warms)):
            t = statistics.median(times)
            per = t / args.repos * 1000
            print(f"{label}: {t:.2f} s, {per:.1f} ms a repository, {t / base:.1f}x the floor")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""``sopkit gate check`` on a generated repository, as a ratio to a floor measured in the same run.

    python benchmarks/gate_check.py [--files N] [--commits N] [--rounds N]

The repository is a scaffolded application plus N code files, followed by N commits that each change one
file (built with git fast-import, so generating it takes seconds). The floor is what any gate must at
least do: start Python and import yaml, list the files (git ls-files) and list what the change touched
(git diff --name-only BASE HEAD). Printed, as medians and ratios to the floor: the change BASE..HEAD
over all commits with the cache warm (the same change judged again: a CI re-run, the hook after the
pull request's check), with everything but the histories cached (all 2,000 commits walked), and cold (an
empty cache each time); a push of the last 10 commits on a base judged before (what a server sees push
after push); the state report at HEAD; and ``sopkit --version`` (what starting the command line alone
costs). Run with two sizes to see how the cost grows.

sop-toolkit is byte-compiled first, as an installed package is: a checkout run with
PYTHONDONTWRITEBYTECODE would otherwise compile its sources on every run.
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from timing import timed

ROOT = Path(__file__).resolve().parent.parent


def generate(work: Path, files: int, commits: int, env: dict[str, str]) -> tuple[Path, str, str]:
    sopkit = str(Path(sys.executable).parent / "sopkit")
    repo = work / "app"
    subprocess.run(
        [
            sopkit,
            "new",
            str(repo),
            "--defaults",
            "--data",
            "app_name=Benchmark",
            "--data",
            "opd=Dinas Benchmark",
        ],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    base = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo, env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    stream = [b"blob\nmark :1\ndata 24\nprint('modul aplikasi')\n\n"]
    stream.append(
        b"commit refs/heads/main\ncommitter Bench <bench@example.invalid> 1790000000 +0700\n"
        b"data 10\nkode awal\nfrom " + base.encode() + b"\n"
    )
    stream += [f"M 100644 :1 src/modul_{i // 100:03d}/berkas_{i:05d}.py\n".encode() for i in range(files)]
    for n in range(commits):
        body = f"print('perubahan {n}')\n".encode()
        path = f"src/modul_{(n * 37) % files // 100:03d}/berkas_{(n * 37) % files:05d}.py"
        stream.append(
            f"\ncommit refs/heads/main\ncommitter Bench <bench@example.invalid> {1790000001 + n} "
            f"+0700\ndata 12\nubah {n:06d}\nM 100644 inline {path}\ndata {len(body)}\n".encode()
            + body
        )
    subprocess.run(
        ["git", "fast-import", "--quiet"], cwd=repo, env=env, input=b"".join(stream) + b"\n", check=True
    )
    subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=repo, env=env, check=True)
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo, env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    return repo, base, head


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--commits", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sopkit-gate-bench-"))
    env = dict(
        os.environ,
        SOPKIT_TEMPLATE_STORE=str(work / "store"),
        SOPKIT_CACHE_DIR=str(work / "cache"),
        GIT_AUTHOR_NAME="b",
        GIT_AUTHOR_EMAIL="b@example.invalid",
        GIT_COMMITTER_NAME="b",
        GIT_COMMITTER_EMAIL="b@example.invalid",
    )
    sopkit = str(Path(sys.executable).parent / "sopkit")
    compileall.compile_dir(ROOT / "toolkit", quiet=1)
    try:
        repo, base, head = generate(work, args.files, args.commits, env)
        floor_cmds = (
            [sys.executable, "-c", "import yaml"],
            ["git", "ls-files"],
            ["git", "diff", "--name-only", base, head],
        )
        change = [sopkit, "gate", "check", "--repo", str(repo), "--base", base, "--head", head]
        state = [sopkit, "gate", "check", "--repo", str(repo)]
        # a push of the last 10 commits, on a base the server judged before
        last = [sopkit, "gate", "check", "--repo", str(repo), "--base", f"{head}~10", "--head", head]
        timed(change, cwd=repo, env=env, ok=(0, 1))  # fill the cache
        timed(state, cwd=repo, env=env, ok=(0, 1))
        runs: dict[str, list[float]] = {name: [] for name in FIGURES}
        for round_no in range(args.rounds):
            cold = dict(env, SOPKIT_CACHE_DIR=str(work / f"cold-{round_no}"))
            walked = dict(env, SOPKIT_CACHE_DIR=str(work / f"walked-{round_no}"))
            pushed = dict(env, SOPKIT_CACHE_DIR=str(work / f"pushed-{round_no}"))
            for copy in (walked, pushed):  # the warm cache, without its histories
                no_histories = shutil.ignore_patterns("histories")
                shutil.copytree(work / "cache", copy["SOPKIT_CACHE_DIR"], ignore=no_histories)
            timed([*state, "--head", f"{head}~10"], cwd=repo, env=pushed, ok=(0, 1))  # the base, judged
            runs["floor"].append(sum(timed(c, cwd=repo, env=env) for c in floor_cmds))
            runs["change"].append(timed(change, cwd=repo, env=env, ok=(0, 1)))
            runs["walked"].append(timed(change, cwd=repo, env=walked, ok=(0, 1)))
            runs["last"].append(timed(last, cwd=repo, env=pushed, ok=(0, 1)))
            runs["cold"].append(timed(change, cwd=repo, env=cold, ok=(0, 1)))
            runs["state"].append(timed(state, cwd=repo, env=env, ok=(0, 1)))
            runs["startup"].append(timed([sopkit, "--version"], cwd=repo, env=env))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    median = {name: statistics.median(times) for name, times in runs.items()}
    print(f"repository: {args.files} code files + the template, {args.commits} commits after the scaffold")
    for name, label in FIGURES.items():
        ratio = "" if name == "floor" else f"   {median[name] / median['floor']:5.2f} x floor"
        print(f"{label:<58} median {median[name] * 1000:7.1f} ms{ratio}")
    return 0


FIGURES = {
    "floor": "floor (python+yaml, git ls-files, git diff --name-only)",
    "change": "sopkit gate check --base --head (all commits), warm cache",
    "walked": "  the same, the histories not seen before",
    "last": "  a push of the last 10 commits on a base judged before",
    "cold": "sopkit gate check --base --head (all commits), cold cache",
    "state": "sopkit gate check (state at HEAD), warm cache",
    "startup": "sopkit --version (starting the command line)",
}


if __name__ == "__main__":
    sys.exit(main())

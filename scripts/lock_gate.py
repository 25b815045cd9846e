"""Write the requirements the SOP gate installs in GitHub Actions: sop-toolkit and every dependency at an
exact version, each file by its SHA-256 (``pip install --require-hashes``).

    python scripts/lock_gate.py --wheel-url URL [--out gate-requirements.txt]

Builds this checkout's wheel reproducibly (file dates from the last commit, so the office's release job
that publishes it at URL builds the same bytes), resolves its dependencies for the Actions runner
(Linux x86-64, CPython 3.11) with pip, and hashes every file pip chose. The result goes into each
application repository's ``.sop/requirements.txt`` (``sopkit new --data gate_requirements=...``), a policy
file: changing it needs the policy owners.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNNER = ["--platform", "manylinux2014_x86_64", "--python-version", "3.11", "--implementation", "cp"]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_wheel(out: Path) -> Path:
    epoch = subprocess.run(
        ["git", "log", "-1", "--format=%ct"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    env = dict(os.environ, SOURCE_DATE_EPOCH=epoch)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
        env=env,
        check=True,
    )
    (wheel,) = out.glob("sop_toolkit-*.whl")
    return wheel


def dependencies(wheel: Path, out: Path) -> list[Path]:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--only-binary=:all:",
            *RUNNER,
            "-d",
            str(out),
            str(wheel),
        ],
        check=True,
    )
    return sorted(p for p in out.iterdir() if p.suffix == ".whl" and not p.name.startswith("sop_toolkit-"))


def requirement(wheel: Path) -> str:
    """``name==version --hash=sha256:...`` for a wheel file (its name holds both)."""
    name, version = wheel.name.split("-")[:2]
    return f"{re.sub(r'[-_.]+', '-', name).lower()}=={version} --hash=sha256:{sha256(wheel)}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel-url", required=True, help="where the release job publishes this wheel")
    parser.add_argument("--out", type=Path, help="file to write (default: standard output)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        built, deps = Path(work) / "built", Path(work) / "deps"
        wheel = build_wheel(built)
        lines = [
            "# sop-toolkit for the SOP gate in GitHub Actions: exact versions, every file by its hash.",
            "# Written by scripts/lock_gate.py; install with pip install --require-hashes -r <this file>.",
            f"sop-toolkit @ {args.wheel_url} --hash=sha256:{sha256(wheel)}",
            *(requirement(dep) for dep in dependencies(wheel, deps)),
        ]
    text = "\n".join(lines) + "\n"
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

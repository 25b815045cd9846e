"""The one timing helper the benchmark scripts share: wall time of a command run to completion."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path


def timed(
    command: list[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    ok: tuple[int, ...] = (0,),
) -> float:
    """Seconds ``command`` took; stops the benchmark when it exits with a code not in ``ok``."""
    start = time.perf_counter()
    result = subprocess.run(
        command,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if result.returncode not in ok:
        raise SystemExit(f"{command} failed ({result.returncode}): {result.stderr.decode()[-400:]}")
    return elapsed

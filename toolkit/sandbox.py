"""Checking signed letters in a separate process with bounded memory and time.

A PDF comes from whoever pushed it: it may be damaged or built to exhaust the checker (nesting that
recurses without end, streams that inflate to gigabytes, cross-reference loops). pyHanko therefore runs in
a child process (``python -I``: none of the caller's environment) with an address-space limit and a
CPU-time limit per letter, and the parent waits a bounded wall-clock time. A letter the child could not
finish within them is "not accepted" (``pdf.too-costly``), never a traceback and never a pass.

Letters are sent to one child together (starting Python and importing pyHanko costs more than checking a
letter); when the child dies, each letter of the batch is checked again on its own, so that one hostile
file cannot make the others fail.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

from toolkit.evidence.pdfsig import Options, Verdict


class Limits(NamedTuple):
    memory_bytes: int = 1536 * 1024 * 1024  # address space of the child (Python and pyHanko take ~0.4 GiB)
    cpu_seconds: int = 20  # per letter
    wall_seconds: float = 60.0  # per letter, for the whole batch as a multiple


DEFAULT_LIMITS = Limits()


class Job(NamedTuple):
    data: bytes
    roots: tuple[bytes, ...]
    options: Options


def verify(
    jobs: Sequence[Job], limits: Limits = DEFAULT_LIMITS, now: dt.datetime | None = None
) -> list[Verdict]:
    """The verdict on each letter of ``jobs``, reached in a bounded child process."""
    if not jobs:
        return []
    moment = now or dt.datetime.now(dt.UTC)
    found = _run(jobs, limits, moment)
    if found is not None:
        return found
    if len(jobs) == 1:
        return [Verdict((("pdf.too-costly", {}),), ())]
    return [verdicts[0] for job in jobs for verdicts in [verify([job], limits, moment)]]


def _run(jobs: Sequence[Job], limits: Limits, now: dt.datetime) -> list[Verdict] | None:
    payload = {
        "now": now.isoformat(),
        "cpu": limits.cpu_seconds,
        "jobs": [
            {
                "data": base64.b64encode(job.data).decode(),
                "roots": [base64.b64encode(root).decode() for root in job.roots],
                "options": job.options._asdict(),
            }
            for job in jobs
        ],
    }
    env = {"PATH": os.defpath, "LC_ALL": "C.UTF-8"}
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-c", _CHILD, _HOME, str(limits.memory_bytes)],
            input=json.dumps(payload).encode(),
            capture_output=True,
            timeout=limits.wall_seconds * len(jobs),
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None
    if done.returncode != 0:
        return None
    try:
        answer = json.loads(done.stdout)
        verdicts = [Verdict.from_json(item) for item in answer]
    except ValueError:
        return None
    return verdicts if len(verdicts) == len(jobs) else None


# the child loads this very copy of sop-toolkit (an installed package or a checkout), whatever -I hides
_HOME = str(Path(__file__).resolve().parent.parent)
_CHILD = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from toolkit.sandbox import _child; sys.exit(_child(int(sys.argv[2])))"
)


def _child(memory_bytes: int) -> int:
    """The child's side: limit itself (before pyHanko is imported; the parent may run threads, so no
    ``preexec_fn``), read the letters from stdin, write the verdicts to stdout."""
    import logging
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    logging.disable(logging.CRITICAL)  # pyHanko logs what it rejects; the verdict says it
    from toolkit.evidence import pdfsig

    request = json.loads(sys.stdin.buffer.read())
    now = dt.datetime.fromisoformat(request["now"])
    cpu = int(request["cpu"])
    out: list[dict[str, Any]] = []
    for job in request["jobs"]:
        used = resource.getrusage(resource.RUSAGE_SELF)
        spent = int(used.ru_utime + used.ru_stime) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (spent + cpu, spent + cpu + 5))
        data = base64.b64decode(job["data"])
        roots = [base64.b64decode(root) for root in job["roots"]]
        options = pdfsig.Options(**job["options"])
        try:
            verdict = pdfsig.verify(data, roots, options, now)
        except MemoryError:
            verdict = pdfsig.Verdict((("pdf.too-costly", {}),), ())
        except RecursionError:
            verdict = pdfsig.unreadable("nested too deeply")
        except Exception as error:  # pyHanko's own failures on a strange file: not accepted, with a reason
            detail = f"{type(error).__name__}: {error}"[:160]
            verdict = pdfsig.Verdict((("pdf.check-failed", {"detail": detail}),), ())
        out.append(verdict.as_json())
    sys.stdout.write(json.dumps(out))
    return 0

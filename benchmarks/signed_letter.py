"""What checking a signed letter costs, as ratios to baselines measured in the same run.

    python benchmarks/signed_letter.py [--rounds N]

A one-page letter is signed with pyHanko by a test PKI made here. Measured: reading the file (and
hashing it, as the cache key needs); the gate's cached verdict (key + lookup); the check itself in this
process (pyHanko imported already); the check as the gate runs it, in a bounded child process; and the
floor of that child: a fresh ``python -I`` importing pyHanko's validation.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def median_of(rounds: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=11)
    args = parser.parse_args()
    from tests.pdf.pki import letter, make_pki, sign
    from toolkit import sandbox
    from toolkit.cache import Cache
    from toolkit.evidence import pdfsig

    pki = make_pki()
    folder = Path(tempfile.mkdtemp())
    path = folder / "surat-tugas.pdf"
    path.write_bytes(sign(letter(), pki))
    roots = (pki.root.pem,)
    job = sandbox.Job(path.read_bytes(), roots, pdfsig.Options())
    cache = Cache(folder / "cache")
    key = Cache.key("artefact-verdicts", b"pdf", hashlib.sha256(path.read_bytes()).digest())
    cache.store(
        "artefact-verdicts", key, ["present", [], ["x", "Rahmat Hidayat", "2026-01-01T00:00:00Z", "claimed"]]
    )
    now = dt.datetime.now(dt.UTC)
    pdfsig.verify(job.data, roots, job.options, now)  # import pyHanko once

    read = median_of(args.rounds * 20, lambda: hashlib.sha256(path.read_bytes()).digest())
    cached = median_of(
        args.rounds * 20,
        lambda: cache.lookup(
            "artefact-verdicts",
            Cache.key("artefact-verdicts", b"pdf", hashlib.sha256(path.read_bytes()).digest()),
        ),
    )
    inline = median_of(args.rounds, lambda: pdfsig.verify(job.data, roots, job.options, now))
    child = median_of(args.rounds, lambda: sandbox.verify([job]))
    ten = median_of(max(3, args.rounds // 3), lambda: sandbox.verify([job] * 10)) / 10
    floor_cmd = [sys.executable, "-I", "-c", "import pyhanko.sign.validation"]
    floor = median_of(args.rounds, lambda: subprocess.run(floor_cmd, check=True))
    print(f"read + hash the letter        {read * 1e3:8.3f} ms  (baseline)")
    print(f"cached verdict (key + lookup) {cached * 1e3:8.3f} ms  {cached / read:8.1f}x the read")
    print(f"verify in this process        {inline * 1e3:8.1f} ms  {inline / read:8.0f}x the read")
    print(f"verify in a bounded child     {child * 1e3:8.1f} ms  {child / floor:8.2f}x python -I + pyHanko")
    print(
        f"  per letter, 10 in one child {ten * 1e3:8.1f} ms  {ten / inline:8.2f}x verifying in this process"
    )
    print(f"floor: python -I + pyHanko    {floor * 1e3:8.1f} ms")
    print(f"cold check vs cached verdict  {child / cached:8.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())

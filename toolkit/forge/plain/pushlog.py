"""What the server records as pushes land (written by the post-receive hook, in ``BARE/sopkit/``):

* ``pushes.log``: every accepted update of a protected branch, ``OLD NEW REF TIME``; ``sopkit audit``
  checks that the branch moved only through these;
* ``signoffs.log``: when each sign-off commit first reached the server (on any branch),
  ``COMMIT TIME``. That time, not the date the signer wrote into the commit, is when the sign-off was
  made: an officer whose role has ended cannot back-date one, nor a future officer sign ahead.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from toolkit.evidence.signoffs import claims, parse_commit
from toolkit.repo.gitread import ZERO, Pending, read_objects

CONFIG_DIR = "sopkit"
PUSH_LOG = "pushes.log"
ARRIVALS = "signoffs.log"


class Push(NamedTuple):
    old: str
    new: str
    ref: str
    time: int


def is_server(repo: Path) -> bool:
    return (repo / CONFIG_DIR / "config.json").is_file()


def pushes(repo: Path, ref: str) -> list[Push] | None:
    """The logged pushes to ``ref``, oldest first; ``None`` where no log is kept (a clone)."""
    log = repo / CONFIG_DIR / PUSH_LOG
    if not log.is_file():
        return None
    found = []
    for line in log.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[2] == ref and parts[3].isdigit():
            found.append(Push(parts[0], parts[1], parts[2], int(parts[3])))
    return found


def arrivals(repo: Path) -> dict[str, int] | None:
    """Sign-off commit -> when the server first accepted it; ``None`` where the repository is no server
    (a clone), so sign-off times can only be the signers' own."""
    if not is_server(repo):
        return None
    found: dict[str, int] = {}
    try:
        text = (repo / CONFIG_DIR / ARRIVALS).read_text(encoding="utf-8")
    except FileNotFoundError:
        return found
    for line in text.splitlines():
        sha, _sep, when = line.partition(" ")
        if when.isdigit() and sha not in found:  # the first arrival counts
            found[sha] = int(when)
    return found


def record(repo: Path, updates: list[tuple[str, str, str]], protected: tuple[str, ...], now: int) -> None:
    """Log the accepted ``updates``: the pushes to protected branches, and the sign-offs that arrived."""
    folder = repo / CONFIG_DIR
    with (folder / PUSH_LOG).open("a", encoding="utf-8") as log:
        for old, new, ref in updates:
            if ref in protected:
                log.write(f"{old} {new} {ref} {now}\n")
    seen = arrivals(repo) or {}
    new_signoffs = [sha for sha in _signoff_commits(repo, updates) if sha not in seen]
    if new_signoffs:
        with (folder / ARRIVALS).open("a", encoding="utf-8") as log:
            log.writelines(f"{sha} {now}\n" for sha in dict.fromkeys(new_signoffs))


def _signoff_commits(repo: Path, updates: list[tuple[str, str, str]]) -> list[str]:
    """The commits the updates brought whose message claims a sign-off, read as the gate reads them (the
    raw commit, not a message git re-encoded)."""
    tips = [new for _old, new, _ref in updates if new != ZERO]
    if not tips:
        return []
    known = [f"^{old}" for old, _new, _ref in updates if old != ZERO]
    brought = Pending(repo, ["rev-list", *tips, *known, "--"]).output().decode().split()
    raw = read_objects(repo, brought)
    return [sha for sha in brought if sha in raw and claims(parse_commit(raw[sha]).message) is not None]

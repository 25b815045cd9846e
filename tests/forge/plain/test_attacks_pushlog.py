"""A malformed commit brought to a side branch in the same push makes post-receive crash: the push lands,
but no sign-off of that push is ever recorded in signoffs.log. Commits are read without a crash."""

from __future__ import annotations

import subprocess

from tests.conftest import git
from tests.office import Office
from toolkit.forge.plain.pushlog import ARRIVALS, CONFIG_DIR


def poison_commit(office: Office) -> str:
    """A commit git accepts (no fsck on receive) whose header holds a late 'parent' line of bytes that
    are not UTF-8: git ignores it, the post-receive's parse_commit decodes it."""
    app = office.app
    tree = git(app, "rev-parse", "HEAD^{tree}").strip()
    parent = git(app, "rev-parse", "HEAD").strip()
    raw = (
        f"tree {tree}\nparent {parent}\n"
        "author Rina <rina@sumbarprov.go.id> 1700000000 +0700\n"
        "committer Rina <rina@sumbarprov.go.id> 1700000000 +0700\n"
    ).encode() + b"parent \xff\xfe\n\nRacun\n"
    out = subprocess.run(
        ["git", "hash-object", "--literally", "-t", "commit", "-w", "--stdin"],
        cwd=app,
        input=raw,
        capture_output=True,
        check=True,
    )
    return out.stdout.decode().strip()


def test_a_poisoned_push_loses_the_arrival_of_its_signoffs(office: Office) -> None:
    office.fill(1)
    office.commit("Surat permintaan", author="rina")
    assert office.signoff(1, "tu").exit_code == 0
    signoff = git(office.app, "rev-parse", "HEAD").strip()
    poison = poison_commit(office)
    # same push: main (gated, passes) and a side branch with the poison
    pushed = subprocess.run(
        ["git", "push", str(office.bare), "HEAD:refs/heads/main", f"{poison}:refs/heads/side"],
        cwd=office.app,
        capture_output=True,
        text=True,
        check=False,
    )
    assert pushed.returncode == 0, pushed.stderr
    assert git(office.bare, "rev-parse", "main").strip() == signoff  # landed
    log = office.bare / CONFIG_DIR / ARRIVALS
    recorded = log.read_text() if log.exists() else ""
    assert signoff in recorded, "post-receive failed: " + pushed.stderr

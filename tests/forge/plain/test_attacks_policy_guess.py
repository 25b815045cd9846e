"""The early walk's guess at the folders of an unchecked policy turns every artefact path into text: one
path that is an alias of nested aliases (a few hundred bytes of YAML) expands to 10^n values there,
while the real parser refuses it at once. The state of a commit reads the commit's own policy, so a
branch carrying such a policy stalls `sopkit gate check` (one more level: ten times longer, and the
memory). The guess takes text paths only."""

from __future__ import annotations

import time

from tests.office import Office
from toolkit.repo.reading import _guessed_folders


def bomb(levels: int) -> bytes:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    lines += ["steps:", "  - artefacts:", f"      - path: *a{levels}", "policy:", "  paths: []"]
    return ("\n".join(lines) + "\n").encode()


def test_the_guess_refuses_an_alias_bomb_quickly() -> None:
    started = time.monotonic()
    _guessed_folders(bomb(7))
    assert time.monotonic() - started < 1.0


def test_the_state_of_a_commit_with_an_alias_bomb_policy_is_refused_quickly(office: Office) -> None:
    (office.app / ".sop" / "sop.yaml").write_bytes(bomb(7))
    head = office.commit("Kebijakan", author="rina")
    started = time.monotonic()
    result = office.cli("gate", "check", "--repo", str(office.app), "--head", head)
    assert result.exit_code != 0
    assert time.monotonic() - started < 2.0

"""``sopkit hook``: only the pre-receive hook, which reads and reports, ends the quick way."""

from __future__ import annotations

import pytest

from tests.conftest import Cli
from toolkit.cli import lean


@pytest.mark.parametrize(("name", "quick"), [("pre-receive", True), ("post-receive", False)])
def test_only_pre_receive_runs_lean(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, name: str, quick: bool
) -> None:
    from toolkit.forge.plain import server

    monkeypatch.setattr(lean, "_lean_run", False)
    monkeypatch.setattr(server, "run_hook", lambda hook, stdin: 0)
    result = cli("hook", name)
    assert result.exit_code == 0
    assert lean.ran_lean() is quick

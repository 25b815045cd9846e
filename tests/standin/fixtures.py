"""The ``standin`` fixture: a fresh stand-in per test, every answer checked against GitHub's description;
the test fails at teardown if any answer broke the contract or the stand-in crashed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.standin.contract import shared_contract
from tests.standin.core import StandIn

if TYPE_CHECKING:
    from github import Github


@pytest.fixture
def standin(tmp_path: Path) -> Iterator[StandIn]:
    with StandIn(tmp_path / "standin", validate=shared_contract()) as stand_in:
        yield stand_in
        problems = stand_in.problems
    assert not problems, "the stand-in broke GitHub's contract:\n" + "\n\n".join(problems)


def github(stand_in: StandIn, token: str | None, **options: Any) -> Github:
    """The real PyGithub pointed at the stand-in, without PyGithub's pauses between calls (the stand-in
    has no abuse detection) and with a short rate-limit wait."""
    from github import Auth, Github, GithubRetry

    options.setdefault("retry", GithubRetry(total=10, secondary_rate_wait=1))
    return Github(
        auth=Auth.Token(token) if token else None,
        base_url=stand_in.api_url,
        seconds_between_requests=0,
        seconds_between_writes=0,
        **options,
    )

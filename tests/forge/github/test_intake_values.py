"""The GitHub intake on the stand-in: a comment command's values are recorded as the officer typed them,
and the intake's answer says what was recorded."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.forge.github.intake_office import INTAKE, Intake, open_intake
from tests.standin import StandIn


@pytest.fixture
def labelled(standin: StandIn, keyring: dict[str, Path], tmp_path: Path) -> Intake:
    """The intake after its first run made the state labels."""
    intake = open_intake(standin, keyring, tmp_path)
    number = intake.open("ani")
    intake.issue("budi", number).edit(state="closed")
    time.sleep(1.1)
    return intake


def test_an_agenda_number_is_recorded_as_typed_and_echoed(labelled: Intake) -> None:
    """TU types `/catat` with `nomor_agenda: 0412`: YAML's implicit types made it the octal number 266,
    recorded and listed in the register while the intake said the command counted. The register holds
    0412 and the answer shows it."""
    from click.testing import CliRunner

    from toolkit.cli.app import cli

    intake = labelled
    number = intake.open("ani")  # TU opens it: submitted
    intake.comment("ani", number, "/catat\nnomor_agenda: 0412\n")
    answer = intake.answers(number)[-1]
    assert "✅" in answer and "nomor_agenda: 0412" in answer, answer
    env = {"GITHUB_TOKEN": intake.tokens["budi"], "SOPKIT_LANG": "en"}
    args = ["report", "requests", "--github", INTAKE, "--api-url", intake.standin.api_url, "--format", "json"]
    listed = CliRunner().invoke(cli, args, env=env)
    assert listed.exit_code == 0, listed.output
    agenda = {row["id"]: row["nomor_agenda"] for row in json.loads(listed.stdout)}
    assert agenda[next(i for i in agenda if i.endswith(f"-{number:03d}"))] == "0412"

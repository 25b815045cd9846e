"""Fixtures of the intake tests: registries (served by a registry server, its first push done, or not),
the rules of an intake, and English messages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.intake.registry_office import RegistryOffice, open_registry
from tests.office import PEOPLE, roster_text
from toolkit.gate.model import Rules
from toolkit.i18n import current_language, set_language
from toolkit.intake.registry import parse_rules
from toolkit.paths import default_policy


@pytest.fixture
def served(tmp_path: Path, cli: Cli, keyring: dict[str, Path]) -> RegistryOffice:
    """A registry with a server, the first push done."""
    return open_registry(tmp_path, cli, keyring)


@pytest.fixture
def local(tmp_path: Path, cli: Cli, keyring: dict[str, Path]) -> RegistryOffice:
    """A registry without a server."""
    return open_registry(tmp_path, cli, keyring, with_server=False)


@pytest.fixture
def english() -> Iterator[None]:
    before = current_language()
    set_language("en")
    yield
    set_language(before)


@pytest.fixture(scope="module")
def rules(keyring: dict[str, Path]) -> Rules:
    logins = {m: m for m in PEOPLE}
    return parse_rules(default_policy().read_bytes(), roster_text(keyring, PEOPLE, logins).encode(), "t")

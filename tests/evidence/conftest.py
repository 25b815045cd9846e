from __future__ import annotations

from collections.abc import Iterator

import pytest

from toolkit.i18n import set_language


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages of the pure checks in English, for readable assertions."""
    set_language("en")
    yield
    set_language("id")

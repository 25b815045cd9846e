"""The gate's SHA-256 is SHA-256: the same digests as hashlib's, on any input."""

from __future__ import annotations

import hashlib

import pytest

from toolkit.sha256 import sha256


@pytest.mark.parametrize("data", [b"", b"abc", bytes(range(256)) * 4099, "dokumen ñ".encode()])
def test_the_same_digests_as_hashlib(data: bytes) -> None:
    ours = sha256()
    ours.update(data[:7])
    ours.update(data[7:])
    assert ours.hexdigest() == hashlib.sha256(data).hexdigest()

"""SHA-256 for the gate's digests and cache keys, without loading OpenSSL.

Importing :mod:`hashlib` loads OpenSSL's library, about 2 ms, a fortieth of a gate run on every push.
CPython carries its own SHA-256 (the one hashlib falls back to); the digests are the same.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Protocol, cast


class Hash(Protocol):
    def update(self, data: bytes, /) -> None: ...

    def hexdigest(self) -> str: ...


def _constructor() -> Callable[[], Hash]:
    for module in ("_sha2", "_sha256"):  # CPython 3.12+, 3.11
        try:
            return cast(Callable[[], Hash], import_module(module).sha256)
        except (ImportError, AttributeError):
            continue
    from hashlib import sha256  # any other Python

    return sha256


sha256 = _constructor()

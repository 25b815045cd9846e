"""A small content-addressed cache on disk, for results that depend only on their inputs' bytes (the data
of a policy that passed validation, a signature that verified, the verdict on an artefact file).

Every key is a SHA-256 digest of its namespace, of :func:`code_identity` (the version and the sources of
the whole package, so any edit of the code invalidates everything) and of every input. A value is only
ever written for a key, never changed; a damaged value reads as absent and is computed again.

The core (``sop``, ``evidence``, ``gate``) never opens the folder: an adapter makes a :class:`Cache` and
hands it down. Which folder is the adapter's choice: ``$SOPKIT_CACHE_DIR``, else
``$XDG_CACHE_HOME/sopkit``, else ``~/.cache/sopkit`` for a user's commands (:meth:`Cache.default`); the
server's own folder for its hooks, whatever the pusher's environment says.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import cache
from pathlib import Path
from typing import Any


@cache
def code_identity() -> bytes:
    """The version and the size and modification time of every source file of the package: an edited
    checkout changes them, not the version."""
    from toolkit import __version__

    package = Path(__file__).parent
    parts = [__version__]
    for source in sorted(package.rglob("*.py")):
        status = source.stat()
        parts.append(f"{source.relative_to(package)}:{status.st_size}:{status.st_mtime_ns}")
    return "\n".join(parts).encode()


class Cache:
    """The values kept in ``root`` (``None``: a cache that keeps nothing)."""

    def __init__(self, root: Path | None) -> None:
        self.root = root

    @classmethod
    def default(cls) -> Cache:
        """The user's cache folder, as the environment names it."""
        configured = os.environ.get("SOPKIT_CACHE_DIR")
        if configured:
            return cls(Path(configured))
        return cls(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "sopkit")

    @staticmethod
    def key(namespace: str, *parts: bytes) -> str:
        digest = hashlib.sha256()
        for part in (namespace.encode(), code_identity(), *parts):
            digest.update(len(part).to_bytes(8, "big") + part)
        return digest.hexdigest()

    def lookup(self, namespace: str, key: str) -> Any | None:
        """The data kept under ``key`` (``None``: none, or a damaged value)."""
        if self.root is None:
            return None
        try:
            return json.loads((self.root / namespace / key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def has(self, namespace: str, key: str) -> bool:
        return self.root is not None and (self.root / namespace / key).is_file()

    def store(self, namespace: str, key: str, data: Any) -> None:
        """Keep ``data`` (JSON's own types: lists, not tuples) under ``key``. A cache that cannot be written
        only costs time."""
        if self.root is None:
            return
        try:
            text = json.dumps(data, ensure_ascii=False).encode("utf-8")
        except (TypeError, ValueError):  # not JSON, or text that is not valid Unicode: not remembered
            return
        from toolkit.atomic import replace_file  # here: a run that only reads never imports tempfile

        try:
            folder = self.root / namespace
            folder.mkdir(parents=True, exist_ok=True)
            replace_file(folder / key, text)  # atomic: a reader never sees half a value
        except OSError:
            pass

    def trim(self, namespace: str, keep: int) -> None:
        """Delete all but the ``keep`` values of ``namespace`` written last (for large values)."""
        if self.root is None:
            return
        try:
            values = [e for e in os.scandir(self.root / namespace) if not e.name.startswith(".")]
            values.sort(key=lambda entry: entry.stat().st_mtime_ns, reverse=True)
            for stale in values[keep:]:
                Path(stale.path).unlink(missing_ok=True)
        except OSError:
            pass


NO_CACHE = Cache(None)

"""sop.yaml: load, validate, and the typed model of the office's SOP."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.errors import Problem, ProblemsError
from toolkit.sop.model import Artefact, Document, Role, Sop, Step, Text

if TYPE_CHECKING:
    from toolkit.sop.source import Located

__all__ = ["Artefact", "Document", "Role", "Sop", "Step", "Text", "load", "parse", "problems"]

DEFAULT_PATH = Path("sop.yaml")


def problems(path: Path, display: str | None = None) -> tuple[Sop | None, list[Problem]]:
    """Read and check ``path``; the model when it is valid, and every problem found."""
    from toolkit.sop.source import read_yaml

    doc, found = read_yaml(path, display)
    if doc is None:
        return None, sorted(found)
    return _check(doc, found)


def parse(raw: bytes, display: str) -> Sop:
    """The validated model of a policy held in memory (read from a commit, say)."""
    from toolkit.sop.source import MAX_FILE_BYTES, parse_yaml, too_big

    if len(raw) > MAX_FILE_BYTES:
        raise ProblemsError([too_big(display, len(raw))])
    doc, found = parse_yaml(raw, display)
    sop, found = (None, sorted(found)) if doc is None else _check(doc, found)
    if sop is None:
        raise ProblemsError(found)
    return sop


def _check(doc: Located, found: list[Problem]) -> tuple[Sop | None, list[Problem]]:
    from toolkit.sop.model import build

    if not isinstance(doc.data, dict):
        found.append(doc.problem((), _not_mapping()))
        return None, sorted(found)
    cache_key = _cache_key(doc.raw)
    if not _cached(cache_key):  # unless these exact bytes passed both checks before
        from toolkit.sop.checks import semantic_problems
        from toolkit.sop.schema import schema_problems

        found += schema_problems(doc)
        found += semantic_problems(doc)
    if found:
        return None, sorted(set(found))
    _remember(cache_key)
    return build(doc.data), []


def load(path: Path, display: str | None = None) -> Sop:
    """The validated model of ``path``; raises :class:`ProblemsError` listing every problem."""
    sop, found = problems(path, display)
    if sop is None:
        raise ProblemsError(found)
    return sop


# Checking the schema costs more than everything else the gate does (importing jsonschema included), so
# a policy whose exact bytes passed once, with this schema and this version of sop-toolkit, is not
# checked again.


def _cache_key(raw: bytes) -> str:
    from toolkit import __version__, cache
    from toolkit.paths import schema_path

    return cache.key(__version__.encode(), schema_path().read_bytes(), raw)


def _cached(key: str) -> bool:
    from toolkit import cache

    return cache.lookup("valid-policies", key) is not None


def _remember(key: str) -> None:
    from toolkit import cache

    cache.store("valid-policies", key)


def _not_mapping() -> str:
    from toolkit.i18n import _

    return _("the top level must be a mapping (version:, sop:, roles:, steps:, ...)")

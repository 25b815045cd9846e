"""sop.yaml: load, validate, and the typed model of the office's SOP."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.cache import NO_CACHE, Cache
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


def parse(raw: bytes, display: str, cache: Cache = NO_CACHE) -> Sop:
    """The validated model of a policy held in memory (read from a commit, say). ``cache`` remembers the
    data of policies that passed validation, by their bytes."""
    from toolkit.sop.source import MAX_FILE_BYTES, parse_yaml, too_big

    if len(raw) > MAX_FILE_BYTES:
        raise ProblemsError([too_big(display, len(raw))])
    remembered = known(raw, cache)
    if remembered is not None:
        return remembered
    doc, found = parse_yaml(raw, display)
    sop, found = (None, sorted(found)) if doc is None else _check(doc, found)
    if sop is None:
        raise ProblemsError(found)
    if cache.root is not None and doc is not None:
        cache.store(_NAMESPACE, _cache_key(raw), doc.data)
    return sop


def known(raw: bytes, cache: Cache) -> Sop | None:
    """The model of ``raw`` when these exact bytes passed validation before (``cache`` remembers them)."""
    from toolkit.sop.model import build

    data = cache.lookup(_NAMESPACE, _cache_key(raw)) if cache.root is not None else None
    try:
        return build(data) if data is not None else None
    except (KeyError, TypeError, ValueError, AttributeError):
        return None  # a damaged cache entry


def _check(doc: Located, found: list[Problem]) -> tuple[Sop | None, list[Problem]]:
    from toolkit.sop.model import build

    if not isinstance(doc.data, dict):
        found.append(doc.problem((), _not_mapping()))
        return None, sorted(found)
    from toolkit.sop.checks import semantic_problems
    from toolkit.sop.schema import schema_problems

    found += schema_problems(doc)
    found += semantic_problems(doc)
    if found:
        return None, sorted(set(found))
    return build(doc.data), []


def load(path: Path, display: str | None = None) -> Sop:
    """The validated model of ``path``; raises :class:`ProblemsError` listing every problem."""
    sop, found = problems(path, display)
    if sop is None:
        raise ProblemsError(found)
    return sop


# Checking the schema costs more than everything else the gate does (importing jsonschema included), and
# reading YAML costs more than the rest of a gate run, so the data of a policy whose exact bytes passed
# both checks once, with this schema and this version of sop-toolkit, is remembered.

_NAMESPACE = "valid-policy-data"


def _cache_key(raw: bytes) -> str:
    from toolkit.cache import Cache
    from toolkit.paths import schema_path

    return Cache.key(_NAMESPACE, schema_path().read_bytes(), raw)


def _not_mapping() -> str:
    from toolkit.i18n import _

    return _("the top level must be a mapping (version:, sop:, roles:, steps:, ...)")

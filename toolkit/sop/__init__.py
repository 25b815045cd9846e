"""sop.yaml: load, validate, and the typed model of the office's SOP."""

from __future__ import annotations

from pathlib import Path

from toolkit.errors import Problem, ProblemsError
from toolkit.sop.model import Artefact, Document, Role, Sop, Step, Text

__all__ = ["Artefact", "Document", "Role", "Sop", "Step", "Text", "load", "problems"]

DEFAULT_PATH = Path("sop.yaml")


def problems(path: Path, display: str | None = None) -> tuple[Sop | None, list[Problem]]:
    """Read and check ``path``; the model when it is valid, and every problem found."""
    from toolkit.sop.checks import semantic_problems
    from toolkit.sop.model import build
    from toolkit.sop.schema import schema_problems
    from toolkit.sop.source import read_yaml

    doc, found = read_yaml(path, display)
    if doc is None:
        return None, sorted(found)
    if not isinstance(doc.data, dict):
        found.append(doc.problem((), _not_mapping()))
        return None, sorted(found)
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


def _not_mapping() -> str:
    from toolkit.i18n import _

    return _("the top level must be a mapping (version:, sop:, roles:, steps:, ...)")

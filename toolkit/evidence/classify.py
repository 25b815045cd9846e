"""Which kind of file a path is under a policy: an artefact of a step, a policy file, application code.

Code is default-deny: every path that is neither an artefact nor a policy file is code, wherever it
lies, unless the policy names it as not code (``gates.code.exclude``, literal paths only). An artefact
is a path some step's artefact pattern matches, except hidden files (``.gitkeep``, ``.htaccess``): those
are never artefacts (see :mod:`toolkit.evidence.artefacts`), so they are code even in a step's folder.

Every path of a change is classified, and a change may hold thousands, so each class is one compiled
alternation of the policy's patterns, built once per policy and tried on all the paths in one pass.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, cached_property

from toolkit.sop.globs import union_source
from toolkit.sop.model import POLICY_STEP, Sop

_NOTHING = re.compile(r"(?!)")


def _union(patterns: tuple[str, ...] | list[str]) -> re.Pattern[str]:
    if not patterns:
        return _NOTHING
    return re.compile(f"(?:{union_source(patterns)})\\Z", re.DOTALL)


def _lines_union(patterns: tuple[str, ...] | list[str]) -> re.Pattern[str]:
    if not patterns:
        return _NOTHING
    return re.compile(f"^(?:{union_source(patterns, lines=True)})$", re.M)


def _hidden(path: str) -> bool:
    return path.rsplit("/", 1)[-1].startswith(".")


class PathClasses:
    """The path classes of one policy. Each regex is compiled when first used: compiling them all costs
    more than a whole gate run needs of them."""

    def __init__(self, policy: Sop) -> None:
        self._policy = policy
        self._artefact_patterns = [a.path for s in policy.steps for a in s.artefacts]
        self._exempt = frozenset(policy.code_gate.exclude)
        self._by_step: dict[str, re.Pattern[str]] = {}

    @cached_property
    def artefacts(self) -> re.Pattern[str]:
        return _union(self._artefact_patterns)

    @cached_property
    def policy(self) -> re.Pattern[str]:
        return _union(self._policy.policy.paths)

    @cached_property
    def artefact_lines(self) -> re.Pattern[str]:  # one pass over many paths, one per line
        return _lines_union(self._artefact_patterns)

    @cached_property
    def policy_lines(self) -> re.Pattern[str]:
        return _lines_union(self._policy.policy.paths)

    def step(self, step_id: str) -> re.Pattern[str]:
        """The union of ``step_id``'s artefact patterns."""
        if step_id not in self._by_step:
            self._by_step[step_id] = _union([a.path for a in self._policy.step(step_id).artefacts])
        return self._by_step[step_id]

    def is_policy(self, path: str) -> bool:
        return self.policy.match(path) is not None

    def is_artefact(self, path: str) -> bool:
        return not _hidden(path) and self.artefacts.match(path) is not None

    def is_code(self, path: str) -> bool:
        return path not in self._exempt and not self.is_artefact(path) and not self.is_policy(path)

    def touches(self, step_id: str, path: str) -> bool:
        """Whether ``path`` is one of ``step_id``'s files (for ``policy``: a policy file)."""
        if step_id == POLICY_STEP:
            return self.is_policy(path)
        return not _hidden(path) and self.step(step_id).match(path) is not None

    def artefacts_among(self, paths: list[str] | tuple[str, ...]) -> list[str]:
        return [p for p in _among(self.artefact_lines, self.artefacts.match, paths) if not _hidden(p)]

    def policy_among(self, paths: list[str] | tuple[str, ...]) -> list[str]:
        return _among(self.policy_lines, self.policy.match, paths)

    def code_among(self, paths: list[str] | tuple[str, ...]) -> list[str]:
        """The application-code paths among ``paths``: all of them but the artefacts, the policy files and
        the files the policy names as not code."""
        not_code = self._exempt.union(self.artefacts_among(paths), self.policy_among(paths))
        return [p for p in paths if p not in not_code]


def _among(
    lines: re.Pattern[str], one: Callable[[str], object], paths: list[str] | tuple[str, ...]
) -> list[str]:
    """The paths ``lines`` matches, in one pass over them joined one per line (``one``: the same test for
    a single path, for names holding a newline)."""
    text = "\n".join(paths)
    if text.count("\n") == len(paths) - 1:  # the usual case: no name holds a newline
        found: list[str] = lines.findall(text)
        return found
    # A path with a newline cannot be matched line-wise; such names are refused anyway (control characters).
    found = lines.findall("".join(f"{p}\n" for p in paths if "\n" not in p))
    return found + [p for p in paths if "\n" in p and one(p)]


@cache
def classes(policy: Sop) -> PathClasses:
    return PathClasses(policy)

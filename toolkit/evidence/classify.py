"""Which kind of file a path is under a policy: an artefact of a step, a policy file, application code.

Code is default-deny: every path that is neither an artefact nor a policy file is code, wherever it
lies, unless the policy names it as not code (``gates.code.exclude``, literal paths only). An artefact
is a path some step's artefact pattern matches, except hidden files (``.gitkeep``, ``.htaccess``): those
are never artefacts (see :mod:`toolkit.evidence.artefacts`), so they are code even in a step's folder.

Every path of a change is classified, and a change (or a snapshot) may hold thousands, so each class is
one compiled alternation of the policy's patterns, built once per policy and tried on each path from its
start: most paths fail on their first character."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cache, cached_property

from toolkit.sop.globs import union_source
from toolkit.sop.model import POLICY_STEP, Sop

_NOTHING = re.compile(r"(?!)")


def _union(patterns: tuple[str, ...] | list[str]) -> re.Pattern[str]:
    if not patterns:
        return _NOTHING
    return re.compile(f"(?:{union_source(patterns)})\\Z", re.DOTALL)


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

    def step(self, step_id: str) -> re.Pattern[str]:
        """The union of ``step_id``'s artefact patterns."""
        if step_id not in self._by_step:
            self._by_step[step_id] = _union([a.path for a in self._policy.step(step_id).artefacts])
        return self._by_step[step_id]

    def is_policy(self, path: str) -> bool:
        return self.policy.match(path) is not None

    def is_artefact(self, path: str) -> bool:
        return self.artefacts.match(path) is not None and not _hidden(path)

    def is_code(self, path: str) -> bool:
        return path not in self._exempt and not self.is_policy(path) and not self.is_artefact(path)

    def touches(self, step_id: str, path: str) -> bool:
        """Whether ``path`` is one of ``step_id``'s files (for ``policy``: a policy file)."""
        if step_id == POLICY_STEP:
            return self.is_policy(path)
        return not _hidden(path) and self.step(step_id).match(path) is not None

    def artefacts_among(self, paths: Iterable[str]) -> list[str]:
        return [p for p in paths if self.is_artefact(p)]

    def policy_among(self, paths: Iterable[str]) -> list[str]:
        return [p for p in paths if self.is_policy(p)]

    def _code_test(self) -> Callable[[str], bool]:
        """:meth:`is_code`, spelt out for the thousands of paths of a tree."""
        exempt, policy, artefact = self._exempt, self.policy.match, self.artefacts.match
        return lambda p: p not in exempt and not policy(p) and (not artefact(p) or _hidden(p))

    def holds_code(self, paths: Iterable[str]) -> bool:
        """Whether any of ``paths`` is application code (stops at the first)."""
        return any(map(self._code_test(), paths))

    def code_among(self, paths: Iterable[str]) -> list[str]:
        """The application-code paths among ``paths``: all of them but the artefacts, the policy files and
        the files the policy names as not code."""
        return list(filter(self._code_test(), paths))


@cache
def classes(policy: Sop) -> PathClasses:
    return PathClasses(policy)

"""Which kind of file a path is under a policy: an artefact of a step, a policy file, application code.

Every path of a change is classified, and a change may hold thousands, so each class is one compiled
alternation of the policy's patterns, built once per policy.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from functools import cache, cached_property

from toolkit.sop.globs import is_glob, union_source
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
        self._not_code = [*policy.code_gate.exclude, *policy.policy.paths, *self._artefact_patterns]
        self._by_step: dict[str, re.Pattern[str]] = {}

    @cached_property
    def artefacts(self) -> re.Pattern[str]:
        return _union(self._artefact_patterns)

    @cached_property
    def policy(self) -> re.Pattern[str]:
        return _union(self._policy.policy.paths)

    @cached_property
    def code_in(self) -> re.Pattern[str]:
        return _union(self._policy.code_gate.paths)

    @cached_property
    def code_out(self) -> re.Pattern[str]:
        return _union(self._policy.code_gate.exclude)

    @cached_property
    def code_in_lines(self) -> re.Pattern[str]:  # one pass over many paths, one per line
        return _lines_union(self._policy.code_gate.paths)

    @cached_property
    def not_code_lines(self) -> re.Pattern[str]:
        return _lines_union(self._not_code)

    @cached_property
    def artefact_lines(self) -> re.Pattern[str]:
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
        return self.artefacts.match(path) is not None

    def touches(self, step_id: str, path: str) -> bool:
        """Whether ``path`` is one of ``step_id``'s files (for ``policy``: a policy file)."""
        if step_id == POLICY_STEP:
            return self.is_policy(path)
        return not _hidden(path) and self.step(step_id).match(path) is not None

    def code_among(self, paths: list[str] | tuple[str, ...]) -> list[str]:
        """The application-code paths among ``paths``: those a code pattern takes, less those an exclusion,
        a policy or an artefact pattern takes. Each side is only tried on the paths it can match."""
        gate = self._policy.code_gate
        taken = (
            paths
            if "**" in gate.paths
            else _among(self.code_in_lines, self.code_in_match, _narrowed(paths, gate.paths))
        )
        excluded = set(_among(self.not_code_lines, self.not_code_match, _narrowed(paths, self._not_code)))
        return [p for p in taken if p not in excluded]

    def code_in_match(self, path: str) -> bool:
        return self.code_in.match(path) is not None

    def not_code_match(self, path: str) -> bool:
        return self.code_out.match(path) is not None or self.is_policy(path) or self.is_artefact(path)

    def artefacts_among(self, paths: list[str] | tuple[str, ...]) -> list[str]:
        candidates = _under(paths, self._artefact_patterns)
        return _among(self.artefact_lines, self.is_artefact, candidates)

    def policy_among(self, paths: list[str] | tuple[str, ...]) -> list[str]:
        return _among(self.policy_lines, self.is_policy, _under(paths, self._policy.policy.paths))

    def is_code(self, path: str) -> bool:
        return self.code_in_match(path) and not self.not_code_match(path)


def _narrowed(paths: list[str] | tuple[str, ...], patterns: list[str] | tuple[str, ...]) -> list[str]:
    """The paths that can match ``patterns`` at all: those under a literal first folder (see :func:`_under`)
    and, for a pattern that starts with a wildcard (``**/.gitkeep``), those with its literal ending."""
    anchored = [p for p in patterns if not is_glob(p.split("/", 1)[0])]
    endings = tuple(_ending(p) for p in patterns if is_glob(p.split("/", 1)[0]))
    if "" in endings:
        return list(paths)
    found = _under(paths, anchored) if anchored else []
    if endings:
        found += [p for p in paths if p.endswith(endings)]
    return list(dict.fromkeys(found))


def _ending(pattern: str) -> str:
    """The literal end every path ``pattern`` matches has ("" when it ends in a wildcard)."""
    last = pattern.rsplit("/", 1)[-1]
    return re.split(r"[*?\]]", last)[-1] if last != "**" else ""


def _under(paths: list[str] | tuple[str, ...], patterns: list[str] | tuple[str, ...]) -> list[str]:
    """The paths that can match ``patterns`` at all: when every pattern starts with a literal folder or
    name (``docs/...``, ``CODEOWNERS``), only paths that start with one of them, found by bisection in
    the sorted paths rather than by a regex tried on every path."""
    tops = {pattern.split("/", 1)[0] for pattern in patterns}
    ordered = sorted(paths)
    if any(is_glob(top) for top in tops):
        return ordered
    found: list[str] = []
    for top in sorted(tops):  # "docs" up to "docs/\U0010ffff" holds docs/... and docs itself
        found += ordered[bisect_left(ordered, top) : bisect_right(ordered, top + "/\U0010ffff")]
    return found


def _among(
    lines: re.Pattern[str], one: Callable[[str], bool], paths: list[str] | tuple[str, ...]
) -> list[str]:
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

"""Which kind of file a path is under a policy: an artefact of a step, a policy file, application code.

Every path of a change is classified, and a change may hold thousands, so each class is one compiled
alternation of the policy's patterns, built once per policy.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from toolkit.sop.globs import compile_pattern, regex_source
from toolkit.sop.model import POLICY_STEP, Sop

_NOTHING = re.compile(r"(?!)")


def _union(patterns: tuple[str, ...] | list[str]) -> re.Pattern[str]:
    if not patterns:
        return _NOTHING
    return re.compile("|".join(f"(?:{compile_pattern(p).pattern})" for p in patterns), re.DOTALL)


def _lines_union(patterns: tuple[str, ...] | list[str]) -> re.Pattern[str]:
    if not patterns:
        return _NOTHING
    return re.compile("^(?:" + "|".join(f"(?:{regex_source(p, lines=True)})" for p in patterns) + ")$", re.M)


def _hidden(path: str) -> bool:
    return path.rsplit("/", 1)[-1].startswith(".")


@dataclass(frozen=True)
class PathClasses:
    artefacts: re.Pattern[str]
    by_step: dict[str, re.Pattern[str]]
    policy: re.Pattern[str]
    code_in: re.Pattern[str]
    code_out: re.Pattern[str]
    code_lines: re.Pattern[str]  # one pass over many paths, one per line
    artefact_lines: re.Pattern[str]
    policy_lines: re.Pattern[str]

    def is_policy(self, path: str) -> bool:
        return self.policy.match(path) is not None

    def is_artefact(self, path: str) -> bool:
        return self.artefacts.match(path) is not None

    def touches(self, step_id: str, path: str) -> bool:
        """Whether ``path`` is one of ``step_id``'s files (for ``policy``: a policy file)."""
        if step_id == POLICY_STEP:
            return self.is_policy(path)
        return not _hidden(path) and self.by_step[step_id].match(path) is not None

    def code_among(self, paths: list[str] | tuple[str, ...]) -> list[str]:
        """The application-code paths among ``paths``, found in one regex pass."""
        return _among(self.code_lines, self.is_code, paths)

    def artefacts_among(self, paths: list[str] | tuple[str, ...]) -> list[str]:
        return _among(self.artefact_lines, self.is_artefact, paths)

    def policy_among(self, paths: list[str] | tuple[str, ...]) -> list[str]:
        return _among(self.policy_lines, self.is_policy, paths)

    def is_code(self, path: str) -> bool:
        return (
            self.code_in.match(path) is not None
            and self.code_out.match(path) is None
            and not self.is_policy(path)
            and not self.is_artefact(path)
        )


def _among(
    lines: re.Pattern[str], one: Callable[[str], bool], paths: list[str] | tuple[str, ...]
) -> list[str]:
    # A path with a newline cannot be matched line-wise; such names are refused anyway (control characters).
    found: list[str] = lines.findall("".join(f"{p}\n" for p in paths if "\n" not in p))
    return found + [p for p in paths if "\n" in p and one(p)]


@cache
def classes(policy: Sop) -> PathClasses:
    artefacts = [a.path for s in policy.steps for a in s.artefacts]
    not_code = [*policy.code_gate.exclude, *policy.policy.paths, *artefacts]
    return PathClasses(
        artefacts=_union(artefacts),
        by_step={s.id: _union([a.path for a in s.artefacts]) for s in policy.steps},
        policy=_union(policy.policy.paths),
        code_in=_union(policy.code_gate.paths),
        code_out=_union(policy.code_gate.exclude),
        code_lines=re.compile(
            "^(?!(?:" + "|".join(regex_source(p, lines=True) for p in not_code) + ")$)"
            "(?:" + "|".join(regex_source(p, lines=True) for p in policy.code_gate.paths) + ")$",
            re.M,
        ),
        artefact_lines=_lines_union(artefacts),
        policy_lines=_lines_union(policy.policy.paths),
    )

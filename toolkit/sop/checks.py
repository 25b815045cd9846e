"""Checks the JSON Schema cannot express: references, uniqueness, dependency order, patterns.

They run on the raw data even when the schema found problems, so the editor sees everything at once;
each check therefore skips values of the wrong type (the schema already reported those).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from toolkit.errors import Problem
from toolkit.i18n import _
from toolkit.sop import globs
from toolkit.sop.model import POLICY_STEP
from toolkit.sop.schema import suggest
from toolkit.sop.source import JsonPath, Located


def semantic_problems(doc: Located) -> list[Problem]:
    data = doc.data if isinstance(doc.data, dict) else {}
    steps = [(i, s) for i, s in enumerate(_list(data.get("steps"))) if isinstance(s, dict)]
    problems: list[Problem] = []
    for check in (
        _unique_steps,
        _references,
        _dependencies,
        _patterns,
        _artefacts,
        _exemptions,
        _documents_used,
        _timezone,
        _signatures,
    ):
        problems.extend(check(doc, data, steps))
    return problems


Steps = list[tuple[int, dict[str, Any]]]


def _timezone(doc: Located, data: dict[str, Any], steps: Steps) -> Iterator[Problem]:
    name = _dict(data.get("settings")).get("timezone")
    if not isinstance(name, str):
        return
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(name)
    except (KeyError, ValueError, OSError):  # not found is a KeyError, a malformed name a ValueError
        yield doc.problem(
            ("settings", "timezone"),
            _("unknown time zone '{zone}'; use an IANA name such as Asia/Jakarta, Asia/Makassar").format(
                zone=name
            ),
        )


def _signatures(doc: Located, data: dict[str, Any], steps: Steps) -> Iterator[Problem]:
    """A signature policy belongs to a PDF artefact; pinned trust roots must be policy files (a change to
    one is a change of the rules) and must exist wherever a signature is checked."""
    roots = [r for r in _list(_dict(data.get("settings")).get("trust_roots")) if isinstance(r, dict)]
    signed = []
    for index, step in steps:
        for j, artefact in enumerate(_list(step.get("artefacts"))):
            if isinstance(artefact, dict) and "signature" in artefact:
                signed.append(("steps", index, "artefacts", j, "signature"))
                if artefact.get("kind") != "pdf":
                    yield doc.problem(
                        signed[-1],
                        _("'signature' only applies to pdf artefacts, but this one is '{kind}'").format(
                            kind=artefact.get("kind")
                        ),
                        key=True,
                    )
    if signed and not roots:
        yield doc.problem(
            signed[0],
            _(
                "a signed letter is checked against pinned trust roots, but 'settings.trust_roots' names "
                "none; add the root certificate (a file in .sop/) and its SHA-256"
            ),
            key=True,
        )
    policy = [p for p in _list(_dict(data.get("policy")).get("paths")) if _valid_pattern(p)]
    for j, root in enumerate(_dict(data.get("settings")).get("trust_roots") or []):
        path = _dict(root).get("path")
        if isinstance(path, str) and _valid_pattern(path) and not any(globs.matches(p, path) for p in policy):
            yield doc.problem(
                ("settings", "trust_roots", j, "path"),
                _(
                    "trust root '{path}' is not a policy file, so a change could replace it without the "
                    "policy owners; keep it under a pattern of 'policy.paths' (e.g. .sop/**)"
                ).format(path=path),
            )


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _line(doc: Located, path: JsonPath) -> int:
    return doc.at(path)[0]


def _unique_steps(doc: Located, data: dict[str, Any], steps: Steps) -> Iterator[Problem]:
    ids: dict[str, int] = {}
    numbers: dict[int, int] = {}
    previous: int | None = None
    for index, step in steps:
        step_id, no = step.get("id"), step.get("no")
        if step_id == POLICY_STEP:
            yield doc.problem(
                ("steps", index, "id"),
                _("the step id '{id}' is reserved for sign-offs of policy changes; choose another id").format(
                    id=step_id
                ),
            )
        if isinstance(step_id, str):
            if step_id in ids:
                yield doc.problem(
                    ("steps", index, "id"),
                    _("step id '{id}' is already used on line {line}; ids must be unique").format(
                        id=step_id, line=_line(doc, ("steps", ids[step_id], "id"))
                    ),
                )
            else:
                ids[step_id] = index
        if isinstance(no, int) and not isinstance(no, bool):
            if no in numbers:
                yield doc.problem(
                    ("steps", index, "no"),
                    _("step number {no} is already used on line {line}; numbers must be unique").format(
                        no=no, line=_line(doc, ("steps", numbers[no], "no"))
                    ),
                )
            else:
                numbers[no] = index
                if previous is not None and no < previous:
                    yield doc.problem(
                        ("steps", index, "no"),
                        _("step {no} comes after step {previous}; list the steps in number order").format(
                            no=no, previous=previous
                        ),
                    )
                previous = no
    numbers_seen: dict[int, str] = {}
    for doc_id, document in _dict(data.get("documents")).items():
        no = _dict(document).get("no")
        if isinstance(no, int):
            if no in numbers_seen:
                yield doc.problem(
                    ("documents", doc_id, "no"),
                    _("document number {no} is already used by '{other}'").format(
                        no=no, other=numbers_seen[no]
                    ),
                )
            numbers_seen.setdefault(no, doc_id)


def _references(doc: Located, data: dict[str, Any], steps: Steps) -> Iterator[Problem]:
    roles = sorted(_dict(data.get("roles")))
    documents = sorted(_dict(data.get("documents")))
    phases = sorted(_dict(data.get("phases")))
    step_ids = sorted({s["id"] for _i, s in steps if isinstance(s.get("id"), str)})

    def unknown(path: JsonPath, value: Any, known: list[str], message: str) -> Iterator[Problem]:
        if isinstance(value, str) and value not in known:
            yield doc.problem(
                path, message.format(value=value, hint=suggest(value, known), known=", ".join(known) or "-")
            )

    role_msg = _("unknown role '{value}'{hint}; roles are declared under 'roles': {known}")
    doc_msg = _("unknown document '{value}'{hint}; documents are declared under 'documents': {known}")
    step_msg = _("unknown step '{value}'{hint}; use a step id: {known}")
    for index, step in steps:
        base: JsonPath = ("steps", index)
        for key in ("actors", "signoffs"):
            for j, role in enumerate(_list(step.get(key))):
                yield from unknown((*base, key, j), role, roles, role_msg)
        for key in ("inputs", "produces"):
            for j, document in enumerate(_list(step.get(key))):
                yield from unknown((*base, key, j), document, documents, doc_msg)
        for key in _DEPENDENCY_KEYS:
            for j, dep in enumerate(_list(step.get(key))):
                yield from unknown((*base, key, j), dep, step_ids, step_msg)
        yield from unknown(
            (*base, "phase"),
            step.get("phase"),
            phases,
            _("unknown phase '{value}'{hint}; phases are declared under 'phases': {known}"),
        )
    gates = _dict(data.get("gates"))
    for gate in ("code", "release"):
        for j, dep in enumerate(_list(_dict(gates.get(gate)).get("requires"))):
            yield from unknown(("gates", gate, "requires", j), dep, step_ids, step_msg)
    for j, role in enumerate(_list(_dict(data.get("policy")).get("owners"))):
        yield from unknown(("policy", "owners", j), role, roles, role_msg)


# A step depends on the steps it requires complete and on those it requires only under way.
_DEPENDENCY_KEYS = ("requires", "requires_started")


def _dependencies(doc: Located, data: dict[str, Any], steps: Steps) -> Iterator[Problem]:
    by_id = {s["id"]: (i, s) for i, s in steps if isinstance(s.get("id"), str)}
    graph: dict[str, list[str]] = {}
    for index, step in steps:
        step_id = step.get("id")
        if not isinstance(step_id, str):
            continue
        listed = [(key, j, dep) for key in _DEPENDENCY_KEYS for j, dep in enumerate(_list(step.get(key)))]
        graph[step_id] = [d for _k, _j, d in listed if isinstance(d, str) and d in by_id]
        both = set(_list(step.get("requires"))) & set(_list(step.get("requires_started")))
        for key, j, dep in listed:
            if dep == step_id:
                yield doc.problem(
                    ("steps", index, key, j),
                    _("step '{id}' depends on itself; remove it from '{key}'").format(id=step_id, key=key),
                )
                continue
            if key == "requires_started" and dep in both:
                yield doc.problem(
                    ("steps", index, key, j),
                    _(
                        "step '{dep}' is in both 'requires' and 'requires_started'; keep it in one: "
                        "'requires' waits for it to be complete, 'requires_started' only until it is "
                        "under way"
                    ).format(dep=dep),
                )
            if not isinstance(dep, str) or dep not in by_id:
                continue
            no, dep_no = step.get("no"), by_id[dep][1].get("no")
            # equal numbers are already reported as a duplicate number
            if isinstance(no, int) and isinstance(dep_no, int) and dep_no > no:
                yield doc.problem(
                    ("steps", index, key, j),
                    _(
                        "step {no} '{id}' depends on step {dep_no} '{dep}', which comes later; a step "
                        "may only depend on earlier steps"
                    ).format(no=no, id=step_id, dep_no=dep_no, dep=dep),
                )
    cycle = _find_cycle(graph)
    if cycle:
        index = by_id[cycle[0]][0]
        yield doc.problem(
            ("steps", index, "requires"),
            _("dependency cycle: {cycle}; break it by removing one of these 'requires'").format(
                cycle=" -> ".join(cycle)
            ),
        )


def _find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    """One cycle of length > 1 in ``graph`` (self-loops are reported separately), or ``None``."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in graph.get(node, []):
            if nxt == node:
                continue
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt, path)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in graph:
        if node not in state:
            found = visit(node, [])
            if found:
                return found
    return None


def _patterns(doc: Located, data: dict[str, Any], steps: Steps) -> Iterator[Problem]:
    def check(path: JsonPath, pattern: Any) -> Iterator[Problem]:
        if isinstance(pattern, str) and pattern:
            reason = globs.pattern_error(pattern)
            if reason:
                yield doc.problem(
                    path,
                    _("invalid path pattern '{pattern}': {reason}").format(pattern=pattern, reason=reason),
                )

    for index, step in steps:
        for j, artefact in enumerate(_list(step.get("artefacts"))):
            yield from check(("steps", index, "artefacts", j, "path"), _dict(artefact).get("path"))
    for j, name in enumerate(_list(_code(data).get("exclude"))):
        if isinstance(name, str) and not globs.is_glob(name):  # the schema refuses wildcards here
            yield from check(("gates", "code", "exclude", j), name)
    for j, pattern in enumerate(_list(_dict(data.get("policy")).get("paths"))):
        yield from check(("policy", "paths", j), pattern)


def _valid_pattern(value: Any) -> bool:
    return isinstance(value, str) and bool(value) and globs.pattern_error(value) is None


def _code(data: dict[str, Any]) -> dict[str, Any]:
    return _dict(_dict(data.get("gates")).get("code"))


def _values(doc: Located, base: JsonPath, artefact: dict[str, Any]) -> Iterator[Problem]:
    """Every field given allowed ``values`` must be one of the artefact's ``fields``."""
    fields = set(_list(artefact.get("fields")))
    for field in _dict(artefact.get("values")):
        if field not in fields:
            yield doc.problem(
                (*base, "values", field),
                _(
                    "'{field}' has allowed values but is not one of this artefact's 'fields'; add it to "
                    "'fields' or remove it from 'values'"
                ).format(field=field),
                key=True,
            )


def _artefacts(doc: Located, data: dict[str, Any], steps: Steps) -> Iterator[Problem]:
    claimed: dict[str, tuple[str, int]] = {}
    for index, step in steps:
        artefacts = [(j, a) for j, a in enumerate(_list(step.get("artefacts"))) if isinstance(a, dict)]
        if artefacts and isinstance(step.get("signoffs"), list) and not step["signoffs"]:
            yield doc.problem(
                ("steps", index, "signoffs"),
                _(
                    "this step has artefacts but nobody signs them off; add at least one role under "
                    "'signoffs'"
                ),
            )
        field = step.get("tested_commit_field")
        if isinstance(field, str):
            fields = {f for _j, a in artefacts for f in _list(a.get("fields"))}
            if not step.get("covers_code"):
                yield doc.problem(
                    ("steps", index, "tested_commit_field"),
                    _("'tested_commit_field' needs 'covers_code: true' on the same step"),
                    key=True,
                )
            elif field not in fields:
                yield doc.problem(
                    ("steps", index, "tested_commit_field"),
                    _(
                        "'{field}' is not a field of this step's artefacts; add it to an artefact's 'fields'"
                    ).format(field=field),
                )
        for j, artefact in artefacts:
            base: JsonPath = ("steps", index, "artefacts", j)
            kind = artefact.get("kind")
            yield from _values(doc, base, artefact)
            for key in ("sections", "fields", "values"):
                if key in artefact and kind != "markdown":
                    yield doc.problem(
                        (*base, key),
                        _("'{key}' only applies to markdown artefacts, but this one is '{kind}'").format(
                            key=key, kind=kind
                        ),
                        key=True,
                    )
            path = artefact.get("path")
            if not isinstance(path, str) or not _valid_pattern(path):
                continue
            if path.rsplit("/", 1)[-1].startswith("."):
                yield doc.problem(
                    (*base, "path"),
                    _(
                        "'{path}' names hidden files (a name starting with '.'), which are never artefacts "
                        "but code; give the artefact a visible name"
                    ).format(path=path),
                )
            owner = claimed.get(path)
            if owner:
                yield doc.problem(
                    (*base, "path"),
                    _(
                        "'{path}' is already an artefact of step '{step}' (line {line}); each file "
                        "belongs to one step"
                    ).format(path=path, step=owner[0], line=owner[1]),
                )
            else:
                claimed[path] = (str(step.get("id")), _line(doc, (*base, "path")))


def _exemptions(doc: Located, data: dict[str, Any], steps: Steps) -> Iterator[Problem]:
    """Code is default-deny: a file the policy names as not code must be neither an artefact nor a policy
    file, and stay out of the folders where steps keep their artefacts (and off the folders themselves)."""
    artefacts = [
        (str(step.get("id")), str(artefact["path"]))
        for _i, step in steps
        for artefact in _list(step.get("artefacts"))
        if isinstance(artefact, dict) and _valid_pattern(artefact.get("path"))
    ]
    policy = [p for p in _list(_dict(data.get("policy")).get("paths")) if _valid_pattern(p)]
    for j, name in enumerate(_list(_code(data).get("exclude"))):
        if not _valid_pattern(name) or globs.is_glob(name):
            continue  # reported by the schema or by _patterns
        at: JsonPath = ("gates", "code", "exclude", j)
        artefact = next(((s, p) for s, p in artefacts if globs.matches(p, name)), None)
        reached = [(f, s, p) for s, p in artefacts if (f := _folder_reached(p, name))]
        # the folder it lies in rather than one below it, and the deepest: the most telling
        reached.sort(key=lambda r: (r[0][1], -len(r[0][0])))
        policy_file = next((p for p in policy if globs.matches(p, name)), None)
        if artefact:
            yield doc.problem(
                at,
                _(
                    "'{path}' is an artefact of step '{step}' ({pattern}), never code; remove it from "
                    "'exclude'"
                ).format(path=name, step=artefact[0], pattern=artefact[1]),
            )
        elif reached:
            (folder, above), step_id, pattern = reached[0]
            message = (
                _(
                    "'{path}' is a folder above '{folder}/', where step '{step}' keeps its artefacts "
                    "({pattern}); an exemption names one file, not a folder: remove it from 'exclude'"
                )
                if above
                else _(
                    "'{path}' lies in '{folder}/' (or names it), where step '{step}' keeps its artefacts "
                    "({pattern}); a file there is that step's artefact or code: remove it from 'exclude' "
                    "(move the file out of the folder, or declare it as an artefact)"
                )
            )
            yield doc.problem(at, message.format(path=name, folder=folder, step=step_id, pattern=pattern))
        elif policy_file:
            yield doc.problem(
                at,
                _("'{path}' is a policy file ({pattern}), never code; remove it from 'exclude'").format(
                    path=name, pattern=policy_file
                ),
            )


def _folder_reached(pattern: str, name: str) -> tuple[str, bool] | None:
    """The folder of the artefact ``pattern`` when the literal path ``name`` is that folder or lies in it
    (``(folder, False)``), or is a folder above it (``(folder, True)``); ``None`` otherwise, and for
    patterns whose files may lie anywhere."""
    folder = pattern.split("/")[:-1]
    while folder[-1:] == ["**"]:  # 'docs/**/x.md' keeps its files in docs/ and below
        folder.pop()
    if not folder or folder[0] == "**":
        return None
    segments, shown = name.split("/"), "/".join(folder)
    if any(globs.matches(shown, "/".join(segments[:k])) for k in range(1, len(segments) + 1)):
        return shown, False
    head = folder[: len(segments)]
    literal = list(itertools.takewhile(lambda segment: not globs.is_glob(segment), folder))
    if len(segments) < len(folder) and (
        ("**" not in head and globs.matches("/".join(head), name)) or segments == literal[: len(segments)]
    ):
        return shown, True
    return None


def _documents_used(doc: Located, data: dict[str, Any], steps: Steps) -> Iterator[Problem]:
    used = {
        d
        for _i, s in steps
        for key in ("inputs", "produces")
        for d in _list(s.get(key))
        if isinstance(d, str)
    }
    for doc_id in _dict(data.get("documents")):
        if doc_id not in used:
            yield doc.problem(
                ("documents", doc_id),
                _(
                    "document '{id}' is not taken in or produced by any step; add it to a step's "
                    "'inputs' or 'produces', or remove it"
                ).format(id=doc_id),
                key=True,
            )

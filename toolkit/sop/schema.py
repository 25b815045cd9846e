"""The JSON Schema of sop.yaml, and its errors turned into located, translated problems."""

from __future__ import annotations

import difflib
import json
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from toolkit.errors import Problem
from toolkit.i18n import N_, _
from toolkit.paths import schema_path
from toolkit.sop.source import JsonPath, Located

if TYPE_CHECKING:
    from jsonschema import ValidationError


# What a value that failed a "pattern" must look like, by the schema's "x-hint" key.
_HINTS = {
    "id": N_(
        "use lower-case letters, digits and single '-' between them, starting with a letter "
        "(e.g. 'analisis-kebutuhan')"
    ),
    "team": N_("use a GitHub team slug: lower-case letters, digits, '.', '_' and '-'"),
    "field": N_("use lower-case letters, digits and '_', starting with a letter (e.g. 'nomor_surat')"),
    "exemption": N_(
        "code is default-deny, so an exemption names one file by its path, without '*', '?' or '[' "
        "(e.g. 'README.md'); list each file that is not code"
    ),
    "trust-root": N_(
        "a trust root is a certificate file kept beside the policy: a path in .sop/ without wildcards "
        "(e.g. '.sop/trust/bsre-root.pem')"
    ),
    "sha256": N_("use the 64 hex digits of the file's SHA-256 (sha256sum FILE)"),
    "default-deny": N_(
        "code is default-deny: every file that is neither an artefact nor a policy file is code; remove "
        "'paths' (only the old value [\"**\"] is still accepted) and name each file that is not code "
        "under 'exclude'"
    ),
}

_SEE_SCHEMA = N_("see the schema (sopkit sop schema)")

_TYPE_NAMES = {
    "object": N_("a mapping (key: value)"),
    "array": N_("a list"),
    "string": N_("text"),
    "integer": N_("a whole number"),
    "number": N_("a number"),
    "boolean": N_("true or false"),
    "null": N_("nothing"),
}


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    result: dict[str, Any] = json.loads(schema_path().read_text(encoding="utf-8"))
    return result


def schema_problems(doc: Located) -> list[Problem]:
    from toolkit.sop.conforms import conforms

    if conforms(doc.data, schema()):
        return []  # valid for sure, without importing jsonschema (see conforms.py)
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(schema())
    problems: list[Problem] = []
    for error in validator.iter_errors(doc.data):
        problems.extend(_explain(doc, error))
    return sorted(set(problems))


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return _(_TYPE_NAMES["boolean"])
    if isinstance(value, int):
        return _(_TYPE_NAMES["integer"])
    if isinstance(value, float):
        return _(_TYPE_NAMES["number"])
    if isinstance(value, str):
        return _(_TYPE_NAMES["string"])
    if isinstance(value, list):
        return _(_TYPE_NAMES["array"])
    if isinstance(value, dict):
        return _(_TYPE_NAMES["object"])
    return _(_TYPE_NAMES["null"])


def suggest(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """`` (did you mean 'x'?)`` when a choice is close to ``word``, else nothing."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return _(" (did you mean '{choice}'?)").format(choice=close[0]) if close else ""


def _explain(doc: Located, error: ValidationError) -> list[Problem]:
    path: JsonPath = tuple(error.absolute_path)
    kind = error.validator
    value: Any = error.instance
    spec: Any = error.validator_value
    subschema: Any = error.schema if isinstance(error.schema, dict) else {}
    if kind == "required":
        return [
            doc.problem(path, _("missing required field '{field}'").format(field=field))
            for field in spec
            if isinstance(value, dict) and field not in value
        ]
    if kind == "additionalProperties" and spec is False:
        known = sorted(subschema.get("properties", {}))
        return [
            doc.problem(
                (*path, key),
                _("unknown field '{field}'{hint}; allowed here: {known}").format(
                    field=key, hint=suggest(key, known), known=", ".join(known)
                ),
                key=True,
            )
            for key in value
            if key not in known
        ]
    if kind == "type":
        expected = _(_TYPE_NAMES.get(str(spec), str(spec)))
        return [
            doc.problem(
                path,
                _("expected {expected}, found {found}").format(expected=expected, found=_type_name(value)),
            )
        ]
    if kind == "enum":
        choices = [str(c) for c in spec]
        return [
            doc.problem(
                path,
                _("'{value}' is not allowed here{hint}; choose one of: {choices}").format(
                    value=value, hint=suggest(str(value), choices), choices=", ".join(choices)
                ),
            )
        ]
    if kind == "const":
        if "x-hint" in subschema:
            found = json.dumps(value, ensure_ascii=False)
            hint = _(_HINTS.get(subschema["x-hint"], _SEE_SCHEMA))
            return [
                doc.problem(path, _("{value} is not allowed here: {hint}").format(value=found, hint=hint))
            ]
        return [
            doc.problem(
                path, _("must be {expected}, found '{value}'").format(expected=json.dumps(spec), value=value)
            )
        ]
    if kind == "pattern":
        hint = _(_HINTS.get(subschema.get("x-hint", ""), _SEE_SCHEMA))
        if "propertyNames" in error.schema_path:  # a key of a mapping, not a value
            return [
                doc.problem(
                    (*path, value),
                    _("'{value}' is not a valid name: {hint}").format(value=value, hint=hint),
                    key=True,
                )
            ]
        return [doc.problem(path, _("'{value}' is not valid: {hint}").format(value=value, hint=hint))]
    if kind in ("minItems", "minProperties"):
        if spec == 1:
            return [doc.problem(path, _("must not be empty"))]
        return [doc.problem(path, _("needs at least {count} entries").format(count=spec))]
    if kind == "minLength":
        return [
            doc.problem(
                path,
                _("text must not be empty")
                if spec == 1
                else _("text must have at least {count} characters").format(count=spec),
            )
        ]
    if kind == "minimum":
        return [doc.problem(path, _("must be at least {limit}").format(limit=spec))]
    if kind == "maximum":
        return [doc.problem(path, _("must be at most {limit}").format(limit=spec))]
    if kind == "uniqueItems":
        seen: set[str] = set()
        problems = []
        for index, item in enumerate(value):
            key = json.dumps(item, sort_keys=True)
            if key in seen:
                problems.append(
                    doc.problem(
                        (*path, index), _("'{value}' appears more than once in this list").format(value=item)
                    )
                )
            seen.add(key)
        return problems
    return [doc.problem(path, error.message)]  # pragma: no cover - every keyword we use is above

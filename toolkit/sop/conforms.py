"""A quick yes to "does this data conform to the schema?", for the keywords sop.schema.json uses.

Importing jsonschema and running it costs more than the rest of a gate run with an empty cache, and nearly
every policy the gate reads is valid. So a policy is first checked here: ``True`` means valid for sure;
``False`` means invalid *or* not sure (a keyword this module does not know, a float where a whole number may
stand), and then jsonschema decides and explains. Being stricter than jsonschema costs only time; being
laxer would let a bad policy through, so each keyword below follows JSON Schema 2020-12, and the tests
compare the two on the policy corpus and on thousands of mutations of the shipped policy.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

# Keywords that describe and never constrain.
_NOTES = frozenset({"$schema", "$id", "$defs", "title", "description", "deprecated", "x-hint", "default"})
_JUDGED = frozenset(
    {
        "type",
        "$ref",
        "properties",
        "additionalProperties",
        "required",
        "propertyNames",
        "minProperties",
        "items",
        "minItems",
        "uniqueItems",
        "pattern",
        "minLength",
        "minimum",
        "maximum",
        "const",
        "enum",
    }
)
KNOWN = _NOTES | _JUDGED


def unknown_keywords(schema: Any) -> set[str]:
    """Keywords used anywhere in ``schema`` that :func:`conforms` cannot judge (the tests keep this empty,
    so a schema change never silently sends every policy the slow way)."""
    if not isinstance(schema, dict):
        return set()
    found = set(schema) - KNOWN
    for key, value in schema.items():
        if key in ("properties", "$defs"):
            for sub in value.values():
                found |= unknown_keywords(sub)
        elif key in ("items", "additionalProperties", "propertyNames"):
            found |= unknown_keywords(value)
    return found


def conforms(data: Any, schema: dict[str, Any]) -> bool:
    """True when ``data`` is valid against ``schema`` for sure; False when it is invalid or not sure."""
    return _plain(data) and _valid(data, schema, schema)


def _plain(data: Any) -> bool:
    """Only text keys and JSON's values, floats aside: YAML's dates, and floats (1.0 equals 1 in JSON
    Schema, not in Python's JSON text), are left to jsonschema."""
    if isinstance(data, dict):
        return all(isinstance(key, str) and _plain(value) for key, value in data.items())
    if isinstance(data, list):
        return all(_plain(item) for item in data)
    return data is None or isinstance(data, (str, int))  # bool is an int


def _valid(data: Any, schema: Any, root: dict[str, Any]) -> bool:
    if schema is True:
        return True
    if not isinstance(schema, dict) or not set(schema) <= KNOWN:
        return False
    if "type" in schema and not _typed(data, schema["type"]):
        return False
    if "$ref" in schema and not _valid(data, _target(schema["$ref"], root), root):
        return False
    if isinstance(data, dict) and not _object(data, schema, root):
        return False
    if isinstance(data, list) and not _array(data, schema, root):
        return False
    if isinstance(data, str) and not _string(data, schema):
        return False
    if isinstance(data, int) and not isinstance(data, bool) and not _bounded(data, schema):
        return False
    if "const" in schema and _canonical(data) != _canonical(schema["const"]):
        return False
    return "enum" not in schema or _canonical(data) in {_canonical(item) for item in schema["enum"]}


def _target(ref: Any, root: dict[str, Any]) -> Any:
    if not isinstance(ref, str) or not ref.startswith("#/$defs/"):
        return False  # a reference this module does not follow: not sure
    return root.get("$defs", {}).get(ref.removeprefix("#/$defs/"), False)


def _typed(data: Any, names: Any) -> bool:
    return any(_is_type(data, name) for name in (names if isinstance(names, list) else [names]))


def _is_type(data: Any, name: str) -> bool:
    if name == "object":
        return isinstance(data, dict)
    if name == "array":
        return isinstance(data, list)
    if name == "string":
        return isinstance(data, str)
    if name == "integer":
        return isinstance(data, int) and not isinstance(data, bool)
    if name == "boolean":
        return isinstance(data, bool)
    if name == "null":
        return data is None
    return False  # "number" and anything else: jsonschema decides


def _object(data: dict[Any, Any], schema: dict[str, Any], root: dict[str, Any]) -> bool:
    if len(data) < schema.get("minProperties", 0):
        return False
    if not all(key in data for key in schema.get("required", ())):
        return False
    properties = schema.get("properties", {})
    for key, value in data.items():
        sub = properties.get(key, schema.get("additionalProperties", True))
        if not _valid(value, sub, root):
            return False
    names = schema.get("propertyNames", True)
    return all(_valid(key, names, root) for key in data)


def _array(data: list[Any], schema: dict[str, Any], root: dict[str, Any]) -> bool:
    if len(data) < schema.get("minItems", 0):
        return False
    if schema.get("uniqueItems") and len({_canonical(item) for item in data}) != len(data):
        return False
    items = schema.get("items", True)
    return all(_valid(item, items, root) for item in data)


def _string(data: str, schema: dict[str, Any]) -> bool:
    if len(data) < schema.get("minLength", 0):
        return False
    return "pattern" not in schema or _regex(schema["pattern"]).search(data) is not None


def _bounded(data: int, schema: dict[str, Any]) -> bool:
    low: int = schema.get("minimum", data)
    high: int = schema.get("maximum", data)
    return low <= data <= high


def _canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True)  # true and 1 stay apart, as JSON Schema keeps them


@lru_cache(maxsize=64)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)

"""Every REST answer checked against GitHub's own OpenAPI description (trimmed to the operations the
stand-in serves, ``spec/openapi.json``): the status must be one the operation documents and the body must
match its schema. Undocumented 4xx answers are accepted when they have GitHub's error shape, since the
description leaves out many of the errors GitHub really sends (a 403 for a missing permission, ...)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

SPEC = Path(__file__).parent / "spec" / "openapi.json"


@lru_cache(maxsize=1)
def load_spec() -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(SPEC.read_text())
    return spec


class Contract:
    def __init__(self, spec: dict[str, Any] | None = None) -> None:
        self.spec = spec or load_spec()
        self._validators: dict[str, Any] = {}

    def __call__(self, operation: str, status: int, body: Any) -> list[str]:
        method, template = operation.split(" ", 1)
        op = self.spec["paths"].get(template, {}).get(method.lower())
        if op is None:
            return [f"{operation} is not in the trimmed description (rerun scripts/trim_openapi.py)"]
        response = op["responses"].get(str(status))
        if response is None:
            if 400 <= status < 500:
                return self._problems("#/components/schemas/basic-error", body)
            return [f"status {status} is not documented (documented: {', '.join(op['responses'])})"]
        response = self._resolve(response)
        schema = response.get("content", {}).get("application/json", {}).get("schema")
        if schema is None:
            if body in (None, "", {}):
                return []
            if status >= 400:  # an error documented without a body: GitHub still sends its error shape
                return self._problems("#/components/schemas/basic-error", body)
            return [f"status {status} documents no body, got {str(body)[:200]}"]
        return self._problems(f"{operation} {status}", body, schema)

    def _resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            target: Any = self.spec
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            node = target
        return node

    def _problems(self, key: str, body: Any, schema: dict[str, Any] | None = None) -> list[str]:
        validator = self._validators.get(key)
        if validator is None:
            from openapi_schema_validator import OAS30Validator

            schema = schema if schema is not None else {"$ref": key}
            validator = OAS30Validator(dict(schema, components=self.spec["components"]))
            self._validators[key] = validator
        return [
            f"{'/'.join(str(p) for p in e.absolute_path) or '(body)'}: {e.message[:300]}"
            for e in validator.iter_errors(body)
        ][:10]


@lru_cache(maxsize=1)
def shared_contract() -> Contract:
    """One checker per test session: its compiled validators are reused by every stand-in."""
    return Contract()

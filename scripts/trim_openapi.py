"""Regenerate the GitHub descriptions the stand-in is checked against (tests/standin/spec/):

* openapi.json: from the npm package @octokit/openapi, exactly the operations the stand-in serves
  (its route table) and their $ref closure, without descriptions and examples, with ``null`` added to
  nullable enums and nullable allOf/anyOf/oneOf choices that lack it (the validator refuses null for them
  otherwise, while GitHub sends it), and no discriminator among choices one of which is an array;
* schema.graphql: the GraphQL schema of @octokit/graphql-schema;
* webhooks/NAME.ACTION.json: the first example of each event the stand-in builds payloads from, from
  @octokit/webhooks-examples;
* VERSIONS: the package versions used.

Run from the repository root: ``python scripts/trim_openapi.py`` (needs npm; downloads with ``npm pack``).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "tests" / "standin" / "spec"
PACKAGES = ("@octokit/openapi", "@octokit/graphql-schema", "@octokit/webhooks-examples")
# (event, action) pairs the stand-in's event payloads start from
WEBHOOKS = (
    ("pull_request", "opened"),
    ("pull_request", "synchronize"),
    ("pull_request_review", "submitted"),
    ("pull_request_review", "dismissed"),
    ("merge_group", "checks_requested"),
    ("push", None),
    ("issues", "labeled"),
    ("issue_comment", "created"),
)
_ANNOTATIONS = {"description", "summary", "example", "examples", "externalDocs"}


def fetch(package: str, into: Path) -> tuple[Path, str]:
    out = subprocess.run(
        ["npm", "pack", "--silent", "--pack-destination", str(into), package],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()[-1]
    folder = into / out.removesuffix(".tgz")
    with tarfile.open(into / out) as archive:
        archive.extractall(folder, filter="data")
    version = json.loads((folder / "package" / "package.json").read_text())["version"]
    return folder / "package", version


def strip(node: Any, in_properties: bool = False) -> Any:
    """Drop annotations (never a property that happens to be called ``description``) and ``x-`` keys."""
    if isinstance(node, dict):
        kept = {}
        for key, value in node.items():
            if not in_properties and (key in _ANNOTATIONS or key.startswith("x-")):
                continue
            kept[key] = strip(value, in_properties=(key == "properties" and not in_properties))
        if kept.get("nullable") and "enum" in kept and None not in kept["enum"]:
            kept["enum"] = [*kept["enum"], None]
        if kept.get("nullable") and len(kept.get("allOf", [])) == 1:  # "allOf: [X], nullable" is X or null
            kept["anyOf"] = kept.pop("allOf")
        for choice in ("anyOf", "oneOf"):  # a nullable choice: the validator reads nullable only beside type
            if kept.get("nullable") and choice in kept and {"enum": [None]} not in kept[choice]:
                kept[choice] = [*kept[choice], {"enum": [None]}]
        return kept
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node


def drop_array_discriminators(node: Any, schemas: dict[str, Any]) -> None:
    """A discriminator cannot pick among choices when one is an array (contents: a folder's listing);
    GitHub's description has one there, which no array body can pass."""
    if isinstance(node, dict):
        choices = node.get("oneOf") or node.get("anyOf") or []
        if "discriminator" in node and any(
            schemas.get(c.get("$ref", "").rsplit("/", 1)[-1], c).get("type") == "array" for c in choices
        ):
            del node["discriminator"]
        for value in node.values():
            drop_array_discriminators(value, schemas)
    elif isinstance(node, list):
        for value in node:
            drop_array_discriminators(value, schemas)


def refs(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                found.add(value)
            else:
                found |= refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= refs(value)
    return found


def trim(spec: dict[str, Any], operations: list[tuple[str, str]]) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for method, template in operations:
        op = spec["paths"][template][method.lower()]
        paths.setdefault(template, {})[method.lower()] = strip(op)
    components: dict[str, dict[str, Any]] = {}
    todo = refs(paths)
    seen: set[str] = set()
    while todo:
        ref = todo.pop()
        if ref in seen:
            continue
        seen.add(ref)
        _, _, kind, name = ref.split("/", 3)
        node = strip(spec["components"][kind][name])
        components.setdefault(kind, {})[name] = node
        todo |= refs(node) - seen
    components.setdefault("schemas", {}).setdefault(
        "basic-error", strip(spec["components"]["schemas"]["basic-error"])
    )
    drop_array_discriminators(paths, spec["components"]["schemas"])
    return {
        "openapi": spec["openapi"],
        "info": {"title": spec["info"]["title"], "version": spec["info"]["version"]},
        "paths": {k: paths[k] for k in sorted(paths)},
        "components": {k: dict(sorted(v.items())) for k, v in sorted(components.items())},
    }


def main() -> int:
    sys.path.insert(0, str(ROOT))
    import tests.standin.api  # noqa: F401 - fills the route table
    from tests.standin.rest import ROUTES

    operations = sorted({(r.method, r.template) for r in ROUTES}, key=lambda o: (o[1], o[0]))
    versions = {}
    with tempfile.TemporaryDirectory() as tmp:
        folders = {}
        for package in PACKAGES:
            folders[package], versions[package] = fetch(package, Path(tmp))
        spec = json.loads((folders["@octokit/openapi"] / "generated" / "api.github.com.json").read_text())
        SPEC.mkdir(parents=True, exist_ok=True)
        (SPEC / "openapi.json").write_text(
            json.dumps(trim(spec, operations), indent=1, sort_keys=False) + "\n"
        )
        schema = (folders["@octokit/graphql-schema"] / "schema.graphql").read_text()
        (SPEC / "schema.graphql").write_text(schema)
        index = json.loads(
            (folders["@octokit/webhooks-examples"] / "api.github.com" / "index.json").read_text()
        )
        hooks = SPEC / "webhooks"
        hooks.mkdir(exist_ok=True)
        for event, action in WEBHOOKS:
            entry = next(e for e in index if e["name"] == event)
            example = next(x for x in entry["examples"] if x.get("action") == action)
            name = f"{event}.{action}.json" if action else f"{event}.json"
            (hooks / name).write_text(json.dumps(example, indent=1) + "\n")
    (SPEC / "VERSIONS").write_text("".join(f"{p} {v}\n" for p, v in versions.items()))
    print(f"{len(operations)} operations; {', '.join(f'{p} {v}' for p, v in versions.items())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

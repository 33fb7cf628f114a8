"""Rebuild `generator/data/provider-schema.json` from `../shared/schemas`.

The runtime package checks override paths against the provider schemas, so it
ships the part it needs: the resource types the templates write, at the pinned
lower bound of the module's provider range (hashicorp/kubernetes 2.35.1,
alekc/kubectl 2.1.3), without descriptions; and the CRD schemas of the manifests
`kubectl_manifest` resources carry. `python -m tools.provider_schema_subset --check`
fails when the shipped file differs from a rebuild.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from generator.provider_schema import DATA_FILE

KUBERNETES = "terraform/hashicorp-kubernetes-2.35.1.json"
KUBECTL = "terraform/alekc-kubectl-2.1.3.json"
CRDS = {
    "external-secrets.io/v1/ExternalSecret": "crds/external-secrets.io_externalsecret_v1.json",
    "traefik.io/v1alpha1/Middleware": "crds/traefik.io_middleware_v1alpha1.json",
}
TEMPLATES = Path(__file__).resolve().parent.parent / "generator" / "templates"
RESOURCE = re.compile(r'resource "([a-z0-9_]+)"')


def written_resource_types() -> list[str]:
    """Every resource type a template writes."""
    found = set()
    for template in TEMPLATES.rglob("*.j2"):
        found.update(RESOURCE.findall(template.read_text()))
    return sorted(found)


def _flags(attribute: dict[str, Any]) -> str:
    return "".join(flag[0] for flag in ("required", "optional", "computed") if attribute.get(flag))


def compact_block(block: dict[str, Any]) -> dict[str, Any]:
    attributes = {
        name: [attribute["type"], _flags(attribute)]
        for name, attribute in sorted(block.get("attributes", {}).items())
    }
    blocks = {
        name: [
            nested["nesting_mode"],
            nested.get("min_items", 0),
            nested.get("max_items", 0),
            compact_block(nested["block"]),
        ]
        for name, nested in sorted(block.get("block_types", {}).items())
    }
    return {"attributes": attributes, "blocks": blocks}


_KEPT_JSON_SCHEMA_KEYS = ("type", "properties", "items", "additionalProperties", "required", "enum")


def compact_json_schema(schema: Any) -> Any:
    if not isinstance(schema, dict):
        return schema
    kept: dict[str, Any] = {}
    for key in _KEPT_JSON_SCHEMA_KEYS:
        if key not in schema:
            continue
        value = schema[key]
        if key == "properties":
            kept[key] = {name: compact_json_schema(sub) for name, sub in sorted(value.items())}
        elif key in ("items", "additionalProperties"):
            kept[key] = compact_json_schema(value)
        else:
            kept[key] = value
    return kept


def _resource_schemas(path: Path) -> dict[str, Any]:
    document = json.loads(path.read_text())
    (provider,) = document["provider_schemas"].values()
    schemas: dict[str, Any] = provider["resource_schemas"]
    return schemas


def build(shared: Path) -> dict[str, Any]:
    schemas = _resource_schemas(shared / "schemas" / KUBERNETES)
    schemas.update(_resource_schemas(shared / "schemas" / KUBECTL))
    return {
        "sources": {"kubernetes": KUBERNETES, "kubectl": KUBECTL, "crds": CRDS},
        "resources": {
            name: compact_block(schemas[name]["block"]) for name in written_resource_types()
        },
        "manifests": {
            kind: compact_json_schema(json.loads((shared / "schemas" / path).read_text()))
            for kind, path in sorted(CRDS.items())
        },
    }


def serialise(document: dict[str, Any]) -> str:
    return json.dumps(document, separators=(",", ":"), sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--check", action="store_true")
    arguments = parser.parse_args(argv)
    text = serialise(build(arguments.shared))
    if arguments.check:
        if DATA_FILE.read_text() != text:
            print(f"{DATA_FILE} is stale: run python -m tools.provider_schema_subset")
            return 1
        print(f"{DATA_FILE}: up to date")
        return 0
    DATA_FILE.write_text(text)
    print(f"{DATA_FILE}: {len(text):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())

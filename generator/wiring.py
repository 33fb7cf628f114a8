"""The root `module` block that wires one generated module into the operator's root module.

One function writes it, for the module README and for `make wiring`. Inputs
without a default come first, set to an example of their type; the others
follow commented out, showing the default the jobspec gave them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from generator.render.hcl_values import hcl_key, hcl_string, hcl_value

_NOT_IDENTIFIER = re.compile(r"[^A-Za-z0-9_]")


@dataclass(frozen=True)
class ModuleInput:
    name: str
    type: str
    description: str
    default: object = None
    required: bool = False


def module_label(service: str) -> str:
    """`k8s_<service>` with `-` as `_`: the root module's name for a service's module."""
    return "k8s_" + _NOT_IDENTIFIER.sub("_", service)


def example_value(variable_type: str) -> str:
    """An HCL value of `variable_type` for a required input's example."""
    kind = variable_type.strip().split("(", 1)[0]
    return {
        "number": "0",
        "bool": "false",
        "list": "[]",
        "set": "[]",
        "tuple": "[]",
        "map": "{}",
        "object": "{}",
    }.get(kind, '"CHANGE-ME"')


def root_module_block(service: str, source: str, inputs: Sequence[ModuleInput]) -> str:
    """A `module` block for the root module, formatted as `terraform fmt` writes it."""
    required = [i for i in inputs if i.required]
    optional = [i for i in inputs if not i.required]
    lines = [f'module "{module_label(service)}" {{', f"  source = {hcl_string(source)}"]
    if required:
        lines.append("")
        lines.append("  # Required: no default in the module.")
        width = max(len(i.name) for i in required)
        for item in required:
            lines.append(f"  {item.name.ljust(width)} = {example_value(item.type)}")
    if optional:
        lines.append("")
        lines.append("  # Optional: the defaults come from the jobspec.")
        for item in optional:
            lines.extend(_commented(item))
    lines.append("}")
    return "\n".join(lines) + "\n"


def _commented(item: ModuleInput) -> Iterable[str]:
    yield f"  # {item.name} = {inline_hcl(item.default)}"


def inline_hcl(value: object) -> str:
    """`value` as an HCL expression on one line (strings quoted, never a heredoc)."""
    if isinstance(value, str):
        return hcl_string(value)
    if isinstance(value, Mapping):
        items = ", ".join(f"{hcl_key(str(k))} = {inline_hcl(v)}" for k, v in value.items())
        return "{ " + items + " }" if items else "{}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(inline_hcl(v) for v in value) + "]"
    return hcl_value(value)

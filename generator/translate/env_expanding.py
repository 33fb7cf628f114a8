"""Config files of programs that expand `${VAR}` from their environment (litestream).

Such a file can stay a ConfigMap: each secret becomes `${VAR}` in the text and
an env var read from the ExternalSecret. Some of their settings are also worth
a module variable: the settings' `config_variables` (by default litestream's
`endpoint` and `bucket`, the contract's `minio_endpoint` and `litestream_bucket`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.plan_values import Ref, StringTemplate, interpolate, var
from generator.translate.context import Context
from generator.translate.images import split_image
from generator.translate.interpolation import rewrite_consul_names

_YAML_SETTING = re.compile(r"^(\s*(?:-\s+)?([A-Za-z_-]+):\s*)(\S[^#\n]*?)\s*$")


@dataclass(frozen=True)
class ModuleVariable:
    name: str
    description: str
    default: str


def image_name(image: object) -> str:
    return split_image(image).repository.rsplit("/", 1)[-1] if isinstance(image, str) else ""


def expands_env(image: object, ctx: Context) -> bool:
    return image_name(image) in ctx.settings.env_expanding_images


def env_name(key: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_]", "_", key).upper()
    return name if not name[:1].isdigit() else f"_{name}"


def config_with_variables(
    text: str, image: object, ctx: Context, line: int | None, path: str
) -> tuple[str | StringTemplate, list[ModuleVariable]]:
    """Config text with Consul names as cluster DNS and known settings as variables."""
    known = ctx.settings.config_variables.get(image_name(image), {})
    parts: list[str | Ref] = []
    variables: dict[str, ModuleVariable] = {}
    for raw_line in text.splitlines(keepends=True):
        match = _YAML_SETTING.match(raw_line.rstrip("\n"))
        mapped = known.get(match.group(2)) if match else None
        if match is None or mapped is None or mapped.name in variables:
            parts.extend(rewrite_consul_names(raw_line, ctx, line, path))
            continue
        name, description = mapped.name, mapped.description
        value = match.group(3).strip("\"'")
        default = interpolate(rewrite_consul_names(value, ctx, line, path))
        if isinstance(default, StringTemplate):
            default = default.literal_text(ctx.settings.namespace)
        variables[name] = ModuleVariable(name, description, default)
        parts.extend([match.group(1), var(name), raw_line[len(raw_line.rstrip("\n")) :]])
    return interpolate(parts), list(variables.values())

"""Write schema-only provider plugins and the CLI config that points Terraform at them.

`install_plugins(directory, providers)` writes, for every provider,
`terraform-provider-<name>` (the `plugin_server` program behind a shebang naming
this interpreter) and its precomputed schema response, plus `terraform.rc`
with a `dev_overrides` entry per provider source. Nothing else is needed:
no `terraform init`, no lock file.
"""

from __future__ import annotations

import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from tools.validation import plugin_server
from tools.validation.proto_schema import provider_schema_response
from tools.validation.provider_schema import ProviderSchema

CLI_CONFIG_NAME = "terraform.rc"


@dataclass(frozen=True)
class PluginDirectory:
    path: Path
    cli_config: Path
    sources: tuple[str, ...]


def install_plugins(directory: Path, providers: list[ProviderSchema]) -> PluginDirectory:
    directory.mkdir(parents=True, exist_ok=True)
    program = Path(plugin_server.__file__).read_text(encoding="utf-8")
    shebang = f"#!{sys.executable}\n"
    overrides = []
    for provider in providers:
        name = provider.short_source.split("/")[1]
        executable = directory / f"terraform-provider-{name}"
        executable.write_text(shebang + program, encoding="utf-8")
        executable.chmod(executable.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        schema_file = executable.with_name(executable.name + plugin_server.SCHEMA_SUFFIX)
        schema_file.write_bytes(provider_schema_response(provider))
        overrides.append(f'    "{provider.short_source}" = "{_hcl_path(directory)}"')
    cli_config = directory / CLI_CONFIG_NAME
    cli_config.write_text(
        "provider_installation {\n  dev_overrides {\n"
        + "\n".join(overrides)
        + "\n  }\n  direct {}\n}\n",
        encoding="utf-8",
    )
    return PluginDirectory(
        directory, cli_config, tuple(provider.short_source for provider in providers)
    )


def _hcl_path(path: Path) -> str:
    return str(path.resolve()).replace("\\", "\\\\").replace('"', '\\"')

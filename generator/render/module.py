"""`ModulePlan` → file contents, through the jinja2 templates in `generator/templates/`."""

from __future__ import annotations

import json
from functools import cache

import jinja2
import yaml

from generator.k8s_plan import ModulePlan
from generator.render.hcl_format import format_hcl
from generator.render.hcl_values import hcl_value


def _yaml_block(value: dict, indent: int) -> str:
    """A YAML mapping in block style, every line indented by `indent` spaces."""
    text = yaml.safe_dump(value, default_flow_style=False, sort_keys=False, allow_unicode=True)
    return "".join(" " * indent + line for line in text.splitlines(keepends=True))


def _yaml_str(value: object) -> str:
    """A YAML scalar in double quotes (JSON strings are valid YAML)."""
    return json.dumps(str(value), ensure_ascii=False)


@cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("generator", "templates"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    environment.filters["hcl"] = hcl_value
    environment.filters["yaml_str"] = _yaml_str
    environment.filters["yaml_block"] = _yaml_block
    return environment


def _render(template: str, plan: ModulePlan) -> str:
    return _environment().get_template(template).render(plan=plan)


def render_module(plan: ModulePlan) -> dict[str, str]:
    """File name → content for one module, `.tf` files in `terraform fmt` layout."""
    files = {
        "versions.tf": format_hcl(_render("versions.tf.j2", plan)),
        "variables.tf": format_hcl(_render("variables.tf.j2", plan)),
        "outputs.tf": format_hcl(_render("outputs.tf.j2", plan)),
        "main.tf": format_hcl(_render("main.tf.j2", plan)),
    }
    if plan.external_secret is not None:
        files["secrets.tf"] = format_hcl(_render("secrets.tf.j2", plan))
    if plan.routers:
        files["traefik-routers.yml"] = _render("traefik-routers.yml.j2", plan)
    return files

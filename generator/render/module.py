"""`ModulePlan` → file contents, through the jinja2 templates in `generator/templates/`."""

from __future__ import annotations

import shlex
from functools import cache

import jinja2

from generator.hcl import unknowns
from generator.k8s_plan import ModulePlan
from generator.render import readme
from generator.render.hcl_format import format_hcl
from generator.render.hcl_values import Raw, hcl_identifier, hcl_reference, hcl_value
from generator.render.traefik_yaml import render_snippet


@cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("generator", "templates"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        auto_reload=False,  # package templates do not change while the tool runs
    )
    # Every `{{ }}` of a `.tf` template ends in one of these (tests/test_template_escaping.py).
    environment.filters["hcl"] = hcl_value
    environment.filters["md_text"] = readme.markdown_text
    environment.filters["md_code"] = readme.markdown_code
    environment.filters["md_cell"] = readme.markdown_cell
    environment.filters["md_name"] = readme.markdown_name
    environment.filters["md_fence"] = readme.markdown_fence
    environment.filters["default_cell"] = readme.default_cell
    environment.filters["sh"] = shlex.quote
    environment.filters["ident"] = hcl_identifier
    environment.filters["ref"] = hcl_reference
    environment.filters["expr"] = lambda text: Raw(text).text
    return environment


def _render(template: str, plan: ModulePlan, **extra: object) -> str:
    return _environment().get_template(template).render(plan=plan, **extra)


def render_versions(plan: ModulePlan, kubectl: bool) -> str:
    """versions.tf; `kubectl` also when only an addition uses the kubectl provider."""
    return format_hcl(_render("versions.tf.j2", plan, kubectl=kubectl))


def render_readme(plan: ModulePlan, source: readme.ReadmeSource) -> str:
    """The module's README.md."""
    facts = readme.readme_facts(plan, source)
    secret_paths = sorted({path for path, _ in facts.secret_keys} | set(facts.secret_paths))
    text = (
        _environment()
        .get_template("README.md.j2")
        .render(
            facts=facts,
            pattern_names=readme.PATTERN_NAMES,
            routers=plan.routers,
            middlewares=sorted(plan.middlewares),
            secret_paths_all=secret_paths,
        )
    )
    return unknowns.shown(text)  # a module input reads as the `${var.x}` it stands for


def render_module(plan: ModulePlan) -> dict[str, str]:
    """The templates' files for one module, `.tf` files in `terraform fmt` layout (the README
    is rendered last, from the module's final files: `render_readme`)."""
    files = {
        "versions.tf": render_versions(plan, kubectl=plan.uses_kubectl),
        "variables.tf": format_hcl(_render("variables.tf.j2", plan)),
        "outputs.tf": format_hcl(_render("outputs.tf.j2", plan)),
        "main.tf": format_hcl(_render("main.tf.j2", plan)),
    }
    if plan.external_secret is not None:
        files["secrets.tf"] = format_hcl(_render("secrets.tf.j2", plan))
    if plan.routers:
        files["traefik-routers.yml"] = render_snippet(plan)
    return files

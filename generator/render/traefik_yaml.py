"""The external Traefik's router snippet, built as data and dumped as YAML.

Every key and value comes from the plan and goes through `yaml.safe_dump`, so no
name or option can add structure to the file, whatever it contains.
"""

from __future__ import annotations

from typing import Any

import yaml

from generator.k8s_plan import ModulePlan, TraefikRouter

HEADER = "# Routers for the external Traefik: forward these hosts to the cluster's Traefik.\n"


class _Dumper(yaml.SafeDumper):
    """Block style with list items indented under their key, as Traefik's docs write them."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def snippet_document(plan: ModulePlan) -> dict[str, Any]:
    http: dict[str, Any] = {"routers": {r.name: _router(r) for r in plan.routers}}
    if plan.middlewares:
        http["middlewares"] = dict(plan.middlewares)
    return {"http": http}


def _router(router: TraefikRouter) -> dict[str, Any]:
    entry: dict[str, Any] = {"rule": router.rule, "service": router.service}
    if router.priority is not None:
        entry["priority"] = router.priority
    if router.middlewares:
        entry["middlewares"] = list(router.middlewares)
    entry["entryPoints"] = list(router.entrypoints)
    entry.update(router.options)
    return entry


def render_snippet(plan: ModulePlan) -> str:
    body = yaml.dump(
        snippet_document(plan),
        Dumper=_Dumper,
        default_flow_style=False,
        sort_keys=False,
        allow_unicode=True,
        width=1_000_000,
    )
    return HEADER + body

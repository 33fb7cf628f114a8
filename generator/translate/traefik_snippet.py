"""A routed group's Traefik routers and middlewares, split between the two hops.

The external Traefik gets one router per Traefik router of the job (the
snippet), forwarding to the cluster's Traefik, which serves the group's Ingress.
Middlewares the tags define go with the routers, in Traefik's canonical
spelling, except those that rewrite the path: on the edge they would change the
path the Ingress matches, so they become `Middleware` resources the Ingress's
router runs (`router.middlewares` annotation), after the match.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from generator.diagnostics import Severity
from generator.hcl.unknowns import has_unknown, shown
from generator.k8s_plan import Ingress, ModulePlan, TraefikMiddleware, TraefikRouter
from generator.plan_values import LOCAL_APP_NAME, NAMESPACE, Ref, interpolate
from generator.translate.context import Context
from generator.translate.names import GroupNames, tf_identifier, unique
from generator.translate.traefik import CATALOG_PROVIDERS, RouterTags, name_problem
from generator.translate.traefik_options import (
    PATH_REWRITING,
    convert,
    convert_middleware,
    router_schema,
)

# Router options the snippet sets itself; the rest go through the router schema.
_OWN_ROUTER_OPTIONS = ("rule", "service", "entrypoints", "middlewares", "priority")
MIDDLEWARES_ANNOTATION = "traefik.ingress.kubernetes.io/router.middlewares"


@dataclass
class _Middlewares:
    defined: set[str] = field(default_factory=set)  # by the group's tags
    cluster: dict[str, list[str | Ref]] = field(default_factory=dict)  # name → CRD reference
    specs: dict[str, dict] = field(default_factory=dict)  # name → moved middleware's config
    chains: dict[str, list[str]] = field(default_factory=dict)  # chain → its references


@dataclass
class GroupRouting:
    """What one routed group brings: its routers, the middlewares its tags define, its Ingress."""

    names: GroupNames
    routers: list[RouterTags]
    middlewares: dict[str, dict[str, str]]
    middleware_lines: dict[str, int]
    ingress: Ingress


def carry_routing(plan: ModulePlan, groups: list[GroupRouting], ctx: Context) -> None:
    """Middlewares first, the job's all: Traefik's catalog shares them between services."""
    found = _Middlewares(defined={name for g in groups for name in g.middlewares})
    lines: dict[str, int | None] = {}
    for group in groups:
        for name, options in group.middlewares.items():
            line = group.middleware_lines.get(name)
            lines.setdefault(name, line)
            _middleware(plan, group.names, name, options, line, found, ctx)
    for chain, references in found.chains.items():
        moved = [r for r in references if r.partition("@")[0] in found.cluster]
        if moved:
            ctx.needs_decision(
                f"Traefik chain {chain!r} includes path-rewriting {', '.join(moved)}, which"
                " runs in the cluster now: reference it from the routers instead",
                lines.get(chain),
                f"middleware[{chain}]",
            )
    for group in groups:
        used: list[tuple[RouterTags, list[str]]] = []
        for router in group.routers:
            cluster_side = _router(plan, router, found, ctx)
            if cluster_side is not None:
                used.append((router, cluster_side))
        _annotate(group.ingress, used, found, ctx)


def _reference(reference: str, found: _Middlewares, ctx: Context, line: int | None) -> str:
    """A middleware the job's tags define now lives in the snippet: `<prefix><name>@file`.

    One that is not carried keeps that reference too, so the external Traefik refuses
    the router instead of serving it without, say, its authentication. One another job
    defines in the catalog keeps its provider: bare, the file provider would look for it
    in the snippet's own file.
    """
    name, _, provider = reference.partition("@")
    if name in found.defined and provider in CATALOG_PROVIDERS:
        return f"{ctx.settings.external_traefik.router_prefix}{name}@file"
    if provider in CATALOG_PROVIDERS:
        kept = reference if provider else f"{name}@consulcatalog"
        ctx.needs_decision(
            f"Traefik middleware {reference!r} is defined outside this job: the external"
            f" Traefik resolves {kept!r} only while its catalog provider still sees it; move"
            " it to the file provider when the job that defines it leaves Nomad",
            line,
            f"middleware[{name}]",
        )
        return kept
    return reference


def _middleware(
    plan: ModulePlan,
    names: GroupNames,
    name: str,
    options: dict[str, str],
    line: int | None,
    found: _Middlewares,
    ctx: Context,
) -> None:
    where = f"middleware[{name}]"
    problem = name_problem(name)
    if problem is not None:
        ctx.needs_decision(f"Traefik middleware {name!r}: {problem}; not carried", line, where)
        return
    references = _csv_list(options, "chain.middlewares")
    options = {
        key: (
            ",".join(_reference(m.strip(), found, ctx, line) for m in value.split(","))
            if key.lower() == "chain.middlewares"
            else value
        )
        for key, value in options.items()
    }
    if has_unknown(options):
        options = {key: shown(value) for key, value in options.items()}
        ctx.needs_decision(
            f"Traefik middleware {name!r} uses a module input: traefik-routers.yml is not"
            " Terraform, so write its value in place of the ${var...} there",
            line,
            where,
        )
    converted = convert_middleware(options)
    for option_problem in converted.problems:
        ctx.needs_decision(
            f"Traefik middleware {name!r}: {option_problem}; not carried", line, where
        )
    if len(converted.config) != 1:
        return
    ((kind, config),) = converted.config.items()
    if kind == "chain":
        found.chains[name] = [r for r in references if r.partition("@")[2] in CATALOG_PROVIDERS]
    if kind == "forwardAuth":
        _check_forward_auth(name, config, line, ctx)
    if kind == "errors" and config.get("service"):
        ctx.needs_decision(
            f"Traefik middleware {name!r}: errors pages come from Traefik service"
            f" {config['service']!r}, which the external Traefik must know by that name",
            line,
            f"middleware[{name}].errors.service",
        )
    key = f"{ctx.settings.external_traefik.router_prefix}{name}"
    earlier = found.specs.get(name, plan.middlewares.get(key))
    if earlier is not None:
        if earlier != converted.config:
            ctx.needs_decision(
                f"Traefik middleware {name!r} is defined differently by another group; the"
                " first definition is carried",
                line,
                where,
            )
        return
    if kind in PATH_REWRITING:
        _cluster_middleware(plan, names, name, converted.config, line, found, ctx)
        return
    plan.middlewares[key] = converted.config


def _cluster_middleware(
    plan: ModulePlan,
    names: GroupNames,
    name: str,
    spec: dict,
    line: int | None,
    found: _Middlewares,
    ctx: Context,
) -> None:
    suffix = ctx.k8s(name, "middleware", line, f"middleware[{name}]")
    taken = {m.tf_name for m in plan.cluster_middlewares}
    tf_name = unique(f"middleware_{tf_identifier(suffix)}", taken)
    plan.cluster_middlewares.append(TraefikMiddleware(tf_name, names.with_suffix(suffix), spec))
    # Traefik's Kubernetes providers name a Middleware `<namespace>-<name>@kubernetescrd`.
    group = f"-{names.suffix}" if names.suffix else ""
    found.specs[name] = spec
    found.cluster[name] = [
        NAMESPACE,
        "-",
        LOCAL_APP_NAME,
        f"{group}-{suffix}@kubernetescrd",
    ]
    ctx.report(
        Severity.INFO,
        "moved-to-cluster",
        f"Traefik middleware {name!r} ({next(iter(spec))}) rewrites the path: it runs in the"
        " cluster, as a Middleware of the Ingress, so both Traefiks match the original path",
        line,
        f"middleware[{name}]",
    )


def _check_forward_auth(name: str, config: dict, line: int | None, ctx: Context) -> None:
    address = config.get("address")
    if not isinstance(address, str):
        return
    host = urlsplit(address).hostname or ""
    if host.endswith(".consul") or (host and "." not in host and host != "localhost"):
        ctx.needs_decision(
            f"Traefik middleware {name!r}: forwardAuth address {address!r} names a Consul"
            " service; the external Traefik must reach the auth service another way: change"
            " the address in the snippet",
            line,
            f"middleware[{name}].forwardAuth.address",
        )


def _router(
    plan: ModulePlan, router: RouterTags, found: _Middlewares, ctx: Context
) -> list[str] | None:
    """The router's snippet entry; the cluster-side middlewares it uses (None if not carried)."""
    where = f"router[{router.name}]"
    problem = name_problem(router.name)
    if problem is not None:
        ctx.needs_decision(
            f"Traefik router {router.name!r}: {problem}; not written to the snippet",
            router.line,
            where,
        )
        return None
    external = ctx.settings.external_traefik
    edge: list[str] = []
    cluster: list[str] = []
    for reference in router.middlewares:
        name, _, provider = reference.partition("@")
        if name in found.cluster and provider in CATALOG_PROVIDERS:
            cluster.append(name)
        else:
            edge.append(_reference(reference, found, ctx, router.line))
    extra = {k: v for k, v in router.line_tags.items() if k not in _OWN_ROUTER_OPTIONS}
    converted = convert(extra, router_schema())
    for option_problem in converted.problems:
        ctx.needs_decision(
            f"Traefik router {router.name!r}: {option_problem}; not carried", router.line, where
        )
    priority = router.line_tags.get("priority")
    if priority is not None and router.priority is None:
        ctx.needs_decision(
            f"Traefik router {router.name!r}: priority {priority!r} is not a whole number;"
            " not carried",
            router.line,
            where,
        )
    rule = router.rule or ""
    if has_unknown(rule):
        rule = shown(rule)
        ctx.needs_decision(
            f"Traefik router {router.name!r}: its rule {rule!r} uses a module input:"
            " traefik-routers.yml is not Terraform, so write its value in place of the"
            " ${var...} there",
            router.line,
            where,
        )
    entry = TraefikRouter(
        name=f"{external.router_prefix}{router.name}",
        rule=rule,
        service=external.service,
        entrypoints=router.entrypoints or list(external.entrypoints),
        middlewares=edge,
        priority=router.priority,
        options=converted.config,
    )
    _add_router(plan, entry, router, ctx)
    return cluster


def _add_router(plan: ModulePlan, entry: TraefikRouter, router: RouterTags, ctx: Context) -> None:
    """Router names are the snippet's keys: two routers of one name would not load."""
    taken = {r.name for r in plan.routers}
    if entry.name not in taken:
        plan.routers.append(entry)
        return
    same = next(r for r in plan.routers if r.name == entry.name)
    if _without_name(same) == _without_name(entry):
        return  # declared by two services alike: Traefik merges them into one router
    base, counter = entry.name, 2
    while f"{base}-{counter}" in taken:
        counter += 1
    entry.name = f"{base}-{counter}"
    plan.routers.append(entry)
    ctx.needs_decision(
        f"Traefik router {router.name!r} is declared twice with different options (Traefik"
        f" drops both); the second is written to the snippet as {entry.name!r}",
        router.line,
        f"router[{router.name}]",
    )


def _without_name(router: TraefikRouter) -> tuple:
    return (
        router.rule,
        router.service,
        router.entrypoints,
        router.middlewares,
        router.priority,
        router.options,
    )


def _annotate(
    ingress: Ingress,
    used: list[tuple[RouterTags, list[str]]],
    found: _Middlewares,
    ctx: Context,
) -> None:
    """One Ingress serves the group's routers, so its router runs every moved middleware."""
    order: list[str] = []
    for _, names in used:
        order.extend(n for n in names if n not in order)
    if not order:
        return
    for router, names in used:
        extra = [n for n in order if n not in names and not _leaves_alone(found.specs[n], router)]
        if extra:
            ctx.needs_decision(
                f"Traefik router {router.name!r} does not use {', '.join(extra)}, but the"
                " group's one Ingress runs it for every path it serves, this router's too",
                router.line,
                f"router[{router.name}]",
            )
    references: list[str | Ref] = []
    existing = ingress.annotations.get(MIDDLEWARES_ANNOTATION)
    if existing:
        references.append(str(existing))
    for name in order:
        if references:
            references.append(",")
        references.extend(found.cluster[name])
    ingress.annotations[MIDDLEWARES_ANNOTATION] = interpolate(references)


def _leaves_alone(spec: dict, router: RouterTags) -> bool:
    """A stripPrefix whose prefixes no path of the router can start with changes none of them."""
    prefixes = spec.get("stripPrefix", {}).get("prefixes")
    if not prefixes or not router.paths:
        return False
    return all(
        not path.startswith(prefix) and not prefix.startswith(path)
        for path in router.paths
        for prefix in prefixes
    )


def _csv_list(options: dict[str, str], key: str) -> list[str]:
    value = next((v for k, v in options.items() if k.lower() == key), "")
    return [item.strip() for item in value.split(",") if item.strip()]

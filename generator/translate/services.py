"""A group's Services: its Consul services' ports and routers, and a StatefulSet's headless one."""

from __future__ import annotations

from dataclasses import dataclass, field

from generator.classify import GroupClass, Pattern
from generator.k8s_plan import Service, ServicePort
from generator.model import Group
from generator.plan_values import LOCAL_LABELS
from generator.translate.context import Context
from generator.translate.names import GroupNames
from generator.translate.ports import service_ports, udp_port_name
from generator.translate.traefik import RouterTags, read_group_tags

HEADLESS_SUFFIX = "headless"


@dataclass
class Routing:
    service: Service | None = None
    routers: list[RouterTags] = field(default_factory=list)
    http_port_name: str | None = None  # the Service port the Ingress targets
    middlewares: dict[str, dict[str, str]] = field(default_factory=dict)
    middleware_lines: dict[str, int] = field(default_factory=dict)


def service_and_routes(
    group: Group,
    group_class: GroupClass,
    names: GroupNames,
    numbers: dict[str, int],
    selector: dict,
    declared: set[str],
    ctx: Context,
) -> Routing:
    """`declared`: the container ports the pod declares; a Service targets no other."""
    output = Routing()
    if group_class.worker or group_class.pattern is Pattern.E:
        kind = "CronJob" if group_class.pattern is Pattern.E else "worker"
        for index, service in enumerate(group.all_services()):
            if service.tags:
                ctx.dropped(
                    f"service {service.name or index!r}: a {kind} gets no Service, so its tags"
                    " are not carried",
                    service.line,
                    f"group[{group.name}].service[{service.name or index}].tags",
                )
        return output
    ports: dict[str, ServicePort] = {}
    readings = read_group_tags(group, ctx.settings.traefik_default_rule)
    ports_by_service = service_ports(group, numbers, readings=readings)
    exposed_by_service = {id(e.service): e for e in ports_by_service}
    for index, service in enumerate(group.all_services()):
        where = f"group[{group.name}].service[{service.name or index}]"
        reading = readings[id(service)]
        if reading.disabled:
            ctx.dropped(
                "traefik.enable=false: Traefik ignored this service, so it gets no Ingress",
                service.line,
                where,
            )
        if reading.unnamed_default_router:
            ctx.needs_decision(
                "traefik.enable=true on a service without a name: Traefik routed it by a"
                " default rule this module cannot name; add the router by hand",
                service.line,
                where,
            )
        for name, options in reading.middlewares.items():
            output.middlewares.setdefault(name, {}).update(options)
            output.middleware_lines.setdefault(name, service.line)
        for router in reading.routers:
            for problem in router.problems:
                ctx.needs_decision(f"router {router.name!r}: {problem}", service.line, where)
        for tag in reading.other_traefik_tags:
            ctx.needs_decision(
                f"Traefik tag {tag!r} is not carried: configure it on the cluster's Traefik",
                service.line,
                where,
            )
        for tag in reading.plain_tags:
            ctx.dropped(f"service tag {tag!r} has no Kubernetes meaning", service.line, where)
        exposed = exposed_by_service.get(id(service))
        if exposed is None:
            if service.port is not None:
                ctx.needs_decision(
                    f"service port {service.port!r} is not a known port", service.line, where
                )
            continue
        if exposed.name not in declared:
            ctx.unsupported(
                f"service {service.name or index!r} targets port {service.port!r}, which no"
                " carried container declares: the Service leaves it out",
                service.line,
                where,
            )
            continue
        if exposed.routed and output.http_port_name is None:
            output.http_port_name = exposed.name
        ports.setdefault(
            exposed.name,
            ServicePort(name=exposed.name, port=exposed.port, target_port=exposed.name),
        )
        udp = udp_port_name(exposed.name)
        if udp in declared:
            ports.setdefault(udp, ServicePort(udp, exposed.port, udp, "UDP"))
        for router in reading.routers:
            if router.hosts or router.paths:
                router.line = service.line
                output.routers.append(router)
            elif not router.rule:
                hint = (
                    "the settings' `traefik_default_rule` reads more than `.Name`; write the"
                    " rule by hand"
                    if ctx.settings.traefik_default_rule
                    else "set `traefik_default_rule` in the settings to carry it"
                )
                ctx.needs_decision(
                    f"router {router.name!r} has no rule: Traefik routed it by its consulcatalog"
                    f" defaultRule; {hint}",
                    service.line,
                    where,
                )
            elif not router.problems:
                ctx.needs_decision(
                    f"router {router.name!r} has no Host() or Path rule an Ingress can use:"
                    " not carried",
                    service.line,
                    where,
                )
    if ports:
        output.service = Service(
            tf_name=names.tf_name,
            name=names.name,
            selector=selector,
            labels=LOCAL_LABELS,
            ports=list(ports.values()),
        )
    return output


def headless_service(
    names: GroupNames,
    numbers: dict[str, int],
    names_by_label: dict[str, str],
    selector: dict,
    declared: set[str],
) -> Service:
    """The Service a StatefulSet needs for its pods' stable DNS names (`<pod>.<service>`)."""
    ports: dict[str, ServicePort] = {}
    for label, number in numbers.items():
        name = names_by_label[label]
        if name in declared and name not in ports and all(p.port != number for p in ports.values()):
            ports[name] = ServicePort(name=name, port=number, target_port=name)
            udp = udp_port_name(name)
            if udp in declared:
                ports[udp] = ServicePort(udp, number, udp, "UDP")
    return Service(
        tf_name=f"{names.tf_name}_{HEADLESS_SUFFIX}",
        name=names.with_suffix(HEADLESS_SUFFIX),
        selector=selector,
        labels=LOCAL_LABELS,
        ports=list(ports.values()),
        headless=True,
    )

"""Traefik routing tags (`traefik.http.routers.<r>.<option>=<value>`) read as routers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from generator.model import Group

_ROUTER_TAG = re.compile(r"^traefik\.http\.routers\.([^.=]+)\.([^=]+)=(.*)$", re.DOTALL)
_MIDDLEWARE_TAG = re.compile(r"^traefik\.http\.middlewares\.([^.=]+)\.([^=]+)=(.*)$", re.DOTALL)
# Providers a middleware reference may name when the job's own tags define it.
CATALOG_PROVIDERS = ("", "consulcatalog", "consul", "nomad")
_MATCHER = re.compile(r"(!?)\s*([A-Za-z]+)\(((?:`[^`]*`|\"[^\"]*\"|[^)`\"])*)\)")
_BACKTICKED = re.compile(r"`([^`]*)`|\"([^\"]*)\"")
_WILDCARD_REGEXP = re.compile(
    r"^\^?(?:\.\+|\[\^.\]\+|\.\*|\{[a-z]+:[^}]+\})\\?\.((?:[a-z0-9-]+\\?\.)+[a-z]+)\$*$"
)
_TRAEFIK_V1_WILDCARD = re.compile(r"^\{[a-z]+:[^}]+\}\.((?:[a-z0-9-]+\.)+[a-z]+)$")
_NAME = re.compile(r"[A-Za-z0-9_-]+")
# Tags that only steer Traefik's Consul Catalog provider; nothing to carry.
PROVIDER_ONLY_TAGS = ("traefik.enable=", "traefik.consulcatalog.")


@dataclass
class RouterTags:
    name: str
    line_tags: dict[str, str] = field(default_factory=dict)
    hosts: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    exact_paths: set[str] = field(default_factory=set)  # from Path(), not PathPrefix()
    line: int | None = None  # of the service whose tags declare it
    problems: list[str] = field(default_factory=list)

    @property
    def rule(self) -> str | None:
        return self.line_tags.get("rule")

    @property
    def middlewares(self) -> list[str]:
        return _csv(self.line_tags.get("middlewares", ""))

    @property
    def entrypoints(self) -> list[str]:
        return _csv(self.line_tags.get("entrypoints", ""))

    @property
    def priority(self) -> int | None:
        value = self.line_tags.get("priority")
        return int(value) if value and value.isdigit() else None


@dataclass
class TagReading:
    routers: list[RouterTags]
    other_traefik_tags: list[str]
    plain_tags: list[str]
    # Middleware name → its options as written (`redirectregex.regex` → value).
    middlewares: dict[str, dict[str, str]] = field(default_factory=dict)
    disabled: bool = False  # traefik.enable=false
    unnamed_default_router: bool = False  # enabled, no router, and no service name to route


def name_problem(name: str) -> str | None:
    """Why a router or middleware name cannot be written to the snippet, or None.

    Traefik splits label keys on `.`, so a name is whatever sits between two dots;
    the file provider then qualifies it as `name@file`. Letters, digits, `-` and `_`
    are what names are made of in practice and all that is carried.
    """
    if "${" in name:
        return "it reads a Nomad runtime value this module cannot know"
    if not _NAME.fullmatch(name):
        return "a name of letters, digits, '-' and '_' is expected"
    return None


def _csv(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def normalize(name: str) -> str:
    """Traefik's `normalize`: the name it gives a service's default router and rule."""
    return re.sub(r"[^a-zA-Z0-9]+", "-", name).strip("-")


def default_rule_for(template: str, service_name: str) -> str | None:
    """Traefik's consulcatalog `defaultRule` for one service, or None if it reads more than
    `.Name`."""
    rule = re.sub(r"\{\{\s*normalize\s+\.Name\s*\}\}", normalize(service_name), template)
    rule = re.sub(r"\{\{\s*\.Name\s*\}\}", service_name, rule)
    return None if "{{" in rule else rule


def read_group_tags(group: Group, default_rule: str | None) -> dict[int, TagReading]:
    """Every service's tags of a group, read once, by the service's identity."""
    return {
        id(service): read_tags(service.tags, service.name, default_rule)
        for service in group.all_services()
    }


def read_tags(
    tags: tuple[str, ...], service_name: str | None = None, default_rule: str | None = None
) -> TagReading:
    """Routers, middlewares and the rest of a service's tags.

    A router without a rule, or `traefik.enable=true` without any router, is routed by
    Traefik's `defaultRule`: given `default_rule`, it gets that rule for `service_name`.
    """
    routers: dict[str, RouterTags] = {}
    middlewares: dict[str, dict[str, str]] = {}
    other: list[str] = []
    plain: list[str] = []
    for tag in tags:
        match = _ROUTER_TAG.match(tag)
        middleware = _MIDDLEWARE_TAG.match(tag)
        if match:
            name, option, value = match.groups()
            # Traefik matches option names case-insensitively (`entryPoints`, `entrypoints`).
            routers.setdefault(name, RouterTags(name)).line_tags[option.lower()] = value
        elif middleware:
            name, option, value = middleware.groups()
            middlewares.setdefault(name, {})[option] = value
        elif tag.startswith(PROVIDER_ONLY_TAGS):
            continue
        elif tag.startswith("traefik."):
            other.append(tag)
        else:
            plain.append(tag)
    enable = next(
        (t.split("=", 1)[1].strip().lower() for t in tags if t.startswith("traefik.enable=")), ""
    )
    if enable == "false":  # Traefik ignores the service, routers and all
        return TagReading([], other, plain, {}, disabled=True)
    rule = default_rule_for(default_rule, service_name) if default_rule and service_name else None
    tcp_or_udp = any(t.startswith(("traefik.tcp.", "traefik.udp.")) for t in tags)
    unrouted = enable == "true" and not routers and not tcp_or_udp
    if unrouted and service_name:
        routers[service_name] = RouterTags(normalize(service_name))
    for router in routers.values():
        if not router.rule and rule:
            router.line_tags["rule"] = rule
        if router.rule:
            _read_rule(router)
    reading = TagReading(list(routers.values()), other, plain, middlewares)
    reading.unnamed_default_router = unrouted and not service_name
    return reading


def _read_rule(router: RouterTags) -> None:
    assert router.rule is not None
    for alternative in re.split(r"\|\|", router.rule):
        for matcher in _MATCHER.finditer(alternative):
            negated, kind, arguments = matcher.groups()
            values = [a or b for a, b in _BACKTICKED.findall(arguments)]
            if negated:
                router.problems.append(f"negated matcher {kind}() has no Ingress equivalent")
            elif any("${" in v for v in values):
                router.problems.append(
                    f"{kind}() reads a Nomad runtime value this module cannot know; add it by hand"
                )
            elif kind == "Host":
                # DNS names are case-insensitive; an Ingress host must be lower case.
                router.hosts.extend(v.lower() for v in values if v.lower() not in router.hosts)
            elif kind == "HostRegexp":
                for value in values:
                    wildcard = wildcard_host(value)
                    if wildcard is None:
                        router.problems.append(
                            f"HostRegexp(`{value}`) is not a simple wildcard; add the hosts by hand"
                        )
                    elif wildcard not in router.hosts:
                        router.hosts.append(wildcard)
            elif kind in {"PathPrefix", "Path"}:
                router.paths.extend(v for v in values if v not in router.paths)
                if kind == "Path":
                    router.exact_paths.update(values)
            else:
                router.problems.append(f"matcher {kind}() has no Ingress equivalent")
        if "&&" in alternative and not any(m for m in _MATCHER.finditer(alternative)):
            router.problems.append(f"cannot read rule {router.rule!r}")
    shapes = {
        (bool(re.search(r"\bHost(?:Regexp)?\(", a)), bool(re.search(r"\bPath(?:Prefix)?\(", a)))
        for a in _top_level_alternatives(router.rule)
    }
    if len(shapes) > 1 and router.hosts:
        router.paths.clear()
        router.exact_paths.clear()
        router.problems.append(
            "its `||` alternatives differ in hosts and paths: the Ingress serves every path of"
            " the rule's hosts; the alternatives without a host are not carried"
        )


def _top_level_alternatives(rule: str) -> list[str]:
    """`A || (B || C)` → [`A`, `(B || C)`]: `||` outside parentheses and quotes."""
    parts, depth, quote, start = [], 0, "", 0
    for index, char in enumerate(rule):
        if quote:
            quote = "" if char == quote else quote
        elif char in '`"':
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0 and rule.startswith("||", index):
            parts.append(rule[start:index])
            start = index + 2
    parts.append(rule[start:])
    return parts


def wildcard_host(regexp: str) -> str | None:
    """`^.+\\.example\\.org$` or `{sub:.+}.example.org` → `*.example.org`."""
    for pattern in (_WILDCARD_REGEXP, _TRAEFIK_V1_WILDCARD):
        match = pattern.match(regexp)
        if match:
            return "*." + match.group(1).replace("\\.", ".")
    return None

"""Traefik tags read as routers: hosts, paths, options, and the tags that are not routers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from generator.pipeline import generate
from generator.service_spec import ServiceSpec
from generator.settings import Settings
from generator.translate.traefik import (
    RouterTags,
    default_rule_for,
    read_tags,
    wildcard_host,
)
from generator.translate.traefik_options import convert_middleware


def router(rule: str, *extra: str) -> RouterTags:
    reading = read_tags(("traefik.http.routers.web.rule=" + rule, *extra))
    assert [r.name for r in reading.routers] == ["web"]
    return reading.routers[0]


def test_host_with_several_hosts() -> None:
    r = router("Host(`a.example.org`, `b.example.org`)")
    assert r.rule == "Host(`a.example.org`, `b.example.org`)"
    assert r.hosts == ["a.example.org", "b.example.org"]
    assert (r.paths, r.problems) == ([], [])


def test_or_rules_collect_each_host_once() -> None:
    r = router("Host(`a.example.org`) || Host(`b.example.org`) || Host(`a.example.org`)")
    assert r.hosts == ["a.example.org", "b.example.org"]
    assert r.problems == []


def test_double_quoted_host_argument() -> None:
    assert router('Host("a.example.org")').hosts == ["a.example.org"]


@pytest.mark.parametrize(
    "regexp",
    [
        "{sub:.+}.example.org",
        "{subdomain:[a-z]+}.example.org",
        r"^.+\.example\.org$",
        r"^[^.]+\.example\.org$",
        r".*\.example\.org",
    ],
)
def test_wildcard_host_regexp_becomes_star_domain(regexp: str) -> None:
    assert wildcard_host(regexp) == "*.example.org"
    r = router(f"HostRegexp(`{regexp}`)")
    assert r.hosts == ["*.example.org"]
    assert r.problems == []


def test_non_wildcard_host_regexp_is_a_problem() -> None:
    regexp = r"^api[0-9]+\.example\.org$"
    assert wildcard_host(regexp) is None
    r = router(f"Host(`a.example.org`) || HostRegexp(`{regexp}`)")
    assert r.hosts == ["a.example.org"]
    assert r.problems == [f"HostRegexp(`{regexp}`) is not a simple wildcard; add the hosts by hand"]


def test_host_regexp_with_group_is_reported() -> None:
    r = router(r"HostRegexp(`^(www\.)?example\.org$`)")
    assert r.hosts or r.problems


@pytest.mark.parametrize(
    ("rule", "hosts", "paths"),
    [
        ("Host(`a.example.org`) && PathPrefix(`/api`)", ["a.example.org"], ["/api"]),
        ("Host(`a.example.org`) && Path(`/exact`)", ["a.example.org"], ["/exact"]),
        ("PathPrefix(`/one`, `/two`)", [], ["/one", "/two"]),
    ],
)
def test_path_prefix_and_path(rule: str, hosts: list[str], paths: list[str]) -> None:
    r = router(rule)
    assert (r.hosts, r.paths, r.problems) == (hosts, paths, [])


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ("!Host(`a.example.org`)", "negated matcher Host() has no Ingress equivalent"),
        (
            "Host(`a.example.org`) && !PathPrefix(`/x`)",
            "negated matcher PathPrefix() has no Ingress equivalent",
        ),
        (
            "Host(`a.example.org`) && Headers(`X`, `y`)",
            "matcher Headers() has no Ingress equivalent",
        ),
        ("garbage && more", "cannot read rule 'garbage && more'"),
    ],
)
def test_unmappable_rules_are_problems(rule: str, problem: str) -> None:
    assert router(rule).problems == [problem]


def test_router_options() -> None:
    r = router(
        "Host(`a.example.org`)",
        "traefik.http.routers.web.middlewares=auth@file, compress ,",
        "traefik.http.routers.web.entrypoints=web,websecure",
        "traefik.http.routers.web.priority=42",
        "traefik.http.routers.web.tls.certresolver=le",
    )
    assert r.middlewares == ["auth@file", "compress"]
    assert r.entrypoints == ["web", "websecure"]
    assert r.priority == 42
    assert r.line_tags["tls.certresolver"] == "le"


@pytest.mark.parametrize("value", ["", "-1", "high"])
def test_priority_that_is_not_a_number_is_none(value: str) -> None:
    r = router("Host(`a.example.org`)", f"traefik.http.routers.web.priority={value}")
    assert r.priority is None


def test_router_without_options() -> None:
    r = router("Host(`a.example.org`)")
    assert (r.middlewares, r.entrypoints, r.priority) == ([], [], None)


def test_tags_are_sorted_into_routers_other_and_plain() -> None:
    reading = read_tags(
        (
            "traefik.enable=true",
            "traefik.consulcatalog.connect=true",
            "traefik.http.routers.api.rule=Host(`api.example.org`)",
            "traefik.http.routers.www.rule=Host(`www.example.org`)",
            "traefik.http.services.api.loadbalancer.server.port=8080",
            "traefik.http.middlewares.strip.stripprefix.prefixes=/api",
            "urlprefix-/",
            "metrics",
        )
    )
    assert [(r.name, r.hosts) for r in reading.routers] == [
        ("api", ["api.example.org"]),
        ("www", ["www.example.org"]),
    ]
    assert reading.other_traefik_tags == [
        "traefik.http.services.api.loadbalancer.server.port=8080",
    ]
    assert reading.middlewares == {"strip": {"stripprefix.prefixes": "/api"}}
    assert reading.plain_tags == ["urlprefix-/", "metrics"]


def test_middleware_options_nest_in_traefiks_canonical_spelling_and_types() -> None:
    converted = convert_middleware(
        {
            "redirectregex.regex": "^https://www\\.(.*)",
            "redirectregex.permanent": "true",
        }
    )
    assert converted.config == {
        "redirectRegex": {"regex": "^https://www\\.(.*)", "permanent": True},
    }
    assert converted.problems == []


def test_provider_only_tags_alone_yield_nothing() -> None:
    reading = read_tags(("traefik.enable=true", "traefik.consulcatalog.connect=true"))
    assert (reading.routers, reading.other_traefik_tags, reading.plain_tags) == ([], [], [])


def test_router_option_without_rule_has_no_hosts() -> None:
    reading = read_tags(("traefik.http.routers.web.entrypoints=websecure",))
    r = reading.routers[0]
    assert (r.rule, r.hosts, r.problems, r.entrypoints) == (None, [], [], ["websecure"])


def snippet_and_findings(tmp_path: Path, tags: list[str], port: bool = True) -> tuple[dict, list]:
    network = '    network {\n      port "http" { to = 80 }\n    }\n' if port else ""
    tag_list = ", ".join(json.dumps(t) for t in tags)
    text = (
        f'job "web" {{\n  group "web" {{\n{network}    service {{\n      name = "web"\n'
        f'      port = "http"\n      tags = [{tag_list}]\n    }}\n'
        '    task "web" {\n      driver = "docker"\n      config {\n        image = "nginx:1"\n'
        "      }\n    }\n  }\n}\n"
    )
    jobspec = tmp_path / "web.nomad.hcl"
    jobspec.write_text(text)
    generation = generate("web", jobspec, Settings(), ServiceSpec())
    snippet = generation.files.get("traefik-routers.yml")
    findings = [
        (d.code, d.message)
        for d in generation.diagnostics
        if d.code not in ("dropped", "nomad-default")
    ]
    return (yaml.safe_load(snippet) if snippet else {}), findings


def test_middlewares_the_tags_define_move_into_the_snippet_with_their_references(
    tmp_path: Path,
) -> None:
    snippet, findings = snippet_and_findings(
        tmp_path,
        [
            "traefik.http.routers.web.rule=Host(`web.example.org`)",
            "traefik.http.routers.web.middlewares=https,auth@docker,gzip@consulcatalog",
            "traefik.http.middlewares.https.redirectscheme.scheme=https",
            "traefik.http.middlewares.https.redirectscheme.permanent=true",
            "traefik.http.middlewares.gzip.compress=true",
        ],
    )
    http = snippet["http"]
    assert http["routers"]["k8s-web"]["middlewares"] == [
        "k8s-https@file",
        "auth@docker",
        "k8s-gzip@file",
    ]
    assert http["middlewares"] == {
        "k8s-https": {"redirectScheme": {"scheme": "https", "permanent": True}},
        "k8s-gzip": {"compress": {}},
    }
    assert findings == []


def test_a_middleware_no_router_reaches_is_reported(tmp_path: Path) -> None:
    snippet, findings = snippet_and_findings(
        tmp_path, ["traefik.http.middlewares.strip.stripprefix.prefixes=/api"]
    )
    assert snippet == {}
    assert findings == [
        (
            "needs-decision",
            "Traefik middleware 'strip' is defined, but no router of this group reaches the"
            " cluster: not carried",
        )
    ]


def ingress_of(tmp_path: Path, tags: list[str]) -> tuple[str, list]:
    tag_list = ", ".join(json.dumps(t) for t in tags)
    text = (
        'job "web" {\n  group "web" {\n    network {\n      port "http" { to = 80 }\n    }\n'
        f'    service {{\n      name = "web"\n      port = "http"\n      tags = [{tag_list}]\n'
        '    }\n    task "web" {\n      driver = "docker"\n      config {\n'
        '        image = "nginx:1"\n      }\n    }\n  }\n}\n'
    )
    jobspec = tmp_path / "web.nomad.hcl"
    jobspec.write_text(text)
    settings = Settings(tls_secret_name="wildcard-tls")
    generation = generate("web", jobspec, settings, ServiceSpec())
    main = generation.files["main.tf"]
    start = main.find('resource "kubernetes_ingress_v1"')
    ingress = main[start:] if start >= 0 else ""
    findings = [
        (d.code, d.message)
        for d in generation.diagnostics
        if d.code not in ("dropped", "nomad-default")
    ]
    return ingress, findings


def paths_of(ingress: str) -> list[tuple[str, str]]:
    return re.findall(r'path      = "([^"]*)"\n\s+path_type = "(\w+)"', ingress)


def test_router_paths_narrow_the_ingress_rule(tmp_path: Path) -> None:
    ingress, findings = ingress_of(
        tmp_path,
        [
            "traefik.http.routers.api.rule=Host(`a.example.org`) && (PathPrefix(`/api`) || Path(`/ok`))"
        ],
    )
    assert paths_of(ingress) == [("/api", "Prefix"), ("/ok", "Exact")]
    assert "host = var.hostname" in ingress
    assert findings == []


def test_a_router_without_a_path_opens_the_whole_host(tmp_path: Path) -> None:
    ingress, _ = ingress_of(
        tmp_path,
        [
            "traefik.http.routers.api.rule=Host(`a.example.org`) && PathPrefix(`/api`)",
            "traefik.http.routers.site.rule=Host(`b.example.org`)",
        ],
    )
    assert paths_of(ingress) == [("/", "Prefix")]
    assert "for_each = toset(var.hostnames)" in ingress


def test_a_path_only_router_becomes_a_rule_for_any_host_without_tls(tmp_path: Path) -> None:
    ingress, findings = ingress_of(
        tmp_path, ["traefik.http.routers.wk.rule=PathPrefix(`/.well-known/matrix`)"]
    )
    assert paths_of(ingress) == [("/.well-known/matrix", "Prefix")]
    assert "host =" not in ingress and "tls {" not in ingress
    assert findings == []


def test_a_router_with_no_usable_rule_is_reported(tmp_path: Path) -> None:
    ingress, findings = ingress_of(tmp_path, ["traefik.http.routers.x.rule=Method(`GET`)"])
    assert ingress == ""
    assert [m for _, m in findings] == [
        "router 'x': matcher Method() has no Ingress equivalent",
    ]


@pytest.mark.parametrize(
    "tags",
    [["traefik.http.routers.x.entrypoints=websecure"], ["traefik.enable=true"]],
)
def test_routers_left_to_traefiks_default_rule_need_the_setting(
    tmp_path: Path, tags: list[str]
) -> None:
    ingress, findings = ingress_of(tmp_path, tags)
    assert ingress == ""
    assert len(findings) == 1
    assert "defaultRule; set `traefik_default_rule` in the settings" in findings[0][1]


@pytest.mark.parametrize(
    ("template", "host"),
    [
        ("Host(`{{ normalize .Name }}.example.org`)", "my-web.example.org"),
        ("Host(`{{ .Name }}.lan`)", "my_web.lan"),
    ],
)
def test_traefiks_default_rule_routes_services_without_a_rule(
    tmp_path: Path, template: str, host: str
) -> None:
    text = (
        'job "web" {\n  group "web" {\n    network {\n      port "http" { to = 80 }\n    }\n'
        '    service {\n      name = "my_web"\n      port = "http"\n'
        '      tags = ["traefik.enable=true"]\n    }\n'
        '    task "web" {\n      driver = "docker"\n      config {\n        image = "nginx:1"\n'
        "      }\n    }\n  }\n}\n"
    )
    jobspec = tmp_path / "web.nomad.hcl"
    jobspec.write_text(text)
    settings = Settings(traefik_default_rule=template)
    generation = generate("web", jobspec, settings, ServiceSpec())
    assert f'default     = "{host}"' in generation.files["variables.tf"]
    assert "my-web" in generation.files["traefik-routers.yml"]
    assert not [d for d in generation.diagnostics if d.code == "needs-decision"]


def test_a_default_rule_reading_more_than_the_name_is_not_used() -> None:
    assert default_rule_for('Host(`{{ index .Labels "x" }}`)', "web") is None


def test_a_doubled_end_anchor_is_still_a_simple_wildcard() -> None:
    # `$$` in a jobspec string stays `$$` (HCL only escapes `$${`); the regexp still anchors once.
    assert wildcard_host(r"^.+\.example\.co\.uk$$") == "*.example.co.uk"


def test_other_groups_reach_a_routed_service_on_the_port_the_service_exposes(
    tmp_path: Path,
) -> None:
    text = """job "pair" {
  group "api" {
    network {
      port "http" { to = 8080 }
    }
    service {
      name = "api"
      port = "http"
      tags = ["traefik.http.routers.api.rule=PathPrefix(`/api`)"]
    }
    task "api" {
      driver = "docker"
      config {
        image = "api:1"
      }
    }
  }
  group "front" {
    task "front" {
      driver = "docker"
      config {
        image = "front:1"
      }
      template {
        destination = "local/.env"
        env         = true
        data        = "API_URL=http://{{ range service \\"api\\" }}{{ .Address }}:{{ .Port }}{{ end }}"
      }
    }
  }
}
"""
    jobspec = tmp_path / "pair.nomad.hcl"
    jobspec.write_text(text)
    main = generate("pair", jobspec, Settings(), ServiceSpec()).files["main.tf"]
    assert re.search(r'port\s+= 80\n\s+target_port = "http"', main)
    assert "pair-api.${var.namespace}.svc.cluster.local:80" in main


def test_spec_hostnames_serve_the_paths_of_path_only_routers(tmp_path: Path) -> None:
    text = (
        'job "web" {\n  group "web" {\n    network {\n      port "http" { to = 80 }\n    }\n'
        '    service {\n      port = "http"\n'
        '      tags = ["traefik.http.routers.web.rule=PathPrefix(`/api`)"]\n    }\n'
        '    task "web" {\n      driver = "docker"\n      config {\n        image = "nginx:1"\n'
        "      }\n    }\n  }\n}\n"
    )
    jobspec = tmp_path / "web.nomad.hcl"
    jobspec.write_text(text)
    spec = ServiceSpec(hostnames=["web.example.org"])
    main = generate("web", jobspec, Settings(), spec).files["main.tf"]
    ingress = main[main.index('resource "kubernetes_ingress_v1"') :]
    assert "host = var.hostname" in ingress
    assert paths_of(ingress) == [("/api", "Prefix")]


def test_widened_paths_and_mixed_alternatives_are_reported(tmp_path: Path) -> None:
    _, findings = ingress_of(
        tmp_path,
        [
            "traefik.http.routers.api.rule=Host(`a.example.org`) && PathPrefix(`/api`)",
            "traefik.http.routers.site.rule=Host(`b.example.org`)",
            "traefik.http.routers.mix.rule=Host(`c.example.org`) || PathPrefix(`/x`)",
        ],
    )
    messages = [message for _, message in findings]
    assert any("routers api match paths" in m for m in messages)
    assert any("router 'mix': its `||` alternatives differ" in m for m in messages)


def test_mixed_alternatives_serve_the_whole_host_as_the_report_says(tmp_path: Path) -> None:
    ingress, _ = ingress_of(
        tmp_path, ["traefik.http.routers.mix.rule=Host(`C.Example.org`) || PathPrefix(`/x`)"]
    )
    assert paths_of(ingress) == [("/", "Prefix")]
    assert "host = var.hostname" in ingress


@pytest.mark.parametrize(
    ("tags", "code"),
    [
        (["traefik.enable=false", "traefik.http.routers.a.rule=Host(`a.org`)"], "dropped"),
        (["traefik.enable=true"], "needs-decision"),
    ],
)
def test_disabled_and_unnamed_services(tmp_path: Path, tags: list[str], code: str) -> None:
    text = (
        'job "web" {\n  group "web" {\n    network {\n      port "http" { to = 80 }\n    }\n'
        f'    service {{\n      port = "http"\n      tags = [{", ".join(json.dumps(t) for t in tags)}]\n'
        '    }\n    task "web" {\n      driver = "docker"\n      config {\n'
        '        image = "nginx:1"\n      }\n    }\n  }\n}\n'
    )
    jobspec = tmp_path / "web.nomad.hcl"
    jobspec.write_text(text)
    generation = generate("web", jobspec, Settings(), ServiceSpec())
    assert "kubernetes_ingress_v1" not in generation.files["main.tf"]
    assert code in [d.code for d in generation.diagnostics if "traefik.enable" in d.message]


def test_chained_middlewares_follow_their_new_names(tmp_path: Path) -> None:
    snippet, _ = snippet_and_findings(
        tmp_path,
        [
            "traefik.http.routers.web.rule=Host(`web.example.org`)",
            "traefik.http.routers.web.middlewares=secure",
            "traefik.http.middlewares.secure.chain.middlewares=auth,hdr,other@docker",
            "traefik.http.middlewares.auth.basicauth.users=u:h",
            "traefik.http.middlewares.hdr.headers.framedeny=true",
        ],
    )
    chain = snippet["http"]["middlewares"]["k8s-secure"]["chain"]["middlewares"]
    assert chain == ["k8s-auth@file", "k8s-hdr@file", "other@docker"]


def test_an_unusable_default_rule_says_so(tmp_path: Path) -> None:
    text = (
        'job "web" {\n  group "web" {\n    network {\n      port "http" { to = 80 }\n    }\n'
        '    service {\n      name = "web"\n      port = "http"\n'
        '      tags = ["traefik.enable=true"]\n    }\n'
        '    task "web" {\n      driver = "docker"\n      config {\n        image = "nginx:1"\n'
        "      }\n    }\n  }\n}\n"
    )
    jobspec = tmp_path / "web.nomad.hcl"
    jobspec.write_text(text)
    settings = Settings(traefik_default_rule='Host(`{{ index .Labels "x" }}.org`)')
    generation = generate("web", jobspec, settings, ServiceSpec())
    assert any("reads more than `.Name`" in d.message for d in generation.diagnostics)

"""Nomad runtime interpolation and Consul DNS names rewritten for Kubernetes."""

from __future__ import annotations

import pytest

from generator.diagnostics import Diagnostic, DiagnosticSink, Severity
from generator.k8s_plan import EnvVar
from generator.plan_values import Ref, StringTemplate
from generator.render.hcl_values import hcl_value
from generator.settings import ServiceMapping, Settings
from generator.translate.context import Context
from generator.translate.interpolation import (
    PodFacts,
    literal_value,
    rewrite,
    rewrite_consul_names,
)

FILE = "x.nomad.hcl"
LINE = 7
PATH = "task[web].env.X"


def make_ctx(settings: Settings | None = None) -> Context:
    return Context(settings=settings or Settings(), sink=DiagnosticSink(), file=FILE, job_name="x")


def facts(**overrides: object) -> PodFacts:
    base = PodFacts(
        job_name="shop",
        group_name="api",
        task_name="web",
        namespace="apps",
        ports={"http": 8080, "metrics": 9100},
        cpu=500,
        memory=256,
        upstreams={"db": 5432},
    )
    for key, value in overrides.items():
        setattr(base, key, value)
    return base


def diagnostics(ctx: Context) -> list[tuple[str, str, int | None, str | None]]:
    return [(d.severity.value, d.code, d.line, d.path) for d in ctx.sink]


def messages(ctx: Context) -> list[str]:
    return [d.message for d in ctx.sink]


POD_IP = EnvVar(name="POD_IP", field_path="status.podIP")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${NOMAD_PORT_http}", "8080"),
        ("--port=${NOMAD_PORT_http}", "--port=8080"),
        ("${NOMAD_HOST_PORT_metrics}", "9100"),
        ("${NOMAD_ALLOC_PORT_http}", "8080"),
        ("${ NOMAD_PORT_http }", "8080"),
    ],
)
def test_port_becomes_number(text: str, expected: str) -> None:
    ctx = make_ctx()
    result = rewrite(text, facts(), ctx, LINE, PATH)
    assert result.value == expected
    assert result.downward_env == []
    assert len(ctx.sink) == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${NOMAD_ADDR_http}", "$(POD_IP):8080"),
        ("http://${NOMAD_HOST_ADDR_metrics}/m", "http://$(POD_IP):9100/m"),
        ("${NOMAD_IP_http}", "$(POD_IP)"),
        ("${NOMAD_ALLOC_IP_http}", "$(POD_IP)"),
    ],
)
def test_addr_and_ip_use_pod_ip_downward_var(text: str, expected: str) -> None:
    ctx = make_ctx()
    result = rewrite(text, facts(), ctx, LINE, PATH)
    assert result.value == expected
    assert result.downward_env == [POD_IP]
    assert len(ctx.sink) == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${NOMAD_TASK_DIR}", "/local"),
        ("${NOMAD_TASK_DIR}/config.yml", "/local/config.yml"),
        ("${NOMAD_ALLOC_DIR}/data", "/alloc/data"),
        ("${NOMAD_SECRETS_DIR}/token", "/secrets/token"),
    ],
)
def test_task_dirs(text: str, expected: str) -> None:
    ctx = make_ctx()
    result = rewrite(text, facts(), ctx, LINE, PATH)
    assert (result.value, result.downward_env, len(ctx.sink)) == (expected, [], 0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${NOMAD_JOB_NAME}", "shop"),
        ("${NOMAD_JOB_ID}", "shop"),
        ("${NOMAD_GROUP_NAME}", "api"),
        ("${NOMAD_TASK_NAME}", "web"),
        ("${NOMAD_NAMESPACE}", "apps"),
        ("${NOMAD_CPU_LIMIT}", "500"),
        ("${NOMAD_MEMORY_LIMIT}m", "256m"),
    ],
)
def test_job_facts_become_literals(text: str, expected: str) -> None:
    ctx = make_ctx()
    result = rewrite(text, facts(), ctx, LINE, PATH)
    assert (result.value, result.downward_env, len(ctx.sink)) == (expected, [], 0)


@pytest.mark.parametrize(
    ("text", "expected", "env"),
    [
        (
            "${node.unique.name}",
            "$(POD_NODENAME)",
            EnvVar("POD_NODENAME", field_path="spec.nodeName"),
        ),
        ("${NOMAD_ALLOC_ID}", "$(POD_UID)", EnvVar("POD_UID", field_path="metadata.uid")),
        ("${NOMAD_ALLOC_NAME}", "$(POD_NAME)", EnvVar("POD_NAME", field_path="metadata.name")),
        (
            "${attr.unique.network.ip-address}:80",
            "$(POD_HOSTIP):80",
            EnvVar("POD_HOSTIP", field_path="status.hostIP"),
        ),
    ],
)
def test_pod_fields_become_downward_vars(text: str, expected: str, env: EnvVar) -> None:
    ctx = make_ctx()
    result = rewrite(text, facts(), ctx, LINE, PATH)
    assert result.value == expected
    assert result.downward_env == [env]
    assert len(ctx.sink) == 0


def test_unknown_port_label_needs_decision() -> None:
    ctx = make_ctx()
    result = rewrite("${NOMAD_PORT_grpc}", facts(), ctx, LINE, PATH)
    assert result.value == "${NOMAD_PORT_grpc}"
    assert diagnostics(ctx) == [("warning", "needs-decision", LINE, PATH)]
    assert messages(ctx) == [
        "${NOMAD_PORT_grpc} names port 'grpc', which the group does not declare"
    ]


def test_unknown_runtime_var_needs_decision() -> None:
    ctx = make_ctx()
    result = rewrite("dc=${node.datacenter}", facts(), ctx, LINE, PATH)
    assert result.value == "dc=${node.datacenter}"
    assert result.downward_env == []
    assert diagnostics(ctx) == [("warning", "needs-decision", LINE, PATH)]
    assert messages(ctx) == [
        "${node.datacenter} is a Nomad runtime value with no Kubernetes equivalent;"
        " kept as literal text"
    ]


def test_limit_without_resources_needs_decision() -> None:
    ctx = make_ctx()
    result = rewrite("${NOMAD_MEMORY_LIMIT}", facts(memory=None), ctx, LINE, PATH)
    assert result.value == "${NOMAD_MEMORY_LIMIT}"
    assert [d.code for d in ctx.sink] == ["needs-decision"]


def test_plain_text_is_unchanged() -> None:
    ctx = make_ctx()
    result = rewrite("no interpolation here", facts(), ctx, LINE, PATH)
    assert (result.value, result.downward_env, len(ctx.sink)) == ("no interpolation here", [], 0)


# --- Consul DNS names -------------------------------------------------------------------


def test_consul_name_with_port_becomes_namespaced_service() -> None:
    ctx = make_ctx()
    result = rewrite("postgres://x.service.consul:5432/app", facts(), ctx, LINE, PATH)
    assert result.value == StringTemplate(
        ("postgres://x.", Ref("var.namespace"), ".svc.cluster.local:5432/app")
    )
    assert isinstance(result.value, StringTemplate)
    assert hcl_value(result.value) == '"postgres://x.${var.namespace}.svc.cluster.local:5432/app"'
    assert diagnostics(ctx) == [("warning", "needs-decision", LINE, PATH)]
    assert messages(ctx) == [
        "Consul name 'x.service.consul:5432' assumed to be Service 'x' in the module's"
        " namespace; map it under `services:` in the settings"
    ]


@pytest.mark.parametrize(
    ("text", "service", "tail"),
    [
        ("redis.service.dc1.consul", "redis", ".svc.cluster.local"),
        ("primary.db.service.consul", "db", ".svc.cluster.local"),
        ("api.virtual.consul:80", "api", ".svc.cluster.local:80"),
        ("web.connect.consul", "web", ".svc.cluster.local"),
    ],
)
def test_consul_name_forms(text: str, service: str, tail: str) -> None:
    ctx = make_ctx()
    parts = rewrite_consul_names(text, ctx, LINE, PATH)
    assert [p for p in parts if p != ""] == [f"{service}.", Ref("var.namespace"), tail]
    assert [d.code for d in ctx.sink] == ["needs-decision"]


def test_settings_services_mapping_applies_name_namespace_and_port() -> None:
    settings = Settings(
        services={"x": ServiceMapping(name="postgres", namespace="data", port=6432)}
    )
    ctx = make_ctx(settings)
    result = rewrite("x.service.consul:5432", facts(), ctx, LINE, PATH)
    assert result.value == "postgres.data.svc.cluster.local:6432"
    assert len(ctx.sink) == 0


def test_settings_mapping_without_namespace_keeps_var_namespace() -> None:
    settings = Settings(services={"cache": ServiceMapping(name="valkey")})
    ctx = make_ctx(settings)
    result = rewrite("cache.service.consul:6379", facts(), ctx, LINE, PATH)
    assert result.value == StringTemplate(
        ("valkey.", Ref("var.namespace"), ".svc.cluster.local:6379")
    )
    assert len(ctx.sink) == 0


def test_each_unmapped_consul_name_is_reported() -> None:
    settings = Settings(services={"a": ServiceMapping(name="alpha", namespace="ns")})
    ctx = make_ctx(settings)
    result = rewrite("a.service.consul,b.service.consul:1", facts(), ctx, LINE, PATH)
    assert result.value == StringTemplate(
        ("alpha.ns.svc.cluster.local,b.", Ref("var.namespace"), ".svc.cluster.local:1")
    )
    assert messages(ctx) == [
        "Consul name 'b.service.consul:1' assumed to be Service 'b' in the module's namespace;"
        " map it under `services:` in the settings"
    ]


def test_non_consul_dns_name_is_untouched() -> None:
    ctx = make_ctx()
    result = rewrite("db.example.org:5432 and consul.io", facts(), ctx, LINE, PATH)
    assert result.value == "db.example.org:5432 and consul.io"
    assert len(ctx.sink) == 0


# --- Connect upstreams ------------------------------------------------------------------


def test_upstream_addr_uses_bind_port() -> None:
    ctx = make_ctx()
    result = rewrite("${NOMAD_UPSTREAM_ADDR_db}", facts(), ctx, LINE, PATH)
    assert result.value == StringTemplate(("db.", Ref("var.namespace"), ".svc.cluster.local:5432"))
    assert result.downward_env == []
    messages = [d.message for d in ctx.sink]
    assert [d.code for d in ctx.sink] == ["needs-decision", "needs-decision"]
    assert any("local bind port" in m for m in messages)
    assert any("assumed to be Service 'db'" in m for m in messages)


def test_upstream_port_is_bind_port_and_says_so() -> None:
    ctx = make_ctx()
    result = rewrite("${NOMAD_UPSTREAM_PORT_db}", facts(), ctx, LINE, PATH)
    assert result.value == "5432"
    assert [d.code for d in ctx.sink] == ["needs-decision"]
    assert "local bind port" in next(iter(ctx.sink)).message


def test_upstream_addr_with_mapping_uses_mapped_service() -> None:
    settings = Settings(services={"db": ServiceMapping(name="pg", namespace="data", port=6432)})
    ctx = make_ctx(settings)
    result = rewrite("${NOMAD_UPSTREAM_ADDR_db}", facts(), ctx, LINE, PATH)
    assert result.value == "pg.data.svc.cluster.local:6432"
    assert len(ctx.sink) == 0


def test_upstream_ip_becomes_service_host() -> None:
    ctx = make_ctx()
    result = rewrite("${NOMAD_UPSTREAM_IP_db}", facts(), ctx, LINE, PATH)
    assert result.value == StringTemplate(("db.", Ref("var.namespace"), ".svc.cluster.local"))


def test_unknown_upstream_port_is_reported() -> None:
    ctx = make_ctx()
    result = rewrite("${NOMAD_UPSTREAM_PORT_cache}", facts(), ctx, LINE, PATH)
    assert result.value == "${NOMAD_UPSTREAM_PORT_cache}"
    assert [(d.code, d.line) for d in ctx.sink] == [("needs-decision", LINE)]


def test_diagnostic_fields() -> None:
    ctx = make_ctx()
    rewrite("${NOMAD_PORT_nope}", facts(), ctx, LINE, PATH)
    (only,) = list(ctx.sink)
    assert isinstance(only, Diagnostic)
    assert only.severity is Severity.WARNING
    assert (only.file, only.line, only.path) == (FILE, LINE, PATH)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("NOMAD_META_domain", "git.example.org"),
        ("NOMAD_META_DOMAIN", "git.example.org"),  # Nomad also sets the upper-cased name
        ("NOMAD_META_missing", None),
        ("NOMAD_PORT_http", "8080"),
        ("NOMAD_HOST_PORT_http", "8080"),
        ("NOMAD_PORT_nope", None),
        ("NOMAD_TASK_DIR", "/local"),
        ("NOMAD_IP_http", None),  # the pod IP is not a fixed text
    ],
)
def test_literal_value(name: str, expected: str | None) -> None:
    assert literal_value(name, facts(meta={"domain": "git.example.org"})) == expected


def test_meta_is_filled_into_strings() -> None:
    ctx = make_ctx()
    value = rewrite("https://${NOMAD_META_domain}/", facts(meta={"domain": "d.org"}), ctx, 3, "p")
    assert value.value == "https://d.org/"
    assert len(ctx.sink) == 0


# --- Hosts stay hosts; upstream names as Nomad writes them in env var names ---------------


def test_a_consul_name_without_a_port_stays_a_host_name_even_when_mapped_with_one() -> None:
    settings = Settings(services={"cache": ServiceMapping(name="valkey", namespace="d", port=6379)})
    ctx = make_ctx(settings)
    assert rewrite("cache.service.consul", facts(), ctx, LINE, PATH).value == (
        "valkey.d.svc.cluster.local"
    )
    ctx = ctx.for_job({"api": ("app-api", 8080)}, {})
    assert rewrite("-h api.service.consul", facts(), ctx, LINE, PATH).value == StringTemplate(
        ("-h app-api.", Ref("var.namespace"), ".svc.cluster.local")
    )


@pytest.mark.parametrize("variable", ["NOMAD_UPSTREAM_ADDR_my_db", "NOMAD_UPSTREAM_ADDR_my-db"])
def test_an_upstream_with_a_dash_is_found_under_nomads_cleaned_env_name(variable: str) -> None:
    settings = Settings(services={"my-db": ServiceMapping(name="pg", namespace="data", port=6432)})
    ctx = make_ctx(settings)
    result = rewrite("${" + variable + "}", facts(upstreams={"my-db": 5432}), ctx, LINE, PATH)
    assert result.value == "pg.data.svc.cluster.local:6432"
    assert len(ctx.sink) == 0


def test_an_unknown_upstream_written_with_underscores_is_read_as_a_consul_name() -> None:
    ctx = make_ctx()
    result = rewrite("${NOMAD_UPSTREAM_IP_my_cache}", facts(), ctx, LINE, PATH)
    assert result.value == StringTemplate(("my-cache.", Ref("var.namespace"), ".svc.cluster.local"))

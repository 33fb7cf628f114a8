"""One Nomad task → one container: image, command, env, resources, user, probes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from generator.diagnostics import DiagnosticSink
from generator.hcl import parse_hcl
from generator.k8s_plan import EnvVar, Probe, SecurityContext
from generator.model import Check, Task
from generator.model_builder import build_job
from generator.plan_values import Ref, StringTemplate
from generator.render.hcl_values import hcl_value
from generator.settings import Settings
from generator.translate.containers import (
    ImageVariables,
    build_container,
    command_and_args,
    container_image,
    env_vars,
    probe_for,
    resources,
    security_context,
)
from generator.translate.context import Context
from generator.translate.images import image_with_tag_variable
from generator.translate.interpolation import PodFacts

FILE = "x.nomad.hcl"
# Task bodies start on line 4: job (1), group (2), task (3).
TASK_LINE = 3


def make_ctx(**settings: object) -> Context:
    return Context(
        settings=Settings.model_validate(settings),
        sink=DiagnosticSink(),
        file=FILE,
        job_name="x",
    )


def task_of(body: str) -> Task:
    text = 'job "x" {\n  group "g" {\n    task "t" {\n' + body + "    }\n  }\n}\n"
    return build_job(parse_hcl(text, FILE)).groups[0].tasks[0]


def with_image(image: str) -> Task:
    return task_of(f'      config {{\n        image = "{image}"\n      }}\n')


def facts() -> PodFacts:
    return PodFacts(
        job_name="x", group_name="g", task_name="t", namespace="default", ports={"http": 8080}
    )


def diagnostics(ctx: Context) -> list[tuple[str, int | None, str | None]]:
    return [(d.code, d.line, d.path) for d in ctx.sink]


# --- images -----------------------------------------------------------------------------


def test_image_split_into_repository_and_image_tag_variable() -> None:
    ctx = make_ctx()
    images = ImageVariables()
    image = container_image(with_image("nginx:1.25"), images, ctx)
    assert hcl_value(image) == '"nginx:${var.image_tag}"'
    assert images.by_repository == {"nginx": ("image_tag", "1.25")}
    assert len(ctx.sink) == 0


def test_second_repository_gets_named_variable() -> None:
    ctx = make_ctx()
    images = ImageVariables()
    container_image(with_image("nginx:1.25"), images, ctx)
    second = container_image(with_image("ghcr.io/org/log-shipper:2.0"), images, ctx)
    assert hcl_value(second) == '"ghcr.io/org/log-shipper:${var.log_shipper_image_tag}"'
    again = container_image(with_image("nginx:1.26"), images, ctx)
    assert hcl_value(again) == '"nginx:${var.image_tag}"'
    assert images.by_repository == {
        "nginx": ("image_tag", "1.25"),
        "ghcr.io/org/log-shipper": ("log_shipper_image_tag", "2.0"),
    }


def test_repositories_with_same_basename_get_distinct_variables() -> None:
    images = ImageVariables()
    names = [images.variable_for(repo, "1") for repo in ("a/app", "b/app", "c/app")]
    assert names == ["image_tag", "app_image_tag", "app_2_image_tag"]
    assert len(set(names)) == 3


def test_registry_with_port_and_digest() -> None:
    ctx = make_ctx()
    images = ImageVariables()
    image = container_image(with_image("registry.local:5000/org/app:1.2@sha256:abcd"), images, ctx)
    assert image == StringTemplate(
        ("registry.local:5000/org/app:", Ref("var.image_tag"), "@sha256:abcd")
    )
    assert isinstance(image, StringTemplate)
    assert hcl_value(image) == '"registry.local:5000/org/app:${var.image_tag}@sha256:abcd"'
    assert images.by_repository == {"registry.local:5000/org/app": ("image_tag", "1.2")}


def test_registry_with_port_and_no_tag() -> None:
    images = ImageVariables()
    image = container_image(with_image("registry.local:5000/app"), images, make_ctx())
    assert hcl_value(image) == '"registry.local:5000/app:${var.image_tag}"'
    assert images.by_repository == {"registry.local:5000/app": ("image_tag", None)}


def test_meta_and_literal_env_values_in_an_image_are_filled_in() -> None:
    ctx = make_ctx()
    images = ImageVariables()
    task = task_of(
        '      config {\n        image = "${REGISTRY}/app:${NOMAD_META_version}"\n      }\n'
        '      env {\n        REGISTRY = "ghcr.io/org"\n      }\n'
    )
    f = replace(facts(), meta={"version": "2.1"})
    image = container_image(task, images, ctx, f)
    assert hcl_value(image) == '"ghcr.io/org/app:${var.image_tag}"'
    assert images.by_repository == {"ghcr.io/org/app": ("image_tag", "2.1")}
    assert diagnostics(ctx) == []


def test_missing_image_needs_decision() -> None:
    ctx = make_ctx()
    image = container_image(task_of('      driver = "docker"\n'), ImageVariables(), ctx)
    assert image == "REPLACE_ME"
    assert diagnostics(ctx) == [("needs-decision", TASK_LINE, "task[t].config.image")]


# --- command and args -------------------------------------------------------------------


def test_entrypoint_becomes_command_and_command_args_become_args() -> None:
    task = task_of(
        "      config {\n"
        '        entrypoint = ["/bin/sh", "-c"]\n'
        '        command    = "serve"\n'
        '        args       = ["--listen", "${NOMAD_ADDR_http}", "--dir=${NOMAD_TASK_DIR}"]\n'
        "      }\n"
    )
    ctx = make_ctx()
    env: list[EnvVar] = []
    command, args = command_and_args(task, facts(), ctx, env)
    assert command == ["/bin/sh", "-c"]
    assert args == ["serve", "--listen", "$(POD_IP):8080", "--dir=/local"]
    assert env == [EnvVar(name="POD_IP", field_path="status.podIP")]
    assert len(ctx.sink) == 0


def test_no_command_and_no_args_are_none() -> None:
    command, args = command_and_args(with_image("a:1"), facts(), make_ctx(), [])
    assert (command, args) == (None, None)


def test_args_without_command() -> None:
    task = task_of('      config {\n        args = ["-v", "${NOMAD_PORT_nope}"]\n      }\n')
    ctx = make_ctx()
    command, args = command_and_args(task, facts(), ctx, [])
    assert (command, args) == (None, ["-v", "${NOMAD_PORT_nope}"])
    assert diagnostics(ctx) == [("needs-decision", 4, "task[t].config.args")]


# --- env --------------------------------------------------------------------------------


def test_env_values_are_rewritten_and_stringified() -> None:
    task = task_of(
        "      env {\n"
        '        PORT  = "${NOMAD_PORT_http}"\n'
        '        NODE  = "${node.unique.name}"\n'
        "        DEBUG = true\n"
        "        N     = 3\n"
        "      }\n"
    )
    ctx = make_ctx()
    plain, downward = env_vars(task, facts(), ctx)
    assert plain == [
        EnvVar("PORT", "8080"),
        EnvVar("NODE", "$(POD_NODENAME)"),
        EnvVar("DEBUG", "true"),
        EnvVar("N", "3"),
    ]
    assert downward == [EnvVar("POD_NODENAME", field_path="spec.nodeName")]
    assert len(ctx.sink) == 0


@pytest.mark.parametrize(
    "name", ["DB_PASSWORD", "API_KEY", "GITHUB_TOKEN", "CLIENT_SECRET", "KEY", "SSH_PRIVATE"]
)
def test_credential_looking_env_is_literal_credential_warning(name: str) -> None:
    task = task_of(f'      env {{\n        OTHER = "x"\n        {name} = "hunter2"\n      }}\n')
    ctx = make_ctx()
    env_vars(task, facts(), ctx)
    assert [(d.severity.value, d.code, d.line, d.path) for d in ctx.sink] == [
        ("warning", "literal-credential", 6, f"task[t].env.{name}")
    ]


@pytest.mark.parametrize(
    ("name", "value"),
    [("DB_PASSWORD", "${NOMAD_SECRETS_DIR}/pw"), ("DB_PASSWORD", ""), ("KEYBOARD", "us")],
)
def test_no_credential_warning(name: str, value: str) -> None:
    task = task_of(f'      env {{\n        {name} = "{value}"\n      }}\n')
    ctx = make_ctx()
    env_vars(task, facts(), ctx)
    assert [d.code for d in ctx.sink] == []


# --- resources --------------------------------------------------------------------------


def res_task(body: str) -> Task:
    return task_of("      resources {\n" + body + "      }\n")


DEFAULT_MEMORY = {"memory": "300Mi"}


@pytest.mark.parametrize(
    ("body", "requests", "limits"),
    [
        ("cpu = 500\n", {"cpu": "500m"} | DEFAULT_MEMORY, DEFAULT_MEMORY),
        ("memory = 256\n", {"cpu": "100m", "memory": "256Mi"}, {"memory": "256Mi"}),
        (
            "cpu = 200\nmemory = 256\nmemory_max = 1024\n",
            {"cpu": "200m", "memory": "256Mi"},
            {"memory": "1024Mi"},
        ),
        ("cores = 2\nmemory = 64\n", {"cpu": "2000m", "memory": "64Mi"}, {"memory": "64Mi"}),
        (
            'cpu = 100\nmemory = 64\ndevice "nvidia/gpu" {\n  count = 2\n}\n',
            {"cpu": "100m", "memory": "64Mi"},
            {"memory": "64Mi", "nvidia.com/gpu": 2},
        ),
    ],
)
def test_resources(body: str, requests: dict[str, str], limits: dict[str, str | int]) -> None:
    ctx = make_ctx()
    assert resources(res_task(body), ctx) == (requests, limits)
    defaulted = "memory =" not in body or not ("cpu =" in body or "cores =" in body)
    assert [d.code for d in ctx.sink] == ["nomad-default"] * defaulted


def test_cpu_limit_setting_copies_request() -> None:
    ctx = make_ctx(cpu_limit=True)
    assert resources(res_task("cpu = 500\nmemory = 64\n"), ctx) == (
        {"cpu": "500m", "memory": "64Mi"},
        {"cpu": "500m", "memory": "64Mi"},
    )


def test_nvidia_runtime_is_one_gpu_limit() -> None:
    task = task_of('      config {\n        runtime = "nvidia"\n      }\n')
    assert resources(task, make_ctx())[1]["nvidia.com/gpu"] == 1


def test_no_resources_block_gets_nomads_default_resources_with_an_info() -> None:
    ctx = make_ctx()
    assert resources(with_image("a:1"), ctx) == (
        {"cpu": "100m", "memory": "300Mi"},
        {"memory": "300Mi"},
    )
    [info] = list(ctx.sink)
    assert (info.severity.value, info.code, info.line) == ("info", "nomad-default", TASK_LINE)
    assert "Nomad gives it 100 MHz and 300 MB" in info.message


def test_unknown_device_is_unsupported() -> None:
    ctx = make_ctx()
    task = res_task('cpu = 100\nmemory = 64\ndevice "intel/fpga" {\n}\n')
    assert resources(task, ctx) == ({"cpu": "100m", "memory": "64Mi"}, {"memory": "64Mi"})
    assert diagnostics(ctx) == [("unsupported", 7, "task[t].resources.device")]


# --- security context -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "uid", "gid"),
    [("101:101", 101, 101), ("1000", 1000, None), ("0:10", 0, 10)],
)
def test_numeric_user(user: str, uid: int, gid: int | None) -> None:
    ctx = make_ctx()
    context = security_context(task_of(f'      user = "{user}"\n'), ctx)
    assert context == SecurityContext(run_as_user=uid, run_as_group=gid)
    assert len(ctx.sink) == 0


@pytest.mark.parametrize("user", ["www-data", "101:staff", "nobody:nogroup"])
def test_non_numeric_user_needs_decision(user: str) -> None:
    ctx = make_ctx()
    assert security_context(task_of(f'      user = "{user}"\n'), ctx) is None
    assert diagnostics(ctx) == [("needs-decision", TASK_LINE, "task[t].user")]


def test_privileged_and_capabilities() -> None:
    task = task_of(
        '      config {\n        privileged = true\n        cap_add = ["NET_ADMIN"]\n      }\n'
    )
    assert security_context(task, make_ctx()) == SecurityContext(
        privileged=True, add_capabilities=["NET_ADMIN"]
    )


def test_capabilities_take_the_runtime_s_form_as_nomad_s_docker_driver_accepts_any() -> None:
    task = config_task(
        '        cap_add = ["net_admin", "CAP_SYS_TIME", " setfcap "]\n'
        '        cap_drop = ["all", "cap_net_raw"]\n'
    )
    assert security_context(task, make_ctx()) == SecurityContext(
        add_capabilities=["NET_ADMIN", "SYS_TIME", "SETFCAP"],
        drop_capabilities=["ALL", "NET_RAW"],
    )


def test_no_security_context_by_default() -> None:
    assert security_context(with_image("a:1"), make_ctx()) is None


# --- probes -----------------------------------------------------------------------------

PORT_NAMES = {"http": "http", "8080": "http", "grpc": "grpc", "9090": "grpc"}
PATH = "service[web].check[0]"


def check(**fields: object) -> Check:
    return Check.model_validate({"line": 12, **fields})


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"type": "http", "path": "/health", "interval_seconds": 10, "timeout_seconds": 2},
            Probe(
                kind="http_get", port="http", path="/health", period_seconds=10, timeout_seconds=2
            ),
        ),
        (
            {"type": "http", "port": "8080", "headers": {"X-A": ["1", "2"]}},
            Probe(kind="http_get", port="http", path="/", http_headers={"X-A": "1, 2"}),
        ),
        (
            {"type": "tcp", "interval_seconds": 30, "timeout_seconds": 5},
            Probe(kind="tcp_socket", port="http", period_seconds=30, timeout_seconds=5),
        ),
        (
            {"type": "script", "command": "/bin/check", "args": ("-q",), "interval_seconds": 60},
            Probe(kind="exec", command=["/bin/check", "-q"], period_seconds=60),
        ),
        (
            {"type": "grpc", "port": "grpc", "grpc_service": "health.v1"},
            Probe(kind="grpc", port=9090, grpc_service="health.v1"),
        ),
    ],
    ids=["http", "http-headers", "tcp", "script", "grpc"],
)
def test_check_types_become_probes(fields: dict[str, object], expected: Probe) -> None:
    ctx = make_ctx()
    assert probe_for(check(**fields), PORT_NAMES, "http", ctx, PATH) == expected
    assert len(ctx.sink) == 0


@pytest.mark.parametrize("fields", [{"type": "https"}, {"type": "http", "protocol": "https"}])
def test_https_checks_probe_with_the_https_scheme(fields: dict) -> None:
    ctx = make_ctx()
    probe = probe_for(check(path="/", **fields), PORT_NAMES, "http", ctx, PATH)
    assert probe == Probe(kind="http_get", port="http", path="/", scheme="HTTPS")
    assert diagnostics(ctx) == []


def test_check_restart_shapes_only_the_liveness_probe() -> None:
    task = task_of(
        '      config {\n        image = "a:1"\n      }\n'
        "      service {\n        port = 8080\n        check_restart {\n          limit = 3\n"
        '          grace = "90s"\n        }\n        check {\n          type = "tcp"\n'
        '          interval = "10s"\n        }\n      }\n'
    )
    checks = task.services[0].checks
    assert (checks[0].restart_limit, checks[0].restart_grace_seconds) == (3, 90)
    probe = probe_for(checks[0], {}, 8080, make_ctx(), PATH)
    container = build_container(task, "a:1", facts(), [], [], probe, [], make_ctx())
    assert container.liveness_probe == Probe(
        kind="tcp_socket",
        port=8080,
        period_seconds=10,
        failure_threshold=3,
        initial_delay_seconds=90,
    )
    assert container.readiness_probe == Probe(kind="tcp_socket", port=8080, period_seconds=10)


def test_unknown_check_type_is_unsupported() -> None:
    ctx = make_ctx()
    assert probe_for(check(type="docker"), PORT_NAMES, "http", ctx, PATH) is None
    assert [(d.severity.value, d.code, d.line, d.path) for d in ctx.sink] == [
        ("warning", "unsupported", 12, PATH)
    ]
    assert next(iter(ctx.sink)).message == "check type 'docker' has no probe equivalent"


def test_script_check_without_command_needs_decision() -> None:
    ctx = make_ctx()
    assert probe_for(check(type="script"), PORT_NAMES, "http", ctx, PATH) is None
    assert diagnostics(ctx) == [("needs-decision", 12, PATH)]


def test_check_without_port_needs_decision() -> None:
    ctx = make_ctx()
    assert probe_for(check(type="tcp"), {}, None, ctx, PATH) is None
    assert diagnostics(ctx) == [("needs-decision", 12, PATH)]
    assert next(iter(ctx.sink)).message == "tcp check has no port to probe"


# --- whole container --------------------------------------------------------------------


def test_build_container_puts_downward_env_first() -> None:
    task = task_of(
        '      user = "10:20"\n'
        "      config {\n"
        '        image = "a:1"\n'
        '        args  = ["--addr", "${NOMAD_ADDR_http}"]\n'
        "      }\n"
        "      env {\n"
        '        IP = "${NOMAD_IP_http}"\n'
        "      }\n"
        "      resources {\n"
        "        cpu    = 100\n"
        "        memory = 64\n"
        "      }\n"
    )
    ctx = make_ctx()
    container = build_container(
        task,
        image_with_tag_variable("a", "image_tag"),
        facts(),
        [],
        [],
        None,
        [EnvVar("EXTRA", "1")],
        ctx,
    )
    assert container.name == "t"
    assert container.args == ["--addr", "$(POD_IP):8080"]
    assert container.env == [
        EnvVar(name="POD_IP", field_path="status.podIP"),
        EnvVar("IP", "$(POD_IP)"),
        EnvVar("EXTRA", "1"),
    ]
    assert (container.requests, container.limits) == (
        {"cpu": "100m", "memory": "64Mi"},
        {"memory": "64Mi"},
    )
    assert container.security_context == SecurityContext(run_as_user=10, run_as_group=20)
    assert len(ctx.sink) == 0


def test_container_name_is_a_dns_label() -> None:
    text = 'job "x" {\n  group "g" {\n    task "api.v2" {\n    }\n  }\n}\n'
    task = build_job(parse_hcl(text, FILE)).groups[0].tasks[0]
    container = build_container(task, "a:1", facts(), [], [], None, [], make_ctx())
    assert container.name == "api-v2"


# --- docker hardening options ------------------------------------------------------------


def config_task(lines: str) -> Task:
    return task_of('      config {\n        image = "a:1"\n' + lines + "      }\n")


def test_cap_drop_readonly_rootfs_and_no_new_privileges() -> None:
    task = config_task(
        '        cap_drop = ["ALL"]\n        readonly_rootfs = true\n'
        '        security_opt = ["no-new-privileges:true", "seccomp=unconfined"]\n'
    )
    ctx = make_ctx()
    assert security_context(task, ctx) == SecurityContext(
        drop_capabilities=["ALL"],
        read_only_root_filesystem=True,
        allow_privilege_escalation=False,
        seccomp_profile="Unconfined",
    )
    assert diagnostics(ctx) == []


def test_security_opt_without_an_equivalent_is_unsupported_at_its_line() -> None:
    ctx = make_ctx()
    task = config_task('        security_opt = ["apparmor=unconfined"]\n')
    assert security_context(task, ctx) is None
    assert diagnostics(ctx) == [("unsupported", 6, "task[t].config.security_opt")]


def test_interactive_and_tty_become_stdin_and_tty() -> None:
    task = config_task("        interactive = true\n        tty = true\n")
    container = build_container(task, "a:1", facts(), [], [], None, [], make_ctx())
    assert (container.stdin, container.tty) == (True, True)


# --- ${VAR} of the task's own env → Kubernetes $(VAR) ------------------------------------


def test_args_read_any_env_var_of_the_task_as_kubernetes_expansions() -> None:
    task = task_of(
        '      config {\n        image = "a:1"\n'
        '        args = ["-h", "${DB_HOST}:${DB_PORT}", "${NOWHERE}"]\n      }\n'
        '      env {\n        DB_HOST = "db"\n      }\n'
    )
    ctx = make_ctx()
    f = replace(facts(), env_names=frozenset({"DB_HOST", "DB_PORT"}))
    _, args = command_and_args(task, f, ctx, [])
    assert args == ["-h", "$(DB_HOST):$(DB_PORT)", "${NOWHERE}"]
    assert [(code, path) for code, _, path in diagnostics(ctx)] == [
        ("needs-decision", "task[t].config.args")
    ]


def test_an_env_value_reads_only_env_vars_defined_before_it() -> None:
    task = task_of(
        '      env {\n        A = "a"\n        B = "${A}/b"\n        C = "${D}"\n'
        '        D = "d"\n        E = "${E}"\n      }\n'
    )
    ctx = make_ctx()
    f = replace(facts(), env_names=frozenset({"A", "B", "C", "D", "E"}))
    plain, _ = env_vars(task, f, ctx)
    assert {e.name: e.value for e in plain} == {
        "A": "a",
        "B": "$(A)/b",
        "C": "${D}",
        "D": "d",
        "E": "${E}",
    }
    assert [line for _, line, _ in diagnostics(ctx)] == [7, 9]


def test_force_pull_always_pulls_the_image() -> None:
    task = config_task("        force_pull = true\n")
    container = build_container(task, "a:1", facts(), [], [], None, [], make_ctx())
    assert container.image_pull_policy == "Always"
    plain = build_container(with_image("a:1"), "a:1", facts(), [], [], None, [], make_ctx())
    assert plain.image_pull_policy is None


def test_check_restart_merges_field_by_field_the_check_winning() -> None:
    task = task_of(
        '      config {\n        image = "a:1"\n      }\n'
        "      service {\n        port = 8080\n        check_restart {\n          limit = 5\n"
        '          grace = "10s"\n        }\n        check {\n          type = "tcp"\n'
        '          check_restart {\n            grace = "30s"\n          }\n        }\n      }\n'
    )
    check = task.services[0].checks[0]
    assert (check.restart_limit, check.restart_grace_seconds) == (5, 30)


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("linuxserver/bazarr:v${IMAGE_TAG}", '"linuxserver/bazarr:v${var.image_tag}"'),
        (
            "registry.lan:5000/team/app:${TAG}-alpine",
            '"registry.lan:5000/team/app:${var.image_tag}-alpine"',
        ),
    ],
)
def test_a_tag_known_only_at_run_time_becomes_a_variable_without_default(
    image: str, expected: str
) -> None:
    images, ctx = ImageVariables(), make_ctx()
    assert hcl_value(container_image(with_image(image), images, ctx)) == expected
    assert images.without_default == {"image_tag"}
    assert [d.code for d in ctx.sink] == ["needs-decision"]


def test_an_interpolated_repository_is_still_set_by_hand() -> None:
    images, ctx = ImageVariables(), make_ctx()
    assert container_image(with_image("${REGISTRY}/app:1"), images, ctx) == "${REGISTRY}/app:1"
    assert images.by_repository == {}


def test_a_run_time_tag_does_not_take_over_a_literal_tag_of_the_same_repository() -> None:
    images, ctx = ImageVariables(), make_ctx()
    container_image(with_image("nginx:1.25"), images, ctx)
    image = container_image(with_image("nginx:v${TAG}-alpine"), images, ctx)
    assert hcl_value(image) == '"nginx:v${var.nginx_tag_set_at_run_time_image_tag}-alpine"'
    assert images.by_repository["nginx"] == ("image_tag", "1.25")
    assert images.without_default == {"nginx_tag_set_at_run_time_image_tag"}


def test_a_check_without_check_restart_gives_readiness_only() -> None:
    task = task_of(
        '      config {\n        image = "a:1"\n      }\n'
        '      service {\n        port = 8080\n        check {\n          type = "tcp"\n'
        '          interval = "10s"\n        }\n      }\n'
    )
    probe = probe_for(task.services[0].checks[0], {}, 8080, make_ctx(), PATH)
    container = build_container(task, "a:1", facts(), [], [], probe, [], make_ctx())
    assert container.liveness_probe is None
    assert container.readiness_probe == Probe(kind="tcp_socket", port=8080, period_seconds=10)
    always = build_container(
        task, "a:1", facts(), [], [], probe, [], make_ctx(liveness_always=True)
    )
    assert always.liveness_probe == Probe(kind="tcp_socket", port=8080, period_seconds=10)

"""Placement: constraints → node selectors and affinity; docker network_mode → host network."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.diagnostics import DiagnosticSink
from generator.hcl import parse_hcl
from generator.k8s_plan import Container, MatchExpression, PodSpec, PodVolume
from generator.model import Constraint, Group
from generator.model_builder import build_job
from generator.pipeline import generate
from generator.plan_values import LOCAL_APP_NAME, Ref
from generator.service_spec import ServiceSpec
from generator.settings import Settings
from generator.translate.constraints import place_by_constraints
from generator.translate.context import Context
from generator.translate.placement import placement

FILE = "x.nomad.hcl"
SELECTOR: dict[str, str | Ref] = {"app": LOCAL_APP_NAME}
DEFAULT_ARCH = MatchExpression("kubernetes.io/arch", "In", ["amd64", "arm64"])


def constraints_of(body: str) -> tuple[Constraint, ...]:
    return build_job(parse_hcl(f'job "x" {{\n{body}  group "g" {{}}\n}}\n', FILE)).constraints


def placed(body: str, **settings: object) -> tuple[PodSpec, list[tuple[str, int | None]]]:
    ctx = Context(
        settings=Settings.model_validate(settings), sink=DiagnosticSink(), file=FILE, job_name="x"
    )
    pod = PodSpec(containers=[])
    place_by_constraints(constraints_of(body), (), pod, SELECTOR, ctx, "group[g].constraint")
    return pod, [(d.code, d.line) for d in ctx.sink]


def constraint(attribute: str, value: str, operator: str = "") -> str:
    op = f'    operator = "{operator}"\n' if operator else ""
    return f'  constraint {{\n    attribute = "{attribute}"\n{op}    value = "{value}"\n  }}\n'


@pytest.mark.parametrize(
    ("attribute", "label"),
    [
        ("${node.unique.name}", "kubernetes.io/hostname"),
        ("${attr.unique.hostname}", "kubernetes.io/hostname"),
        ("${attr.kernel.name}", "kubernetes.io/os"),
        ("${attr.cpu.arch}", "kubernetes.io/arch"),
    ],
)
def test_node_attributes_with_a_well_known_label_become_node_selectors(
    attribute: str, label: str
) -> None:
    pod, found = placed(constraint(attribute, "v"))
    assert pod.node_selector == {label: "v"}
    assert found == []


@pytest.mark.parametrize("attribute", ["${node.unique.name}", "${attr.unique.hostname}"])
def test_node_names_become_lower_case_hostname_labels_and_say_so(attribute: str) -> None:
    body = constraint(attribute, "Hestia") + constraint(attribute, "Node-B", "!=")
    pod, found = placed(body)
    assert pod.node_selector == {"kubernetes.io/hostname": "hestia"}
    assert MatchExpression("kubernetes.io/hostname", "NotIn", ["node-b"]) in pod.node_affinity
    assert found == [("needs-decision", 2), ("needs-decision", 6)]


def test_without_an_arch_constraint_the_default_arch_affinity_applies() -> None:
    pod, _ = placed(constraint("${attr.unique.hostname}", "n1"))
    assert pod.node_affinity == [DEFAULT_ARCH]
    pod, _ = placed(constraint("${attr.cpu.arch}", "arm64"))
    assert pod.node_affinity == []
    pod, _ = placed("", arch_affinity=None)
    assert pod.node_affinity == []


def test_not_equal_constraints_collect_into_one_not_in_expression() -> None:
    body = constraint("${node.unique.name}", "a", "!=") + constraint(
        "${attr.unique.hostname}", "b", "!="
    )
    pod, found = placed(body)
    assert MatchExpression("kubernetes.io/hostname", "NotIn", ["a", "b"]) in pod.node_affinity
    assert found == []


def test_client_meta_becomes_a_node_label_the_nodes_must_be_given() -> None:
    body = constraint("${meta.has_zwave}", "true") + constraint("${meta.rack}", "r1", "!=")
    pod, found = placed(body)
    assert pod.node_selector == {"has_zwave": "true"}
    assert MatchExpression("rack", "NotIn", ["r1"]) in pod.node_affinity
    assert found == [("needs-decision", 2), ("needs-decision", 6)]


def test_presence_operators_become_exists_and_does_not_exist() -> None:
    body = (
        '  constraint {\n    attribute = "${meta.gpu}"\n    operator = "is_set"\n  }\n'
        '  constraint {\n    attribute = "${meta.spot}"\n    operator = "is_not_set"\n  }\n'
    )
    pod, _ = placed(body)
    assert MatchExpression("gpu", "Exists", []) in pod.node_affinity
    assert MatchExpression("spot", "DoesNotExist", []) in pod.node_affinity


def test_distinct_hosts_keeps_the_workload_pods_on_separate_nodes() -> None:
    pod, found = placed("  constraint {\n    distinct_hosts = true\n  }\n")
    assert pod.host_anti_affinity == SELECTOR
    assert found == []
    pod, _ = placed("  constraint {\n    distinct_hosts = false\n  }\n")
    assert pod.host_anti_affinity is None


@pytest.mark.parametrize(
    "body",
    [
        constraint("${meta.node_roles}", "web,db", "set_contains_any"),
        constraint("${attr.unique.hostname}", "node-.*", "regexp"),
        constraint("${node.class}", "storage"),
        constraint("${attr.consul.version}", ">= 1.8", "semver"),
        '  constraint {\n    distinct_property = "${meta.rack}"\n  }\n',
    ],
)
def test_constraints_without_a_label_mapping_are_unsupported_at_their_line(body: str) -> None:
    pod, found = placed(body)
    assert found == [("unsupported", 2)]
    assert pod.node_selector == {}
    assert pod.node_affinity == [DEFAULT_ARCH]


def test_run_time_values_and_contradictions_are_reported() -> None:
    body = (
        constraint("${attr.cpu.arch}", "${meta.arch}")
        + constraint("${node.unique.name}", "n1")
        + constraint("${attr.unique.hostname}", "n2")
    )
    pod, found = placed(body)
    assert pod.node_selector == {"kubernetes.io/hostname": "n1"}
    assert found == [("unsupported", 2), ("needs-decision", 10)]


def test_distinct_hosts_of_a_group_keeps_its_component_and_of_a_job_spans_the_module() -> None:
    selector: dict[str, str | Ref] = {"app": LOCAL_APP_NAME, "component": "db"}
    group_level = (
        build_job(
            parse_hcl(
                'job "x" {\n  group "g" {\n    constraint {\n      distinct_hosts = true\n    }\n'
                "  }\n}\n",
                FILE,
            )
        )
        .groups[0]
        .constraints
    )
    ctx = Context(settings=Settings(), sink=DiagnosticSink(), file=FILE, job_name="x")
    pod = PodSpec(containers=[])
    place_by_constraints((), group_level, pod, selector, ctx, "group[g].constraint")
    assert pod.host_anti_affinity == selector
    pod = PodSpec(containers=[])
    place_by_constraints(group_level, (), pod, selector, ctx, "group[g].constraint")
    assert pod.host_anti_affinity == {"app": LOCAL_APP_NAME}


# --- docker network_mode (placement) -------------------------------------------------------


def group_with_tasks(*modes: str | None) -> Group:
    tasks = "".join(
        f'    task "t{i}" {{\n      driver = "docker"\n      config {{\n        image = "x:1"\n'
        + (f'        network_mode = "{mode}"\n' if mode else "")
        + "      }\n    }\n"
        for i, mode in enumerate(modes)
    )
    return build_job(parse_hcl(f'job "x" {{\n  group "g" {{\n{tasks}  }}\n}}\n', FILE)).groups[0]


def network_placed(*modes: str | None) -> tuple[PodSpec, list[tuple[str, int | None]]]:
    group = group_with_tasks(*modes)
    job = build_job(parse_hcl('job "x" {\n  group "g" {}\n}\n', FILE))
    ctx = Context(settings=Settings(), sink=DiagnosticSink(), file=FILE, job_name="x")
    pod = PodSpec(containers=[])
    placement(job, group, pod, SELECTOR, ctx)
    return pod, [(d.code, d.line) for d in ctx.sink]


def test_host_network_mode_puts_the_pod_on_the_node_network() -> None:
    pod, found = network_placed("host")
    assert (pod.host_network, pod.dns_policy) == (True, "ClusterFirstWithHostNet")
    assert found == []


def test_a_sibling_without_host_networking_is_flagged() -> None:
    pod, found = network_placed("host", None)
    assert pod.host_network
    assert found == [("needs-decision", 7)]


@pytest.mark.parametrize(
    ("mode", "code"), [("bridge", None), ("container:t0", "dropped"), ("macvlan", "unsupported")]
)
def test_other_network_modes(mode: str, code: str | None) -> None:
    pod, found = network_placed(mode)
    assert not pod.host_network
    assert found == ([(code, 7)] if code else [])


# --- docker options that are pod settings ------------------------------------------------


def options_placed(*configs: str) -> tuple[PodSpec, list[tuple[str, int | None]]]:
    tasks = "".join(
        f'    task "t{i}" {{\n      driver = "docker"\n      config {{\n        image = "x:1"\n'
        f"{config}      }}\n    }}\n"
        for i, config in enumerate(configs)
    )
    job = build_job(parse_hcl(f'job "x" {{\n  group "g" {{\n{tasks}  }}\n}}\n', FILE))
    ctx = Context(settings=Settings(), sink=DiagnosticSink(), file=FILE, job_name="x")
    pod = PodSpec(containers=[])
    placement(job, job.groups[0], pod, SELECTOR, ctx)
    return pod, [(d.code, d.line) for d in ctx.sink]


def test_host_pid_and_ipc() -> None:
    pod, found = options_placed('        pid_mode = "host"\n        ipc_mode = "host"\n')
    assert (pod.host_pid, pod.host_ipc) == (True, True)
    assert found == []
    pod, found = options_placed('        ipc_mode = "container:other"\n')
    assert not pod.host_ipc
    assert found == [("unsupported", 7)]


def test_extra_hosts_become_host_aliases_grouped_by_address() -> None:
    pod, found = options_placed(
        '        extra_hosts = ["a.lan:10.0.0.1", "b.lan:10.0.0.1", "broken"]\n',
        '        extra_hosts = ["c.lan:10.0.0.2", "a.lan:10.0.0.1"]\n',
    )
    assert pod.host_aliases == {"10.0.0.1": ["a.lan", "b.lan"], "10.0.0.2": ["c.lan"]}
    assert found == [("needs-decision", 7)]


def test_hostname_group_add_and_sysctl() -> None:
    pod, found = options_placed(
        '        hostname = "Media Box"\n        group_add = ["44", "video"]\n'
        '        sysctl = { "net.core.somaxconn" = "1024" }\n',
        '        hostname = "other"\n        group_add = ["44", "109"]\n',
    )
    assert pod.hostname == "media-box"
    assert pod.supplemental_groups == [44, 109]
    assert pod.sysctls == {"net.core.somaxconn": "1024"}
    # The hostname changed (7), "video" is a name (8), somaxconn is not a safe sysctl (9),
    # the second task asks for another hostname (16).
    assert found == [
        ("needs-decision", 7),
        ("needs-decision", 8),
        ("needs-decision", 9),
        ("needs-decision", 16),
    ]


def test_extra_hosts_need_literal_addresses() -> None:
    pod, found = options_placed(
        '        extra_hosts = ["gw:host-gateway", "t:${NOMAD_HOST_IP_x}", "v6:2001:db8::1"]\n'
    )
    assert pod.host_aliases == {"2001:db8::1": ["v6"]}
    assert found == [("needs-decision", 7), ("needs-decision", 7)]


@pytest.mark.parametrize(
    ("hostname", "expected", "reported"),
    [
        ("media", "media", False),
        ("mumble.example.org", "mumble", True),
        ("${NOMAD_TASK_NAME}-${NOMAD_ALLOC_INDEX}", None, True),
    ],
)
def test_hostname_is_one_dns_label(hostname: str, expected: str | None, reported: bool) -> None:
    pod, found = options_placed(f'        hostname = "{hostname}"\n')
    assert pod.hostname == expected
    assert bool(found) == reported


def test_safe_sysctls_pass_and_conflicting_values_are_reported() -> None:
    pod, found = options_placed(
        '        sysctl = { "net.ipv4.ip_unprivileged_port_start" = "0" }\n',
        '        sysctl = { "net.ipv4.ip_unprivileged_port_start" = "80" }\n',
    )
    assert pod.sysctls == {"net.ipv4.ip_unprivileged_port_start": "0"}
    assert found == [("needs-decision", 14)]


# --- shutdown_delay → preStop sleep, inside the grace period -----------------------------


def generated_main(tmp_path: Path, group_extra: str, task_extra: str) -> str:
    text = (
        f'job "x" {{\n  group "g" {{\n{group_extra}    task "t" {{\n      driver = "docker"\n'
        f'      config {{\n        image = "x:1"\n      }}\n{task_extra}    }}\n  }}\n}}\n'
    )
    jobspec = tmp_path / "x.nomad.hcl"
    jobspec.write_text(text)
    generation = generate("x", jobspec, Settings(), ServiceSpec())
    assert [d.code for d in generation.diagnostics if d.code == "needs-decision"] == (
        ["needs-decision"] if "shutdown_delay" in group_extra + task_extra else []
    )
    return generation.files["main.tf"]


@pytest.mark.parametrize(
    ("group_extra", "task_extra", "sleep", "grace"),
    [
        ('    shutdown_delay = "10s"\n', "", 10, None),  # 10 + Nomad's 5s fit in 30s
        ("", '      shutdown_delay = "40s"\n', 40, 45),
        ('    shutdown_delay = "10s"\n', '      kill_timeout = "60s"\n', 10, 70),
        ("", '      kill_timeout = "60s"\n', None, 60),
    ],
)
def test_shutdown_delay_is_a_pre_stop_sleep_within_the_grace_period(
    tmp_path: Path, group_extra: str, task_extra: str, sleep: int | None, grace: int | None
) -> None:
    main = generated_main(tmp_path, group_extra, task_extra)
    assert (f'command = ["sleep", "{sleep}"]' in main) == (sleep is not None)
    if grace is None:
        assert "termination_grace_period_seconds" not in main
    else:
        assert f"termination_grace_period_seconds = {grace}\n" in main


@pytest.mark.parametrize(
    ("task_extra", "script", "grace"),
    [
        (
            '      kill_signal  = "SIGINT"\n      kill_timeout = "30s"\n',
            "kill -s INT 1; while kill -0 1 2>/dev/null; do sleep 1; done",
            30,
        ),
        (
            '      kill_signal    = "sigquit"\n      shutdown_delay = "5s"\n',
            "sleep 5; kill -s QUIT 1; while kill -0 1 2>/dev/null; do sleep 1; done",
            None,  # 5 + Nomad's 5s fit in 30s
        ),
    ],
)
def test_kill_signal_is_sent_by_a_pre_stop_hook_that_waits_for_the_exit(
    tmp_path: Path, task_extra: str, script: str, grace: int | None
) -> None:
    main, findings = generated_main_with(tmp_path, task_extra)
    hook = main[main.index("pre_stop {") : main.index("pre_stop {") + 300]
    assert re.search(rf'"/bin/sh",\s+"-c",\s+"{re.escape(script)}"', hook)
    assert ("termination_grace_period_seconds" in main) == (grace is not None)
    assert findings == [("needs-decision", "task[t].kill_signal", 8)]


@pytest.mark.parametrize(("signal", "finding"), [("SIGTERM", None), ("SIGKILL", "unsupported")])
def test_the_kubelet_s_own_signal_needs_no_hook_and_a_non_stop_signal_is_reported(
    tmp_path: Path, signal: str, finding: str | None
) -> None:
    main, findings = generated_main_with(tmp_path, f'      kill_signal = "{signal}"\n')
    assert "pre_stop" not in main
    assert findings == ([(finding, "task[t].kill_signal", 8)] if finding else [])


def generated_main_with(
    tmp_path: Path, task_extra: str
) -> tuple[str, list[tuple[str, str | None, int | None]]]:
    """main.tf of a one-task job, and its findings other than Nomad's resource defaults."""
    jobspec = tmp_path / "x.nomad.hcl"
    jobspec.write_text(
        'job "x" {\n  group "g" {\n    task "t" {\n      driver = "docker"\n'
        f'      config {{\n        image = "x:1"\n      }}\n{task_extra}    }}\n  }}\n}}\n'
    )
    generation = generate("x", jobspec, Settings(), ServiceSpec())
    findings = [
        (d.code, d.path, d.line) for d in generation.diagnostics if d.code != "nomad-default"
    ]
    return generation.files["main.tf"], findings


# --- small one-to-one settings: suspend, mount propagation ----------------------------------


def module_of(tmp_path: Path, text: str) -> tuple[str, list[str]]:
    jobspec = tmp_path / "x.nomad.hcl"
    jobspec.write_text(text)
    generation = generate("x", jobspec, Settings(), ServiceSpec())
    return generation.files["main.tf"], [d.message for d in generation.diagnostics]


def test_a_disabled_periodic_job_is_a_suspended_cron_job(tmp_path: Path) -> None:
    main, _ = module_of(
        tmp_path,
        'job "x" {\n  type = "batch"\n  periodic {\n    crons = ["@daily"]\n    enabled = false\n'
        '  }\n  group "g" {\n    task "t" {\n      driver = "docker"\n'
        '      config {\n        image = "x:1"\n      }\n    }\n  }\n}\n',
    )
    assert re.search(r"\n\s+suspend\s+= true\n", main)


@pytest.mark.parametrize(
    ("mode", "propagation", "decision"),
    [
        ("host-to-task", "HostToContainer", False),
        ("bidirectional", "Bidirectional", True),
        ("private", None, False),
    ],
)
def test_volume_mount_propagation(
    tmp_path: Path, mode: str, propagation: str | None, decision: bool
) -> None:
    main, messages = module_of(
        tmp_path,
        'job "x" {\n  group "g" {\n    volume "v" {\n      type = "host"\n      source = "v"\n'
        '      read_only = true\n    }\n    task "t" {\n      driver = "docker"\n'
        '      config {\n        image = "x:1"\n      }\n      volume_mount {\n'
        f'        volume = "v"\n        destination = "/v"\n        propagation_mode = "{mode}"\n'
        "      }\n    }\n  }\n}\n",
    )
    assert (f'mount_propagation = "{propagation}"' in main) == (propagation is not None)
    assert any("needs a privileged container" in m for m in messages) == decision


def test_slash_sysctl_names_are_the_dotted_ones() -> None:
    pod, found = options_placed('        sysctl = { "net/ipv4/tcp_syncookies" = "1" }\n')
    assert pod.sysctls == {"net.ipv4.tcp_syncookies": "1"}
    assert found == []


# --- hostPath data and the node that holds it -------------------------------------------


def data_placed(
    body: str, paths: list[str], job_type: str = "service", **settings: object
) -> tuple[PodSpec, list[tuple[str, str, int | None]]]:
    text = f'job "x" {{\n  type = "{job_type}"\n  group "g" {{\n{body}  }}\n}}\n'
    job = build_job(parse_hcl(text, FILE))
    ctx = Context(
        settings=Settings.model_validate(settings), sink=DiagnosticSink(), file=FILE, job_name="x"
    )
    volumes = [PodVolume(name=f"v{i}", kind="host_path", path=p) for i, p in enumerate(paths)]
    pod = PodSpec(containers=[], volumes=volumes)
    placement(job, job.groups[0], pod, SELECTOR, ctx)
    return pod, [(d.code, d.severity.value, d.line) for d in ctx.sink]


def test_host_path_data_nothing_pins_is_a_warning() -> None:
    pod, found = data_placed("", ["/srv/app", "/etc/localtime", "/var/run/docker.sock"])
    assert "kubernetes.io/hostname" not in pod.node_selector
    assert found == [("needs-decision", "warning", 3)]


def test_a_node_constraint_keeps_the_data_and_the_pod_together() -> None:
    pin = '    constraint {\n      attribute = "${node.unique.name}"\n      value = "nas"\n    }\n'
    pod, found = data_placed(pin, ["/srv/app"])
    assert pod.node_selector["kubernetes.io/hostname"] == "nas"
    assert found == []


def test_a_node_constraint_that_contradicts_the_data_nodes_setting_is_reported() -> None:
    pin = '    constraint {\n      attribute = "${node.unique.name}"\n      value = "nas"\n    }\n'
    pod, found = data_placed(pin, ["/srv/app"], data_nodes={"/srv": "other"})
    assert pod.node_selector["kubernetes.io/hostname"] == "nas"
    assert found == [("needs-decision", "warning", 3)]


def test_the_settings_name_the_node_that_holds_the_data() -> None:
    pod, found = data_placed("", ["/srv/app/db", "/storage/v/x"], data_nodes={"/srv": "NAS"})
    assert pod.node_selector["kubernetes.io/hostname"] == "nas"
    # /storage/v/x has no node: assumed on the same one, and said.
    assert found == [("needs-decision", "warning", 3)]
    pod, found = data_placed("", ["/srv/app/db"], data_nodes={"/srv": "NAS"})
    assert pod.node_selector["kubernetes.io/hostname"] == "nas"
    assert found == []


def test_data_the_settings_place_on_two_nodes_pins_nothing() -> None:
    pod, found = data_placed("", ["/srv/a", "/mnt/b"], data_nodes={"/srv": "one", "/mnt/b": "two"})
    assert "kubernetes.io/hostname" not in pod.node_selector
    assert found == [("needs-decision", "warning", 3)]


def test_shared_host_paths_and_system_paths_hold_no_node_data() -> None:
    _, found = data_placed(
        "", ["/storage/v/x", "/dev/dri", "/", "/proc"], shared_host_paths=["/storage/v"]
    )
    assert found == []


def test_a_system_job_keeps_each_node_data_on_its_node() -> None:
    _, found = data_placed("", ["/srv/app"], job_type="system")
    assert found == []


# --- ephemeral_disk -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("disk", "codes"),
    [
        ("size = 500", []),
        ("size = 500\n      sticky = true", ["needs-decision"]),
        ("size = 500\n      migrate = true", ["needs-decision"]),
    ],
)
def test_ephemeral_disk_size_is_a_request_and_sticky_data_loss_a_warning(
    disk: str, codes: list[str]
) -> None:
    body = f"    ephemeral_disk {{\n      {disk}\n    }}\n"
    job = build_job(parse_hcl(f'job "x" {{\n  group "g" {{\n{body}  }}\n}}\n', FILE))
    ctx = Context(settings=Settings(), sink=DiagnosticSink(), file=FILE, job_name="x")
    pod = PodSpec(containers=[Container(name="a", image="a"), Container(name="b", image="b")])
    placement(job, job.groups[0], pod, SELECTOR, ctx)
    assert [c.requests for c in pod.containers] == [{"ephemeral-storage": "500Mi"}, {}]
    assert [(d.code, d.severity.value, d.line) for d in ctx.sink] == [
        (code, "warning", 3) for code in codes
    ]

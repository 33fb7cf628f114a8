"""Which container declares each port, and what probes and Services name: what a real
cluster needs (a probe's named port resolves in its own container, a Service targets a port
some container declares, one port number is declared once in a pod)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from generator.classify import classify
from generator.diagnostics import DiagnosticSink, InputError
from generator.hcl import parse_hcl
from generator.hcl.evaluate import evaluate_jobspec
from generator.k8s_plan import Container, ModulePlan
from generator.model_builder import build_job
from generator.service_spec import ServiceSpec
from generator.settings import ServiceMapping, Settings
from generator.translate.context import Context
from generator.translate.module import translate_job

FILE = "x.nomad.hcl"


def plan_of(
    text: str, settings: Settings | None = None, variables: dict[str, str] | None = None
) -> tuple[ModulePlan, Context]:
    evaluation = evaluate_jobspec(parse_hcl(text, FILE), variables or {}, [], base_dir=Path("."))
    job = build_job(evaluation.root)
    ctx = Context(settings=settings or Settings(), sink=DiagnosticSink(), file=FILE, job_name="x")
    plan = translate_job(job, classify(job, None), ServiceSpec(), "app", None, ctx)
    return plan, ctx


def containers(plan: ModulePlan) -> dict[str, Container]:
    pod = plan.workloads[0].pod
    return {c.name: c for c in pod.containers + pod.init_containers}


def declared(container: Container) -> dict[str, int]:
    return {p.name: p.container_port for p in container.ports}


SIDECAR_FIRST = """
job "x" {
  group "g" {
    network {
      mode = "bridge"
      port "web" { to = 5055 }
      port "metrics" { to = 9102 }
    }
    task "replicate" {
      driver = "docker"
      lifecycle {
        hook    = "poststart"
        sidecar = true
      }
      config { image = "litestream/litestream:0.5" }
    }
    task "app" {
      driver = "docker"
      config { image = "example/app:1" }
    }
    service {
      name = "app"
      port = "5055"
      check {
        type     = "http"
        path     = "/health"
        interval = "30s"
        timeout  = "5s"
      }
    }
  }
}
"""


def test_group_ports_go_to_the_main_task_not_a_sidecar_listed_first() -> None:
    plan, _ = plan_of(SIDECAR_FIRST)
    by_name = containers(plan)
    assert declared(by_name["replicate"]) == {}
    assert declared(by_name["app"]) == {"web": 5055, "metrics": 9102}
    assert by_name["app"].readiness_probe is not None
    assert by_name["app"].readiness_probe.port == "web"
    [service] = [s for s in plan.services if not s.headless]
    assert [p.target_port for p in service.ports] == ["web"]


def test_a_port_read_by_a_sidecar_is_declared_by_that_sidecar() -> None:
    text = SIDECAR_FIRST.replace(
        'config { image = "litestream/litestream:0.5" }',
        'config {\n image = "exporter:1"\n args = ["--listen", ":${NOMAD_PORT_metrics}"]\n }',
    )
    by_name = containers(plan_of(text)[0])
    assert declared(by_name["replicate"]) == {"metrics": 9102}
    assert declared(by_name["app"]) == {"web": 5055}


def test_a_port_the_docker_ports_list_names_belongs_to_that_task() -> None:
    text = SIDECAR_FIRST.replace(
        'config { image = "litestream/litestream:0.5" }',
        'config {\n image = "exporter:1"\n ports = ["metrics"]\n }',
    )
    by_name = containers(plan_of(text)[0])
    assert declared(by_name["replicate"]) == {"metrics": 9102}


def test_one_number_under_two_labels_is_declared_once_and_referenced_by_one_name() -> None:
    text = """
job "x" {
  group "g" {
    network {
      port "api" { to = 11434 }
      port "http" { to = 11434 }
    }
    task "ollama" {
      driver = "docker"
      config { image = "ollama/ollama:1" }
      service {
        name = "ollama"
        port = "http"
        check {
          type     = "http"
          path     = "/"
          interval = "10s"
          timeout  = "2s"
        }
      }
    }
  }
}
"""
    plan, _ = plan_of(text)
    container = containers(plan)["ollama"]
    assert declared(container) == {"api": 11434}
    assert container.readiness_probe is not None and container.readiness_probe.port == "api"
    [service] = [s for s in plan.services if not s.headless]
    assert [p.target_port for p in service.ports] == ["api"]


def test_a_check_on_another_containers_port_probes_the_number() -> None:
    text = """
job "x" {
  group "g" {
    network {
      port "web" { to = 8080 }
      port "metrics" { to = 9100 }
    }
    task "app" {
      driver = "docker"
      config {
        image = "example/app:1"
        ports = ["web"]
      }
    }
    task "exporter" {
      driver = "docker"
      lifecycle {
        hook    = "prestart"
        sidecar = true
      }
      config {
        image = "exporter:1"
        ports = ["metrics"]
      }
      service {
        name = "app"
        port = "metrics"
        check {
          type     = "tcp"
          port     = "web"
          interval = "10s"
          timeout  = "2s"
        }
      }
    }
  }
}
"""
    by_name = containers(plan_of(text)[0])
    assert declared(by_name["exporter"]) == {"metrics": 9100}
    probe = by_name["exporter"].readiness_probe
    assert probe is not None and probe.port == 8080


def test_a_dropped_tasks_port_is_reported_and_no_service_targets_it() -> None:
    text = """
job "x" {
  group "g" {
    network {
      port "web" { to = 8080 }
      port "admin" { to = 9000 }
    }
    task "app" {
      driver = "docker"
      config { image = "example/app:1" }
      service {
        name = "app"
        port = "web"
      }
    }
    task "tool" {
      driver = "raw_exec"
      config { command = "/bin/tool" }
      service {
        name = "tool"
        port = "admin"
      }
    }
  }
}
"""
    plan, ctx = plan_of(text)
    assert declared(containers(plan)["app"]) == {"web": 8080}
    [service] = [s for s in plan.services if not s.headless]
    assert [p.target_port for p in service.ports] == ["web"]
    messages = [d.message for d in ctx.sink if d.code == "unsupported"]
    assert any("port 'admin' belongs to task 'tool'" in m for m in messages)
    assert any("targets port 'admin'" in m for m in messages)


def test_a_template_service_address_alone_stays_a_host_and_with_port_gets_one() -> None:
    text = """
job "x" {
  group "g" {
    task "app" {
      driver = "docker"
      config { image = "example/app:1" }
      template {
        destination = "local/env"
        env         = true
        data        = <<-EOF
        REDIS_HOST={{ range service "redis" }}{{ .Address }}{{ end }}
        REDIS_URL={{ range service "redis" }}{{ .Address }}:{{ .Port }}{{ end }}
        EOF
      }
    }
  }
}
"""
    settings = Settings(services={"redis": ServiceMapping(name="redis", namespace="db", port=6379)})
    plan, _ = plan_of(text, settings)
    env = {e.name: e.value for e in containers(plan)["app"].env}
    assert env["REDIS_HOST"] == "redis.db.svc.cluster.local"
    assert env["REDIS_URL"] == "redis.db.svc.cluster.local:6379"


# --- Nomad's defaults: resources, batch restarts and reschedules -----------------------------

BATCH = """
job "x" {
  type = "batch"
%(periodic)s
  group "g" {
%(policy)s
    task "run" {
      driver = "docker"
      config { image = "example/run:1" }
    }
  }
}
"""


def batch_plan(policy: str = "", periodic: str = "") -> tuple[ModulePlan, Context]:
    return plan_of(BATCH % {"policy": policy, "periodic": periodic})


def test_a_batch_job_without_restart_gets_nomads_restarts_and_reschedule() -> None:
    plan, ctx = batch_plan()
    [workload] = plan.workloads
    assert (workload.pod.restart_policy, workload.backoff_limit) == ("OnFailure", 7)
    infos = [d for d in ctx.sink if d.code == "nomad-default"]
    assert any("sets no restart and no reschedule attempts" in d.message for d in infos)
    container = workload.pod.containers[0]
    assert (container.requests, container.limits) == (
        {"cpu": "100m", "memory": "300Mi"},
        {"memory": "300Mi"},
    )


def test_a_periodic_job_counts_its_restart_and_reschedule_attempts() -> None:
    policy = (
        "    restart {\n      attempts = 2\n    }\n    reschedule {\n      attempts = 0\n    }\n"
    )
    periodic = '  periodic {\n    crons = ["0 3 * * *"]\n  }\n'
    plan, ctx = batch_plan(policy, periodic)
    [workload] = plan.workloads
    assert workload.resource_type == "kubernetes_cron_job_v1"
    assert (workload.pod.restart_policy, workload.backoff_limit) == ("OnFailure", 2)
    assert not [d for d in ctx.sink if d.code == "nomad-default" and "restart" in d.message]


def test_a_batch_job_without_restarts_runs_each_try_in_a_new_pod() -> None:
    plan, _ = batch_plan("    restart {\n      attempts = 0\n    }\n")
    assert (plan.workloads[0].pod.restart_policy, plan.workloads[0].backoff_limit) == ("Never", 1)


def test_unlimited_reschedules_are_reported() -> None:
    plan, ctx = batch_plan("    reschedule {\n      unlimited = true\n    }\n")
    assert plan.workloads[0].backoff_limit is None
    assert any("reschedule.unlimited" in d.message for d in ctx.sink)


# --- Node ports: static ports, UDP, dynamic ports fixed per job ------------------------------

DNS = """
job "x" {
  group "g" {
    network {
      port "dns" { static = 53 }
      port "admin" { to = 8080 }
    }
    task "resolver" {
      driver = "docker"
      config { image = "example/dns:1" }
      service {
        name = "dns"
        port = "dns"
      }
    }
  }
}
"""


def test_a_static_port_binds_its_node_port_and_a_dns_port_is_tcp_and_udp() -> None:
    plan, ctx = plan_of(DNS)
    ports = containers(plan)["resolver"].ports
    assert [(p.name, p.container_port, p.protocol, p.host_port) for p in ports] == [
        ("dns", 53, "TCP", 53),
        ("dns-udp", 53, "UDP", 53),
        ("admin", 8080, "TCP", None),
    ]
    [service] = [s for s in plan.services if not s.headless]
    assert [(p.name, p.port, p.target_port, p.protocol) for p in service.ports] == [
        ("dns", 53, "dns", "TCP"),
        ("dns-udp", 53, "dns-udp", "UDP"),
    ]
    [warning] = [d for d in ctx.sink if "static port 53" in d.message]
    assert (warning.code, warning.line) == ("needs-decision", 5)
    # A surge pod could not bind the node port: stop then start, as Nomad does.
    workload = plan.workloads[0]
    assert (workload.strategy, workload.max_surge, workload.max_unavailable) == (
        "RollingUpdate",
        "0",
        "1",
    )


def test_a_static_port_mapped_to_another_number_binds_the_static_one() -> None:
    plan, _ = plan_of(DNS.replace("static = 53", "static = 5353\n to = 53"))
    dns = containers(plan)["resolver"].ports[0]
    assert (dns.container_port, dns.host_port) == (53, 5353)


TWO_GROUPS = """
job "x" {
  group "a" {
    network {
      port "http" {}
    }
    task "a" {
      driver = "docker"
      config {
        image        = "example/a:1"
        network_mode = "host"
        args         = ["--port", "${NOMAD_PORT_http}"]
      }
    }
  }
  group "b" {
    network {
      port "http" {}
    }
    task "b" {
      driver = "docker"
      config {
        image        = "example/b:1"
        network_mode = "host"
        args         = ["--port", "${NOMAD_PORT_http}"]
      }
    }
  }
}
"""


def test_dynamic_ports_are_fixed_to_distinct_numbers_across_groups_and_host_network_is_reported() -> (
    None
):
    plan, ctx = plan_of(TWO_GROUPS)
    args = [w.pod.containers[0].args for w in plan.workloads]
    assert args == [["--port", "20000"], ["--port", "20001"]]
    host = [d for d in ctx.sink if "on the host network" in d.message]
    assert [d.line for d in host] == [5, 18]


def test_a_check_on_a_port_the_group_does_not_declare_gets_no_probe_and_a_report() -> None:
    text = SIDECAR_FIRST.replace('path     = "/health"', 'path     = "/health"\n port = "nope"')
    plan, ctx = plan_of(text)
    assert containers(plan)["app"].readiness_probe is None
    assert any(
        "probes port 'nope', which the group does not declare" in d.message for d in ctx.sink
    )


@pytest.mark.shared
def test_the_homelab_pods_probe_and_serve_only_ports_their_containers_declare(
    cluster_state_jobspecs: list[Path],
) -> None:
    """In every cluster-state pod: a probe's named port is its own container's, a Service
    targets a declared port, no number is declared twice."""
    checked = 0
    for jobspec in cluster_state_jobspecs:
        try:
            plan, _ = plan_of(jobspec.read_text(), variables={"elastic_version": "8.15.0"})
        except InputError:
            continue
        declared_names = set()
        for workload in plan.workloads:
            ports = [p for c in workload.pod.containers for p in c.ports]
            declared_names |= {p.name for p in ports}
            distinct = Counter((p.container_port, p.protocol) for p in ports)
            assert len(distinct) == len(ports), (jobspec.name, ports)
            for container in workload.pod.containers:
                own = {p.name for p in container.ports}
                for probe in (container.readiness_probe, container.liveness_probe):
                    if probe is not None and isinstance(probe.port, str):
                        assert probe.port in own, (jobspec.name, container.name, probe.port)
        for service in plan.services:
            for port in service.ports:
                assert port.target_port in declared_names, (jobspec.name, port)
        checked += 1
    assert checked >= 20

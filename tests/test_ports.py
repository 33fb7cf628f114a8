"""Port numbers: declared ones, and dynamic ones the tasks read, fixed from Nomad's range."""

from __future__ import annotations

import pytest

from generator.diagnostics import DiagnosticSink
from generator.hcl import parse_hcl
from generator.model import Group
from generator.model_builder import build_job
from generator.settings import Settings
from generator.translate.context import Context
from generator.translate.ports import (
    FIRST_DYNAMIC_PORT,
    assign_ports,
    container_numbers,
    group_ports,
    service_ports,
)

FILE = "x.nomad.hcl"


def group_of(ports: str, task: str) -> Group:
    text = (
        f'job "x" {{\n  group "g" {{\n    network {{\n{ports}    }}\n'
        f'    task "t" {{\n      driver = "docker"\n{task}    }}\n  }}\n}}\n'
    )
    return build_job(parse_hcl(text, FILE)).groups[0]


@pytest.mark.parametrize(
    "task",
    [
        '      env {\n        PORT = "${NOMAD_PORT_http}"\n      }\n',
        '      config {\n        image = "a"\n        args = ["--listen", "${NOMAD_ADDR_http}"]\n'
        "      }\n",
        '      template {\n        destination = "local/a"\n'
        '        data = "port={{ env \\"NOMAD_HOST_PORT_http\\" }}"\n      }\n',
    ],
)
def test_a_dynamic_port_the_task_reads_is_fixed(task: str) -> None:
    group = group_of('      port "http" {}\n', task)
    assert container_numbers(group) == ({"http": FIRST_DYNAMIC_PORT}, {"http"})


def test_fixed_numbers_skip_declared_ones_and_keep_the_port_order() -> None:
    ports = (
        '      port "a" {}\n      port "b" { to = 20000 }\n      port "c" {}\n'
        '      port "unread" {}\n'
    )
    task = '      env {\n        A = "${NOMAD_PORT_a}"\n        C = "${NOMAD_PORT_c}"\n      }\n'
    numbers, fixed = container_numbers(group_of(ports, task))
    assert list(numbers.items()) == [("a", 20001), ("b", 20000), ("c", 20002)]
    assert fixed == {"a", "c"}


def test_label_prefixes_do_not_count_as_reads() -> None:
    group = group_of(
        '      port "http" {}\n', '      env {\n        X = "${NOMAD_PORT_https}"\n      }\n'
    )
    assert container_numbers(group) == ({}, set())


def test_group_ports_reports_fixed_and_unreadable_dynamic_ports() -> None:
    ports = '      port "http" {}\n      port "other" {}\n'
    task = '      env {\n        P = "${NOMAD_PORT_http}"\n      }\n'
    ctx = Context(settings=Settings(), sink=DiagnosticSink(), file=FILE, job_name="x")
    assert group_ports(group_of(ports, task), ctx) == {"http": FIRST_DYNAMIC_PORT}
    messages = [d.message for d in ctx.sink]
    assert "dynamic port 'http' is fixed at 20000" in messages[0]
    assert "port 'other' is dynamic and no task reads NOMAD_PORT_other" in messages[1]


def group_with_services(network: str, services: list[tuple[str, str]]) -> Group:
    blocks = "".join(
        f"    service {{\n      port = {port}\n      tags = [{tags}]\n    }}\n"
        for port, tags in services
    )
    text = (
        f'job "x" {{\n  group "g" {{\n    network {{\n{network}    }}\n{blocks}'
        '    task "t" {\n      driver = "docker"\n      config {\n        image = "a"\n'
        "      }\n    }\n  }\n}\n"
    )
    return build_job(parse_hcl(text, FILE)).groups[0]


def test_services_on_bare_numbers_get_distinct_port_names() -> None:
    group = group_with_services("", [("9000", ""), ("9100", "")])
    exposed = service_ports(group, {})
    assert [(e.name, e.port) for e in exposed] == [("http", 9000), ("port-9100", 9100)]
    owners = assign_ports(group, {}).owners
    assert owners["t"] == {"http": 9000, "port-9100": 9100}


def test_a_routed_port_keeps_its_number_when_another_port_listens_on_80() -> None:
    network = '      port "api" { to = 9090 }\n      port "web" { to = 80 }\n'
    routed = '"traefik.http.routers.a.rule=Host(`a.org`)"'
    group = group_with_services(network, [('"api"', routed), ('"web"', "")])
    exposed = service_ports(group, {"api": 9090, "web": 80})
    assert [(e.name, e.port) for e in exposed] == [("api", 9090), ("web", 80)]


def test_a_legacy_port_label_two_tasks_number_differently_is_reported() -> None:
    task = (
        '    task "{name}" {{\n      driver = "docker"\n      config {{\n        image = "x"\n'
        "        port_map {{\n          http = {number}\n        }}\n      }}\n"
        '      resources {{\n        network {{\n          port "http" {{}}\n        }}\n      }}\n'
        "    }}\n"
    )
    text = (
        'job "j" {\n  group "g" {\n'
        + task.format(name="one", number=80)
        + task.format(name="two", number=8080)
        + "  }\n}\n"
    )
    group = build_job(parse_hcl(text, FILE)).groups[0]
    ctx = Context(settings=Settings(), sink=DiagnosticSink(), file=FILE, job_name="x")
    assert group_ports(group, ctx) == {"http": 80}
    [finding] = list(ctx.sink)
    assert (finding.code, finding.line) == ("needs-decision", 27)
    assert "'two''s is not carried" in finding.message

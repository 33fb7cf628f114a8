"""A StatefulSet's governing Service: headless, named `<app>-headless`, one port per group port."""

from __future__ import annotations

import re
from pathlib import Path

from generator.pipeline import generate
from generator.service_spec import PatternChoice, ServiceSpec
from generator.settings import Settings

GROUP = """
    volume "data" {
      type   = "host"
      source = "data"
    }
%(network)s
    task "app" {
      driver = "docker"
      config {
        image = "example/app:1.0"
      }
      volume_mount {
        volume      = "data"
        destination = "/data"
      }
    }
"""
NETWORK = """
    network {
      port "http" { to = 8080 }
      port "metrics" { to = 9100 }
      port "peer" { to = 8080 }
    }
"""


def main_tf(tmp_path: Path, network: str, pattern: PatternChoice) -> str:
    text = 'job "app" {\n  group "app" {\n' + GROUP % {"network": network} + "  }\n}\n"
    jobspec = tmp_path / "app.nomad.hcl"
    jobspec.write_text(text)
    spec = ServiceSpec(stateful_set=True)
    return generate("app", jobspec, Settings(), spec, pattern).files["main.tf"]


def resource(main: str, kind: str, name: str) -> str:
    match = re.search(rf'^resource "{kind}" "{name}" {{\n.*?^}}\n', main, re.M | re.S)
    assert match, f"no {kind}.{name} in main.tf"
    return match.group(0)


def test_stateful_set_is_governed_by_a_headless_service(tmp_path: Path) -> None:
    main = main_tf(tmp_path, NETWORK, PatternChoice.C)
    stateful_set = resource(main, "kubernetes_stateful_set", "app")
    assert 'service_name = "${local.app_name}-headless"' in stateful_set
    headless = resource(main, "kubernetes_service", "app_headless")
    assert 'name      = "${local.app_name}-headless"' in headless
    assert 'cluster_ip                  = "None"' in headless
    assert "publish_not_ready_addresses = true" in headless
    ports = re.findall(r'name        = "(\w+)"\n\s+port        = (\d+)', headless)
    # Two labels on one container port would be a duplicate Service port: the first wins.
    assert ports == [("http", "8080"), ("metrics", "9100")]


def test_a_stateful_set_without_ports_still_gets_its_headless_service(tmp_path: Path) -> None:
    main = main_tf(tmp_path, "", PatternChoice.C)
    headless = resource(main, "kubernetes_service", "app_headless")
    assert "port {" not in headless
    assert 'resource "kubernetes_service" "app" ' not in main


def test_deployments_get_no_headless_service(tmp_path: Path) -> None:
    main = main_tf(tmp_path, NETWORK, PatternChoice.A)
    assert "headless" not in main

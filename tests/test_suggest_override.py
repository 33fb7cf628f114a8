"""suggest_override: the spec override that expresses a hand edit, checked by applying it."""

from __future__ import annotations

import textwrap

import yaml

from generator.overrides import apply_overrides, from_text
from generator.overrides.suggest import suggest_override
from generator.render.hcl_format import format_hcl
from tests.test_overrides import module


def edited(text: str, old: str, new: str) -> str:
    assert old in text
    return format_hcl(text.replace(old, new, 1))


def check(file_name: str, generated: str, edit: str) -> dict:
    suggestion = suggest_override(file_name, edit, generated)
    assert suggestion is not None
    source = from_text("spec.yaml", suggestion)
    assert source is not None
    result = apply_overrides({file_name: generated}, source).files[file_name]
    assert format_hcl(result) == result
    return yaml.safe_load(suggestion)["overrides"]


def test_a_changed_scalar_and_a_removed_attribute() -> None:
    generated = module("searxng")["main.tf"]
    edit = edited(generated, "initial_delay_seconds = 60", "initial_delay_seconds = 5")
    edit = edited(edit, '      target_port = "http"\n', "")
    tree = check("main.tf", generated, edit)
    container = tree["kubernetes_deployment.app"]["spec"]["template"]["spec"]["container"]
    assert container == [{"name": "searxng", "liveness_probe": {"initial_delay_seconds": 5}}]
    assert tree["kubernetes_service.app"] == {
        "spec": {"port": [{"name": "http", "target_port": None}]}
    }


def test_added_and_removed_keyed_items_and_a_map_key() -> None:
    generated = module("searxng")["main.tf"]
    edit = edited(
        generated,
        '          env {\n            name  = "SEARXNG_PORT"\n            value = "8080"\n          }\n',
        "",
    )
    edit = edited(
        edit,
        "          resources {",
        '          env {\n            name = "NEW"\n            value = "${var.hostname}/x"\n'
        "          }\n\n          resources {",
    )
    edit = edited(edit, 'memory = "512Mi"', 'memory = "1Gi"\ncpu = "1"')
    tree = check("main.tf", generated, edit)
    container = tree["kubernetes_deployment.app"]["spec"]["template"]["spec"]["container"][0]
    assert container["env"] == [
        {"name": "SEARXNG_PORT", "$delete": True},
        {"name": "NEW", "value": {"$expr": '"${var.hostname}/x"'}},
    ]
    assert container["resources"] == {"limits": {"memory": "1Gi", "cpu": "1"}}


def test_a_deleted_resource_and_a_kubectl_manifest_edit() -> None:
    generated = module("notes")["secrets.tf"]
    edit = edited(generated, 'refreshInterval = "1h"', 'refreshInterval = "5m"')
    edit = edited(edit, 'property = "username"', 'property = "user"')
    tree = check("secrets.tf", generated, edit)
    assert tree == {
        "kubectl_manifest.external_secret": {
            "spec": {
                "refreshInterval": "5m",
                "data": [{"secretKey": "username", "remoteRef": {"property": "user"}}],
            }
        }
    }
    main = module("searxng")["main.tf"]
    start = main.index('resource "kubernetes_ingress_v1"')
    tree = check("main.tf", main, format_hcl(main[:start].rstrip() + "\n"))
    assert tree == {"kubernetes_ingress_v1.app": {"$delete": True}}


def test_a_variable_default() -> None:
    generated = module("searxng")["variables.tf"]
    edit = edited(generated, 'default     = "search.example.org"', 'default = "s.example.net"')
    assert check("variables.tf", generated, edit) == {
        "variable.hostname": {"default": "s.example.net"}
    }


def test_edits_no_override_expresses_give_none() -> None:
    generated = module("searxng")["main.tf"]
    new_resource = generated + textwrap.dedent("""
        resource "kubernetes_config_map" "extra" {
          data = {}
        }
        """)
    assert suggest_override("main.tf", new_resource, generated) is None
    assert suggest_override("main.tf", generated, generated) is None
    assert suggest_override("main.tf", "resource {", generated) is None
    local = edited(generated, 'app_name = "searxng"', 'app_name = "other"')
    assert suggest_override("main.tf", local, generated) is None

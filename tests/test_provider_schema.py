"""The shipped provider-schema subset: what override paths are checked against."""

from __future__ import annotations

import pytest

from generator import provider_schema
from tests.shared_access import shared_path
from tools import provider_schema_subset


def test_every_resource_type_a_template_writes_is_shipped() -> None:
    assert provider_schema.resource_types() == tuple(
        provider_schema_subset.written_resource_types()
    )


def test_blocks_keep_nesting_and_attributes_keep_types() -> None:
    deployment = provider_schema.resource_block("kubernetes_deployment")
    assert deployment is not None
    spec = deployment.blocks["spec"]
    assert (spec.nesting, spec.max_items, spec.repeated) == ("list", 1, False)
    pod = spec.block.blocks["template"].block.blocks["spec"].block
    container = pod.blocks["container"]
    assert container.repeated
    resources = container.block.blocks["resources"].block
    assert resources.attributes["limits"].type == ["map", "string"]
    assert container.block.attributes["name"].required


def test_computed_only_attributes_are_not_settable() -> None:
    service = provider_schema.resource_block("kubernetes_service")
    assert service is not None
    assert not service.attributes["status"].settable
    assert "status" not in service.names()
    assert "wait_for_load_balancer" in service.names()


def test_newer_provider_settings_are_absent_from_the_pinned_lower_bound() -> None:
    deployment = provider_schema.resource_block("kubernetes_deployment")
    assert deployment is not None
    pod = deployment.blocks["spec"].block.blocks["template"].block.blocks["spec"].block
    mount = pod.blocks["container"].block.blocks["volume_mount"].block
    assert "sub_path" in mount.attributes
    assert "sub_path_expr" not in mount.attributes  # 2.38.0 only


def test_unknown_resource_type_has_no_schema() -> None:
    assert provider_schema.resource_block("kubernetes_pod_v9") is None


def test_manifest_schemas_of_kubectl_resources() -> None:
    secret = provider_schema.manifest_schema("external-secrets.io/v1", "ExternalSecret")
    assert secret is not None
    data = secret["properties"]["spec"]["properties"]["data"]
    assert "secretKey" in data["items"]["properties"]
    assert provider_schema.manifest_schema("example.com/v1", "Widget") is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("livenes_probe", " (did you mean `liveness_probe`?)"),
        ("imge", " (did you mean `image`?)"),
        ("zzzz", ""),
    ],
)
def test_did_you_mean(name: str, expected: str) -> None:
    candidates = ["liveness_probe", "readiness_probe", "image", "name"]
    assert provider_schema.did_you_mean(name, candidates) == expected


@pytest.mark.shared
def test_shipped_subset_equals_a_rebuild_from_shared() -> None:
    rebuilt = provider_schema_subset.serialise(
        provider_schema_subset.build(shared_path("schemas").parent)
    )
    assert provider_schema.DATA_FILE.read_text() == rebuilt

"""The kubernetes schema rebuilt from the CDKTF bindings, for machines without `../shared`."""

from __future__ import annotations

import io
import json
import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.validation.validation_helpers import (
    VALID_MODULE,
    copy_valid_module,
    replace_in,
    require_shared,
)
from tools.validation import Check, validate_module
from tools.validation import cdktf_schema as cdktf
from tools.validation.locate import plan_schemas

RESOURCE_JS = """\
"use strict";
function thingSpecPortToHclTerraform(struct) {
    if (!cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)) {
        return struct;
    }
    const attrs = {
        container_port: {
            value: cdktf.numberToHclTerraform(struct.containerPort),
            isBlock: false,
            type: "simple",
            storageClassType: "number",
        },
    };
    // remove undefined attributes
    return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined));
}
function thingSpecToHclTerraform(struct) {
    const attrs = {
        args: {
            value: cdktf.listMapperHcl(cdktf.stringToHclTerraform, false)(struct.args),
            isBlock: false,
            type: "set",
            storageClassType: "stringList",
        },
        port: {
            value: cdktf.listMapperHcl(thingSpecPortToHclTerraform, true)(struct.port),
            isBlock: true,
            type: "list",
            storageClassType: "ThingSpecPortList",
        },
    };
    // remove undefined attributes
    return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined));
}
class ThingSpecOutputReference extends cdktf.ComplexObject {
    get args() {
        return this.getListAttribute('args');
    }
    set args(value) {
        this._args = value;
    }
    get uid() {
        return this.getStringAttribute('uid');
    }
}
class Thing extends cdktf.TerraformResource {
    get id() {
        return this.getStringAttribute('id');
    }
    synthesizeHclAttributes() {
        const attrs = {
            labels: {
                value: cdktf.hashMapperHcl(cdktf.stringToHclTerraform)(this._labels),
                isBlock: false,
                type: "map",
                storageClassType: "stringMap",
            },
            spec: {
                value: (0, index_structs_1.thingSpecToHclTerraform)(this._spec.internalValue),
                isBlock: true,
                type: "list",
                storageClassType: "ThingSpecList",
            },
        };
        // remove undefined attributes
        return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined));
    }
}
Thing.tfResourceType = "example_thing";
"""


def _struct(name: str, properties: dict[str, bool]) -> dict[str, object]:
    return {
        "kind": "interface",
        "datatype": True,
        "name": name,
        "locationInModule": {"filename": "src/thing/index.ts"},
        "properties": [{"name": p, "optional": o} for p, o in properties.items()],
    }


ASSEMBLY = {
    "types": {
        "x.thing.ThingConfig": _struct("ThingConfig", {"labels": True, "spec": False}),
        "x.thing.ThingSpec": _struct("ThingSpec", {"args": True, "port": False}),
        "x.thing.ThingSpecPort": _struct("ThingSpecPort", {"containerPort": False}),
    }
}


def _fake_wheel(path: Path) -> Path:
    tarball = io.BytesIO()
    with tarfile.open(fileobj=tarball, mode="w:gz") as tar:
        for name, text in (
            ("package/.jsii", json.dumps(ASSEMBLY)),
            ("package/lib/thing/index.js", RESOURCE_JS),
        ):
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    with zipfile.ZipFile(path, "w") as wheel:
        wheel.writestr("pkg/_jsii/thing@1.0.0.jsii.tgz", tarball.getvalue())
    return path


def test_rebuild_reads_arguments_blocks_nesting_and_required(tmp_path: Path) -> None:
    document = cdktf.rebuild_from_wheel(_fake_wheel(tmp_path / "fake.whl"))
    provider = document["provider_schemas"][cdktf.PROVIDER_SOURCE]
    assert provider["resource_schemas"] == {
        "example_thing": {
            "version": 0,
            "block": {
                "attributes": {
                    "labels": {"type": ["map", "string"], "optional": True},
                    "id": {"type": "string", "computed": True},
                },
                "block_types": {
                    "spec": {
                        "nesting_mode": "list",
                        "max_items": 1,
                        "min_items": 1,
                        "block": {
                            "attributes": {
                                "args": {"type": ["set", "string"], "optional": True},
                                "uid": {"type": "string", "computed": True},
                            },
                            "block_types": {
                                "port": {
                                    "nesting_mode": "list",
                                    "min_items": 1,
                                    "block": {
                                        "attributes": {
                                            "container_port": {"type": "number", "required": True}
                                        }
                                    },
                                }
                            },
                        },
                    }
                },
            },
        }
    }


def test_a_wheel_without_jsii_is_refused(tmp_path: Path) -> None:
    wheel = tmp_path / "empty.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("pkg/__init__.py", "")
    with pytest.raises(cdktf.RebuildError, match="no jsii tarball"):
        cdktf.rebuild_from_wheel(wheel)


def test_offline_without_the_wheel_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(cdktf.RebuildError, match="downloading is disabled"):
        cdktf.rebuilt_schema_path(tmp_path, download=False)


@pytest.fixture(scope="module")
def real_wheel() -> Path:
    try:
        return cdktf.ensure_wheel(cdktf.cache_dir())
    except cdktf.RebuildError as error:
        pytest.skip(f"cdktf wheel unavailable: {error}")


@pytest.mark.shared
def test_rebuild_matches_the_shared_schema(real_wheel: Path) -> None:
    shared = require_shared()
    rebuilt = cdktf.configurable_paths(cdktf.rebuild_from_wheel(real_wheel))
    reference_file = shared / "schemas" / "terraform" / "hashicorp-kubernetes-2.38.0.json"
    reference = cdktf.configurable_paths(json.loads(reference_file.read_text()))
    union = set(rebuilt) | set(reference)
    differing = sorted(path for path in union if rebuilt.get(path) != reference.get(path))
    assert len(union) == 12355
    assert differing == [
        "resource:kubernetes_manifest.wait_for",
        "resource:kubernetes_manifest.wait_for.fields",
    ]


def test_without_shared_the_rebuild_checks_modules(
    real_wheel: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NOMAD_K8S_GEN_SHARED", str(tmp_path / "no-shared"))
    plan = plan_schemas(allow_download=True)
    assert plan.labels == ["2.38.0 (cdktf rebuild)"]
    assert plan.crd_dir is None
    clean = validate_module(VALID_MODULE, checks=[Check.SCHEMA, Check.CRD], plan=plan)
    assert clean.messages() == []
    assert clean.skipped == {
        Check.CRD: f"NOMAD_K8S_GEN_SHARED={tmp_path / 'no-shared'} not found: {tmp_path / 'no-shared' / 'schemas'}"
    }
    assert any("hashicorp/kubernetes 2.35.1 not checked" in note for note in clean.notes)
    broken = copy_valid_module(tmp_path / "broken")
    replace_in(
        broken / "main.tf",
        "            value = local.app_name",
        "            valeu = local.app_name",
    )
    report = validate_module(broken, checks=[Check.SCHEMA], plan=plan)
    assert [f.message for f in report.findings] == [
        'kubernetes_deployment.app: spec.template.spec.container.env.valeu: unknown argument "valeu" '
        '(did you mean "value"?)'
    ]

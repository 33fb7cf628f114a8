"""The CRD check: heredoc YAML bodies, placeholders, unreadable bodies."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.diagnostics import Severity
from generator.hcl import Expr
from tools.validation import Check, validate_module
from tools.validation.locate import SchemaPlan
from tools.validation.manifest_body import PLACEHOLDER, read_yaml_body

HEREDOC_MODULE = """\
resource "kubectl_manifest" "route" {
  yaml_body = <<-YAML
    apiVersion: traefik.io/v1alpha1
    kind: IngressRoute
    metadata:
      name: ${var.name}
    spec:
      entryPoints:
        - websecure
      routes:
        - match: Host(`${var.host}`)
          kind: Rule
          priority: ${var.priority}
          servics:
            - name: app
              port: 80
  YAML
}
"""


def _module(tmp_path: Path, text: str) -> Path:
    module = tmp_path / "module"
    module.mkdir()
    (module / "main.tf").write_text(text, encoding="utf-8")
    return module


def _crd(module: Path, plan: SchemaPlan) -> list[tuple[int | None, str, Severity]]:
    report = validate_module(module, checks=[Check.CRD], plan=plan)
    return [(f.line, f.message, f.severity) for f in report.findings]


@pytest.mark.shared
def test_heredoc_body_unknown_field_is_found_on_its_line(
    tmp_path: Path, shared_plan: SchemaPlan
) -> None:
    findings = _crd(_module(tmp_path, HEREDOC_MODULE), shared_plan)
    # `priority: ${var.priority}` is a placeholder where an integer belongs: not judged.
    assert findings == [
        (
            14,
            'kubectl_manifest.route: spec.routes[0].servics: unknown field "servics" '
            '(did you mean "services"?)',
            Severity.ERROR,
        )
    ]


@pytest.mark.shared
def test_heredoc_body_that_fits_passes(tmp_path: Path, shared_plan: SchemaPlan) -> None:
    module = _module(tmp_path, HEREDOC_MODULE.replace("servics", "services"))
    assert _crd(module, shared_plan) == []


@pytest.mark.shared
def test_missing_required_field(tmp_path: Path, shared_plan: SchemaPlan) -> None:
    text = HEREDOC_MODULE.replace(
        "        - match: Host(`${var.host}`)\n          kind", "        - kind"
    )
    findings = _crd(_module(tmp_path, text.replace("servics", "services")), shared_plan)
    assert [(line, message) for line, message, _ in findings] == [
        (
            10,
            "kubectl_manifest.route: spec.routes[0]: missing required field: 'match' is a required property",
        )
    ]


@pytest.mark.shared
def test_core_api_version_has_no_crd_schema(tmp_path: Path, shared_plan: SchemaPlan) -> None:
    text = 'resource "kubectl_manifest" "cm" {\n  yaml_body = yamlencode({ apiVersion = "v1", kind = "ConfigMap" })\n}\n'
    findings = _crd(_module(tmp_path, text), shared_plan)
    assert len(findings) == 1
    assert findings[0][1].startswith(
        'kubectl_manifest.cm: no CRD schema for apiVersion "v1" kind "ConfigMap"'
    )


@pytest.mark.shared
def test_unreadable_body_is_a_warning_not_a_pass(tmp_path: Path, shared_plan: SchemaPlan) -> None:
    text = 'resource "kubectl_manifest" "x" {\n  yaml_body = file("${path.module}/x.yaml")\n}\n'
    findings = _crd(_module(tmp_path, text), shared_plan)
    assert findings == [
        (
            2,
            'kubectl_manifest.x: not checked: yaml_body is an expression (file("${path.module}/x.yaml"))',
            Severity.WARNING,
        )
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            Expr('yamlencode({kind = "A", metadata = {namespace = var.namespace}, n = 3})'),
            {"kind": "A", "metadata": {"namespace": f"{PLACEHOLDER}var.namespace>"}, "n": 3},
        ),
        ("kind: A\nname: ${local.app}-x\n", {"kind": "A", "name": f"{PLACEHOLDER}local.app>-x"}),
        (Expr('jsonencode({items = [1, "two", true]})'), {"items": [1, "two", True]}),
    ],
)
def test_yaml_body_becomes_a_document(value: object, expected: object) -> None:
    assert read_yaml_body(value, "main.tf").document == expected


def test_multi_document_yaml_is_not_read() -> None:
    body = read_yaml_body("a: 1\n---\nb: 2\n", "main.tf")
    assert body.document is None
    assert body.reason == "yaml_body holds 2 YAML documents, not one"


VPA_MODULE = """\
resource "kubectl_manifest" "vpa" {
  yaml_body = yamlencode({
    apiVersion = "autoscaling.k8s.io/v1"
    kind       = "VerticalPodAutoscaler"
    spec       = { updatePolicy = { updateMode = "Off" } }
  })
}
"""


@pytest.mark.shared
def test_a_kind_of_an_api_group_without_schemas_is_an_info_not_a_pass(
    tmp_path: Path, shared_plan: SchemaPlan
) -> None:
    findings = _crd(_module(tmp_path, VPA_MODULE), shared_plan)
    assert len(findings) == 1
    line, message, severity = findings[0]
    assert (line, severity) == (2, Severity.INFO)
    assert message.startswith(
        'kubectl_manifest.vpa: not checked: no CRD schema of API group "autoscaling.k8s.io"'
    )


@pytest.mark.shared
def test_a_misspelt_kind_of_a_known_api_group_stays_an_error(
    tmp_path: Path, shared_plan: SchemaPlan
) -> None:
    text = VPA_MODULE.replace("autoscaling.k8s.io/v1", "traefik.io/v1alpha1").replace(
        "VerticalPodAutoscaler", "Middlewares"
    )
    findings = _crd(_module(tmp_path, text), shared_plan)
    assert [severity for _, _, severity in findings] == [Severity.ERROR]
    assert 'no CRD schema for apiVersion "traefik.io/v1alpha1" kind "Middlewares"' in findings[0][1]

"""The plan holds references, templates and names as data; only the renderer writes HCL."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from generator.hcl.unknowns import TfExpr, marker
from generator.plan_values import (
    NAMESPACE,
    Call,
    Inline,
    Ref,
    ResourceName,
    StringTemplate,
    interpolate,
    resource_name_of,
    var,
)
from generator.render.hcl_values import hcl_value

PACKAGE = Path(__file__).resolve().parent.parent / "generator"


@pytest.mark.parametrize(
    "text", ['var.x"', "var.x}", "a = b", "${var.x}", "var.x\n", "toset(var.x)", "", "1abc"]
)
def test_a_ref_is_a_reference_path_and_nothing_else(text: str) -> None:
    with pytest.raises(ValueError):
        Ref(text)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (NAMESPACE, "var.namespace"),
        (resource_name_of("kubernetes_service", "web"), "kubernetes_service.web.metadata[0].name"),
        (StringTemplate(("db.", NAMESPACE, '.svc"${x}')), '"db.${var.namespace}.svc\\"$${x}"'),
        (Call("toset", (var("hostnames"),)), "toset(var.hostnames)"),
        (
            Call("merge", (Ref("local.labels"), {"component": 'a"'})),
            'merge(local.labels, { component = "a\\"" })',
        ),
        ([var("hostname")], "[var.hostname]"),
        (ResourceName("-web"), '"${local.app_name}-web"'),
    ],
)
def test_the_renderer_writes_plan_values(value: object, expected: str) -> None:
    assert hcl_value(value) == expected


def test_a_host_over_a_module_input_is_one_inline_expression() -> None:
    host = "app." + marker(TfExpr("var.domain", ("domain",)))
    assert hcl_value(Inline(host)) == '"app.${var.domain}"'
    assert hcl_value(Inline([host])) == '["app.${var.domain}"]'
    assert hcl_value(Call("toset", (Inline([host, "b"]),))) == 'toset(["app.${var.domain}", "b"])'


def test_interpolate_merges_literals_and_keeps_plain_text_a_string() -> None:
    assert interpolate(["a", "", "b"]) == "ab"
    assert interpolate(["a", NAMESPACE, "b", "c"]) == StringTemplate(("a", NAMESPACE, "bc"))


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_the_plan_and_the_translator_do_not_import_the_renderer() -> None:
    files = [PACKAGE / "k8s_plan.py", PACKAGE / "plan_values.py"]
    files += sorted((PACKAGE / "translate").glob("*.py"))
    offenders = [
        f"{path.name}: {module}"
        for path in files
        for module in _imports(path)
        if module.startswith("generator.render")
    ]
    assert offenders == []

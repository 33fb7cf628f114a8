"""Module READMEs and root wiring: the pasted `module` block works, and text stays text."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.diagnostics import Diagnostic, Severity
from generator.k8s_plan import ModulePlan, TraefikRouter, Variable
from generator.render.module import render_readme
from generator.render.readme import ReadmeSource, markdown_cell, markdown_code, markdown_text
from generator.wiring import ModuleInput, example_value, module_label, root_module_block
from generator.wiring_cli import BEGIN, END, main, module_inputs, replace_between_markers
from tests.shared_access import REPO

MODULES = REPO / "modules-k8s"
EXAMPLES = sorted(p.name for p in MODULES.iterdir() if (p / "main.tf").exists())
_HCL_BLOCK = re.compile(r"```hcl\n(.*?)```", re.S)


def _readme_block(service: str) -> str:
    text = (MODULES / service / "README.md").read_text(encoding="utf-8")
    match = _HCL_BLOCK.search(text)
    assert match, f"{service}: README has no hcl block"
    return match.group(1)


@pytest.mark.parametrize("service", EXAMPLES)
def test_every_example_module_has_a_readme_whose_block_is_the_wiring(service: str) -> None:
    inputs = module_inputs(MODULES / service)
    assert _readme_block(service) == root_module_block(service, f"./modules-k8s/{service}", inputs)


def test_required_inputs_come_first_with_examples_and_optional_ones_commented() -> None:
    block = root_module_block(
        "my-app",
        "./modules-k8s/my-app",
        [
            ModuleInput("namespace", "string", "", "default"),
            ModuleInput("elastic_version", "string", "", required=True),
            ModuleInput("replicas", "number", "", required=True),
            ModuleInput("hosts", "list(string)", "", ["a.example.org"]),
        ],
    )
    assert block == (
        'module "k8s_my_app" {\n'
        '  source = "./modules-k8s/my-app"\n'
        "\n"
        "  # Required: no default in the module.\n"
        '  elastic_version = "CHANGE-ME"\n'
        "  replicas        = 0\n"
        "\n"
        "  # Optional: the defaults come from the jobspec.\n"
        '  # namespace = "default"\n'
        '  # hosts = ["a.example.org"]\n'
        "}\n"
    )


@pytest.mark.parametrize(
    ("type_", "example"),
    [("string", '"CHANGE-ME"'), ("number", "0"), ("bool", "false"), ("map(string)", "{}")],
)
def test_examples_have_the_input_type(type_: str, example: str) -> None:
    assert example_value(type_) == example


def test_module_label_is_an_identifier() -> None:
    assert module_label("home-assistant") == "k8s_home_assistant"


def test_hostile_text_stays_text_in_the_readme() -> None:
    plan = ModulePlan(service="app", app_name="app", labels={})
    plan.variables = [Variable("namespace", "string", "x | y\n# z", "default")]
    plan.routers = [TraefikRouter("k8s-a", "Host(`a|b`)", "svc", ["websecure"], [])]
    source = ReadmeSource(
        jobspec="jobs/app;rm -rf ~.nomad.hcl",
        job_name="app$(reboot)",
        pattern="A",
        reasons=["because <script>"],
        diagnostics=[
            Diagnostic(
                severity=Severity.WARNING,
                code="needs-decision",
                message="`x` | [y](z)",
                file="f.hcl",
                line=3,
            )
        ],
    )
    text = render_readme(plan, source)
    assert "nomad job stop 'app$(reboot)'" in text
    assert "nomad job run 'jobs/app;rm -rf ~.nomad.hcl'" in text
    assert "| x \\| y<br># z |" in text
    assert "because \\<script\\>" in text
    assert "\\`x\\` \\| \\[y\\](z)" in text


def test_markdown_helpers() -> None:
    assert markdown_code("a`b") == "``a`b``"
    assert markdown_code("`a") == "`` `a ``"
    assert markdown_cell("a|b\nc") == "a\\|b<br>c"
    assert markdown_text("*a*  _b_") == "\\*a\\* \\_b\\_"


def test_markers_are_replaced_in_place(tmp_path: Path) -> None:
    text = f"a\n{BEGIN}\nold\n{END}\nb\n"
    assert replace_between_markers(text, "new\n") == f"a\n{BEGIN}\n\nnew\n\n{END}\nb\n"
    assert replace_between_markers("x\n", "new\n") == f"x\n\n{BEGIN}\n\nnew\n\n{END}\n"
    with pytest.raises(ValueError):
        replace_between_markers(f"{END}\n{BEGIN}\n", "new\n")


def test_make_wiring_updates_a_file_and_is_idempotent(tmp_path: Path) -> None:
    target = tmp_path / "kubernetes.tf"
    target.write_text('provider "kubernetes" {}\n', encoding="utf-8")
    runner = CliRunner()
    first = runner.invoke(main, [str(MODULES), "--update", str(target)])
    assert first.exit_code == 0, first.output
    text = target.read_text(encoding="utf-8")
    assert text.startswith('provider "kubernetes" {}\n')
    assert all(f'module "{module_label(s)}"' in text for s in EXAMPLES)
    second = runner.invoke(main, [str(MODULES), "--update", str(target)])
    assert "up to date" in second.output
    assert target.read_text(encoding="utf-8") == text


ROOT_VERSIONS = """terraform {
  required_providers {
    kubernetes = {
      source = "hashicorp/kubernetes"
    }
    kubectl = {
      source = "alekc/kubectl"
    }
  }
}
"""


def _validate_root(tmp_path: Path, blocks: list[str]) -> list[dict]:
    """`terraform validate` of a root module holding `blocks` beside the example modules."""
    from tools.validation.locate import plan_schemas
    from tools.validation.terraform_check import (
        _environment,
        _Job,
        _run_batch,
        unavailable_reason,
    )

    reason = unavailable_reason()
    if reason is not None:
        pytest.skip(reason)
    plan = plan_schemas()
    if not plan.version_sets:
        pytest.skip(plan.no_version_sets or "no provider schema available")
    root = tmp_path / "root"
    (root / "modules-k8s").mkdir(parents=True)
    manifest = [{"Key": "", "Source": "", "Dir": "."}]
    for service in EXAMPLES:
        shutil.copytree(
            MODULES / service,
            root / "modules-k8s" / service,
            ignore=shutil.ignore_patterns("*.md", "*.yml"),
        )
        manifest.append(
            {
                "Key": module_label(service),
                "Source": f"./modules-k8s/{service}",
                "Dir": f"modules-k8s/{service}",
            }
        )
    (root / "versions.tf").write_text(ROOT_VERSIONS, encoding="utf-8")
    (root / "main.tf").write_text("\n".join(blocks), encoding="utf-8")
    reports = []
    for index, version_set in enumerate(plan.version_sets):
        environment = _environment(tmp_path, version_set, index)
        modules_dir = Path(environment["TF_DATA_DIR"]) / "modules"
        modules_dir.mkdir(parents=True, exist_ok=True)
        (modules_dir / "modules.json").write_text(json.dumps({"Modules": manifest}))
        job = _Job(f"root-{index}", "validate", 0, root, version_set.label)
        results, fatal = _run_batch(tmp_path, environment, [job])
        assert fatal is None, fatal
        result = results[job.id]
        assert not isinstance(result, str), result
        reports.append(json.loads(result.stdout))
    return reports


@pytest.mark.shared
def test_pasted_root_blocks_pass_terraform_validate(tmp_path: Path) -> None:
    for report in _validate_root(tmp_path, [_readme_block(s) for s in EXAMPLES]):
        assert report["valid"], report["diagnostics"]
        assert report["error_count"] == 0


@pytest.mark.shared
def test_the_root_validation_sees_a_wrong_input(tmp_path: Path) -> None:
    block = _readme_block(EXAMPLES[0]).replace("  source", "  no_such_input = 1\n  source")
    for report in _validate_root(tmp_path, [block]):
        assert not report["valid"]
        assert "no_such_input" in json.dumps(report["diagnostics"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [("plain", "`plain`"), ("a `b` c", "``a `b` c``"), ("x ``` y", "````x ``` y````")],
)
def test_inline_code_fence_is_longer_than_any_backtick_run(text: str, expected: str) -> None:
    from generator.render.readme import markdown_code

    assert markdown_code(text) == expected


def test_a_fenced_block_outgrows_the_backticks_it_holds() -> None:
    from generator.render.readme import markdown_fence

    assert markdown_fence("echo ````\n", indent=0) == "`````sh\necho ````\n`````\n"
    assert markdown_fence("echo hi\n", indent=0) == "```sh\necho hi\n```\n"


def test_prose_escapes_every_markdown_character() -> None:
    from generator.render.readme import markdown_text

    assert markdown_text("a_b *c*\n [d] <e> | #f \\ `g`") == (
        "a\\_b \\*c\\* \\[d\\] \\<e\\> \\| \\#f \\\\ \\`g\\`"
    )

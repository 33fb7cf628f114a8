"""Spec `overrides:` applied to rendered modules: each merge rule, each refusal, each info."""

from __future__ import annotations

import functools
import json
import textwrap
from pathlib import Path

import pytest

from generator.diagnostics import InputError
from generator.document import parse_document
from generator.overrides import Applied, apply_overrides, from_text

GOLDEN = Path(__file__).resolve().parent.parent / "modules-k8s"


@functools.cache
def _generated(service: str) -> dict[str, str]:
    """The example module as the generator writes it before the spec's overrides."""
    from generator.pipeline import generate
    from generator.service_spec import load_service_spec
    from generator.settings import load_settings

    specs = GOLDEN.parent / "specs"
    spec = load_service_spec(specs / f"{service}.yaml").model_copy(update={"overrides": {}})
    settings = load_settings(specs / "settings.yaml")
    generation = generate(service, specs / f"{service}.nomad.hcl", settings, spec)
    return {name: text for name, text in generation.files.items() if name.endswith(".tf")}


def module(service: str) -> dict[str, str]:
    return dict(_generated(service))


def apply(service: str, spec: str) -> Applied:
    text = textwrap.dedent(spec)
    source = from_text("specs/x.yaml", text)
    assert source is not None
    return apply_overrides(module(service), source)


def refused(service: str, spec: str) -> InputError:
    with pytest.raises(InputError) as raised:
        apply(service, spec)
    assert raised.value.code == "invalid-override"
    return raised.value


CONTAINER = """\
overrides:
  kubernetes_deployment.app:
    spec:
      template:
        spec:
          container:
            - name: searxng
"""


def container(body: str) -> str:
    return CONTAINER + textwrap.indent(textwrap.dedent(body), " " * 14)


def block_text(text: str, opener: str) -> str:
    """The text of the first block opened by `opener` (up to its closing brace)."""
    start = text.index(opener)
    depth = 0
    for index in range(start, len(text)):
        if text[index] == "{":
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return text[start : index + 1]
    raise AssertionError(opener)


def main_tf(applied: Applied) -> str:
    return applied.files["main.tf"]


# ---- merge rules ----


def test_scalars_replace_and_the_report_says_old_and_new() -> None:
    applied = apply("searxng", container("liveness_probe: {initial_delay_seconds: 10}\n"))
    probe = block_text(main_tf(applied), "liveness_probe {")
    assert "initial_delay_seconds = 10\n" in probe
    assert "period_seconds        = 15" in probe  # the rest of the block is kept
    [entry] = applied.overridden
    assert entry.address == "kubernetes_deployment.app"
    assert (
        entry.path == "spec.template.spec.container[searxng].liveness_probe.initial_delay_seconds"
    )
    assert (entry.old, entry.new) == ("60", "10")


def test_maps_merge_key_by_key() -> None:
    applied = apply("searxng", container("resources: {limits: {cpu: 500m}}\n"))
    resources = block_text(main_tf(applied), "resources {")
    assert 'cpu    = "500m"' in resources and 'memory = "512Mi"' in resources
    assert 'cpu    = "200m"' in resources  # requests untouched


def test_a_map_key_set_to_null_is_removed() -> None:
    applied = apply("searxng", container("resources: {requests: {cpu: null}}\n"))
    resources = block_text(main_tf(applied), "resources {")
    assert "200m" not in resources and 'memory = "256Mi"' in resources


def test_a_map_merged_onto_an_expression_becomes_merge() -> None:
    spec = """\
    overrides:
      kubernetes_service.app:
        metadata:
          labels: {tier: frontend}
    """
    applied = apply("searxng", spec)
    service = block_text(main_tf(applied), 'resource "kubernetes_service" "app"')
    assert 'labels = merge(local.labels, {\n      tier = "frontend"\n    })' in service


def test_lists_of_scalars_replace() -> None:
    spec = """\
    overrides:
      kubernetes_deployment.app:
        spec:
          template:
            spec:
              affinity:
                node_affinity:
                  required_during_scheduling_ignored_during_execution:
                    node_selector_term:
                      - match_expressions:
                          - {key: kubernetes.io/arch, operator: In, values: [amd64]}
    """
    applied = apply("searxng", spec)
    assert 'values   = ["amd64"]' in main_tf(applied)
    assert "arm64" not in main_tf(applied)


def test_keyed_items_merge_on_their_key_and_a_new_key_is_appended() -> None:
    applied = apply(
        "searxng",
        container("""\
            env:
              - {name: SEARXNG_PORT, value: "9090"}
              - {name: NEW_VAR, value: "x"}
            """),
    )
    text = main_tf(applied)
    names = [
        line.split('"')[1]
        for line in text.splitlines()
        if (line.strip().startswith("name ") and "SEARXNG" in line) or "NEW_VAR" in line
    ]
    assert names == ["SEARXNG_BASE_URL", "SEARXNG_VALKEY_URL", "SEARXNG_PORT", "NEW_VAR"]
    assert 'value = "9090"' in text and 'value = "8080"' not in text
    assert '}\n\n          env {\n            name  = "NEW_VAR"' in text  # a blank line before it


def test_after_places_a_new_item_after_the_named_one() -> None:
    applied = apply(
        "searxng",
        container("env:\n  - {name: FIRST, value: a, $after: SEARXNG_BASE_URL}\n"),
    )
    text = main_tf(applied)
    assert (
        text.index('"SEARXNG_BASE_URL"')
        < text.index('"FIRST"')
        < text.index('"SEARXNG_VALKEY_URL"')
    )


def test_after_moves_an_existing_item() -> None:
    applied = apply(
        "searxng", container("env:\n  - {name: SEARXNG_BASE_URL, $after: SEARXNG_PORT}\n")
    )
    text = main_tf(applied)
    assert text.index('"SEARXNG_PORT"') < text.index('"SEARXNG_BASE_URL"')


def test_rename_renames_a_keyed_item_in_place() -> None:
    applied = apply("searxng", container("env:\n  - {name: SEARXNG_PORT, $rename: PORT}\n"))
    text = main_tf(applied)
    assert '"SEARXNG_PORT"' not in text
    assert text.index('"SEARXNG_VALKEY_URL"') < text.index('name  = "PORT"')


def test_a_repeated_block_without_a_key_is_replaced_whole() -> None:
    spec = """\
    overrides:
      kubernetes_ingress_v1.app:
        spec:
          tls:
            - {hosts: [a.example.org], secret_name: a-tls}
            - {hosts: [b.example.org], secret_name: b-tls}
    """
    text = main_tf(apply("searxng", spec))
    assert "wildcard-example-org-tls" not in text
    assert text.index("a-tls") < text.index("b-tls") < text.index("rule {")


def test_null_removes_an_attribute() -> None:
    applied = apply("searxng", container("liveness_probe: {timeout_seconds: null}\n"))
    assert "timeout_seconds" not in block_text(main_tf(applied), "liveness_probe {")
    assert applied.overridden[0].new is None


def test_delete_removes_a_block_an_item_and_a_resource() -> None:
    spec = (
        CONTAINER
        + textwrap.indent(
            "readiness_probe: {$delete: true}\nvolume_mount:\n  - {mount_path: /var/cache/searxng, $delete: true}\n",
            " " * 14,
        )
        + "  kubernetes_ingress_v1.app: {$delete: true}\n"
    )
    text = main_tf(apply("searxng", spec))
    assert "readiness_probe" not in text
    assert "/var/cache/searxng" not in text and "/etc/searxng" in text
    assert "kubernetes_ingress_v1" not in text
    parse_document(text)


def test_a_new_block_and_a_new_single_block_are_written() -> None:
    applied = apply(
        "searxng",
        container(
            "startup_probe: {http_get: {path: /healthz, port: http}, failure_threshold: 30}\n"
        ),
    )
    probe = block_text(main_tf(applied), "startup_probe {")
    assert 'path = "/healthz"' in probe and "failure_threshold = 30" in probe


# ---- $var, $expr, variable.NAME ----


def test_var_defaults_to_the_generated_value() -> None:
    applied = apply(
        "searxng", container("liveness_probe: {initial_delay_seconds: {$var: probe_delay}}\n")
    )
    assert "initial_delay_seconds = var.probe_delay" in main_tf(applied)
    variable = block_text(applied.files["variables.tf"], 'variable "probe_delay"')
    assert "type        = number" in variable and "default     = 60" in variable


def test_var_with_default_description_and_type() -> None:
    applied = apply(
        "searxng",
        container(
            "resources: {limits: {cpu: {$var: cpu_limit, default: 1, description: CPU, type: string}}}\n"
        ),
    )
    assert "cpu    = var.cpu_limit" in main_tf(applied)
    variable = block_text(applied.files["variables.tf"], 'variable "cpu_limit"')
    assert 'description = "CPU"' in variable and 'default     = "1"' in variable


def test_var_over_an_expression_keeps_it_as_the_fallback() -> None:
    applied = apply(
        "searxng",
        container("env:\n  - name: SEARXNG_VALKEY_URL\n    value: {$var: valkey_url}\n"),
    )
    assert 'value = coalesce(var.valkey_url, "valkey://valkey.${var.namespace}' in main_tf(applied)
    assert "default     = null" in block_text(
        applied.files["variables.tf"], 'variable "valkey_url"'
    )


def test_a_later_var_without_default_refers_to_the_same_variable() -> None:
    applied = apply(
        "searxng",
        container("""\
            liveness_probe: {period_seconds: {$var: probe_period, default: 20}}
            readiness_probe: {period_seconds: {$var: probe_period}}
            """),
    )
    assert main_tf(applied).count("period_seconds        = var.probe_period") == 1
    assert main_tf(applied).count("var.probe_period") == 2
    assert applied.files["variables.tf"].count('variable "probe_period"') == 1


def test_two_different_defaults_for_one_var_are_refused() -> None:
    error = refused(
        "searxng",
        container("""\
            liveness_probe: {period_seconds: {$var: probe_period, default: 20}}
            readiness_probe: {period_seconds: {$var: probe_period, default: 30}}
            """),
    )
    assert error.line == 9 and "already has the default 20 (line 8)" in error.message


def test_expr_is_written_as_given() -> None:
    applied = apply(
        "searxng",
        container(
            'env:\n  - {name: SEARXNG_BASE_URL, value: {$expr: "https://${var.hostname}/"}}\n'
        ),
    )
    assert 'value = "https://${var.hostname}/"' in main_tf(applied)


@pytest.mark.parametrize("text", ["var.a\nperiod_seconds = 1", "${x", "", '"a"\n}\nx {'])
def test_expr_that_is_not_one_expression_is_refused(text: str) -> None:
    value = json.dumps(text)
    refused("searxng", container(f"liveness_probe: {{period_seconds: {{$expr: {value}}}}}\n"))


def test_variable_default_changes_a_generated_variable() -> None:
    applied = apply("searxng", "overrides:\n  variable.hostname: {default: search.example.net}\n")
    variable = block_text(applied.files["variables.tf"], 'variable "hostname"')
    assert 'default     = "search.example.net"' in variable


def test_variable_default_of_an_unknown_variable_declares_it() -> None:
    # A typo is warned of by the pipeline (tests/test_override_gaps.py): nothing reads it.
    applied = apply("searxng", "overrides:\n  variable.hostnme: {default: x}\n")
    assert 'variable "hostnme" {' in applied.files["variables.tf"]


# ---- kubectl_manifest ----

SECRET = """\
overrides:
  kubectl_manifest.external_secret:
    spec:
"""


def test_kubectl_manifest_paths_start_at_the_manifest() -> None:
    applied = apply(
        "notes",
        SECRET
        + textwrap.indent(
            """\
            refreshInterval: 5m
            data:
              - {secretKey: password, remoteRef: {property: pass}}
              - {secretKey: username, $delete: true}
              - {secretKey: token, remoteRef: {key: kv/data/notes/token, property: token}}
            """,
            " " * 6,
        ),
    )
    text = applied.files["secrets.tf"]
    assert 'refreshInterval = "5m"' in text
    assert 'property = "pass"' in text and 'key      = "kv/data/notes/postgres"' in text
    assert '"username"' not in text
    assert text.index('secretKey = "password"') < text.index('secretKey = "token"')
    parse_document(text)


# ---- refusals ----


def test_unknown_resource_address_lists_the_modules_addresses() -> None:
    error = refused(
        "searxng", "overrides:\n  kubernetes_service.web:\n    spec: {type: NodePort}\n"
    )
    assert error.line == 2
    assert (
        "kubernetes_deployment.app, kubernetes_service.app, kubernetes_ingress_v1.app"
        in error.message
    )
    assert error.one_line().startswith("specs/x.yaml:2: invalid-override: ")


def test_unknown_resource_type_has_a_did_you_mean() -> None:
    error = refused("searxng", "overrides:\n  kubernetes_deploymnt.app: {}\n")
    assert "did you mean `kubernetes_deployment`" in error.message


def test_unknown_attribute_has_a_did_you_mean_from_the_schema() -> None:
    error = refused("searxng", container("liveness_probe: {initial_delay_second: 10}\n"))
    assert error.line == 8
    assert "did you mean `initial_delay_seconds`" in error.message


@pytest.mark.parametrize(
    ("value", "expected"),
    [("[10]", "expected a number"), ("ten", "expected a number"), ("true", "expected a number")],
)
def test_wrong_type_is_refused(value: str, expected: str) -> None:
    error = refused("searxng", container(f"liveness_probe: {{period_seconds: {value}}}\n"))
    assert expected in error.message and error.line == 8


def test_a_list_where_a_single_block_goes_is_refused() -> None:
    error = refused("searxng", container("liveness_probe: [{period_seconds: 1}]\n"))
    assert "is a block: give a mapping" in error.message


def test_a_keyed_item_without_its_key_is_refused() -> None:
    error = refused("searxng", container("env:\n  - {value: x}\n"))
    assert "needs its `name`" in error.message and error.line == 9


# ---- info when the target is gone ----


def test_an_override_whose_target_is_gone_is_info() -> None:
    applied = apply(
        "searxng",
        container("""\
            env:
              - {name: GONE, $delete: true}
              - {name: ALSO_GONE, $rename: X}
            liveness_probe: {period_seconds: 15, grpc: {$delete: true}}
            """) + "  kubernetes_service.gone: {$delete: true}\n",
    )
    assert applied.files["main.tf"] == module("searxng")["main.tf"]
    assert applied.overridden == []
    codes = {d.code for d in applied.diagnostics}
    assert codes == {"override-not-applied"}
    assert len(applied.diagnostics) == 5
    assert all(d.file == "specs/x.yaml" and d.line for d in applied.diagnostics)


# ---- through the pipeline and the CLI ----

FULL_SPEC = """\
jobspec: {jobspec}
pattern: A
overrides:
  kubernetes_deployment.app:
    lifecycle:
      ignore_changes:
        - spec[0].replicas
    spec:
      template:
        spec:
          container:
            - name: searxng
              liveness_probe: {{initial_delay_seconds: {{$var: probe_delay}}, period_seconds: 30}}
              readiness_probe: {{timeout_seconds: null}}
              resources: {{limits: {{cpu: 500m, memory: {{$var: memory_limit, default: 1Gi}}}}}}
              env:
                - {{name: FIRST, value: "a ${{b}} %{{c}}", $after: SEARXNG_BASE_URL}}
                - {{name: SEARXNG_PORT, $rename: PORT}}
                - name: SEARXNG_VALKEY_URL
                  value: {{$var: valkey_url, description: Valkey URL}}
                - name: SEARXNG_BASE_URL
                  value: {{$expr: "https://${{var.hostname}}/"}}
              volume_mount:
                - {{mount_path: /var/cache/searxng, $delete: true}}
          volume:
            - {{name: local-searxng, $delete: true}}
  kubernetes_service.app:
    metadata: {{labels: {{tier: frontend}}}}
    spec:
      type: NodePort
      port: [{{name: http, node_port: 30900}}]
  kubernetes_ingress_v1.app: {{$delete: true}}
  variable.hostname: {{default: search.example.net}}
"""


@pytest.fixture
def overridden_module(tmp_path: Path) -> tuple[Path, object]:
    from generator.pipeline import generate
    from generator.service_spec import load_service_spec
    from generator.settings import load_settings
    from generator.writer import write_module

    repo = GOLDEN.parent
    spec_path = tmp_path / "searxng.yaml"
    spec_path.write_text(FULL_SPEC.format(jobspec=repo / "specs" / "searxng.nomad.hcl"))
    spec = load_service_spec(spec_path)
    settings = load_settings(repo / "specs" / "settings.yaml")
    generation = generate("searxng", repo / "specs" / "searxng.nomad.hcl", settings, spec)
    write_module(tmp_path / "out" / "searxng", generation.files)
    return tmp_path / "out" / "searxng", generation


def test_the_pipeline_applies_overrides_and_reports_them(overridden_module) -> None:
    folder, generation = overridden_module
    main = (folder / "main.tf").read_text()
    assert "kubernetes_ingress_v1" not in main and "var.probe_delay" in main
    assert 'value = "a $${b} %%{c}"' in main  # spec text stays literal
    paths = {o.path for o in generation.overridden}
    assert "spec.template.spec.container[searxng].env[SEARXNG_PORT].name" in paths
    readme = (folder / "README.md").read_text()
    assert "## Overrides from the spec" in readme and "memory\\_limit" in readme


@pytest.mark.shared
def test_an_overridden_module_passes_every_validation_check(overridden_module, shared_plan) -> None:
    pytest.importorskip("jsonschema")
    from tools.validation import validate_module

    folder, _generation = overridden_module
    report = validate_module(folder, plan=shared_plan)
    assert report.errors == [], "\n".join(f.one_line() for f in report.errors)


def test_a_bad_override_exits_2_with_the_spec_line_and_writes_nothing(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from generator.cli import main

    repo = GOLDEN.parent
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "searxng.yaml").write_text(
        f"jobspec: {repo / 'specs' / 'searxng.nomad.hcl'}\n"
        "overrides:\n  kubernetes_service.app:\n    spec:\n      typ: NodePort\n"
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["searxng", "--specs", str(specs), "--out", str(out)], catch_exceptions=False
    )
    assert result.exit_code == 2
    assert f"{specs / 'searxng.yaml'}:5: invalid-override: `typ` is not" in result.output
    assert "(did you mean `type`?)" in result.output
    assert not out.exists()


def test_text_report_lists_overrides(overridden_module, capsys: pytest.CaptureFixture[str]) -> None:
    from generator.cli import print_text
    from generator.writer import Written

    _folder, generation = overridden_module
    print_text(generation, Written([]))
    text = capsys.readouterr().out
    assert '  overridden: kubernetes_service.app.spec.type: (none) → "NodePort"\n' in text


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "liveness_probe: {$delte: true}\n",
            "unknown directive `$delte` (did you mean `$delete`?)",
        ),
        ("liveness_probe: {$rename: x}\n", "`$rename` is not allowed here"),
        ("env:\n  - {name: A, $var: x}\n", "`$var` is not allowed here"),
    ],
)
def test_a_misplaced_or_unknown_directive_is_refused(body: str, expected: str) -> None:
    assert expected in refused("searxng", container(body)).message


def test_a_single_map_for_a_keyed_repeated_block_is_one_item() -> None:
    applied = apply("searxng", container("env: {name: SEARXNG_PORT, value: '9090'}\n"))
    assert 'value = "9090"' in main_tf(applied)


def test_a_kubectl_manifest_field_the_crd_does_not_have_is_refused() -> None:
    error = refused("notes", SECRET + "      refreshIntervl: 5m\n")
    assert error.line == 4 and "(did you mean `refreshInterval`?)" in error.message
    error = refused("notes", SECRET + "      refreshInterval: [5m]\n")
    assert "refreshInterval: expected string, got a collection" in error.message


def test_kubectl_manifest_rename_and_rename_of_a_missing_item() -> None:
    applied = apply(
        "notes",
        SECRET
        + "      data:\n"
        + "        - {secretKey: password, $rename: pass}\n"
        + "        - {secretKey: gone, $rename: other}\n",
    )
    text = applied.files["secrets.tf"]
    assert 'secretKey = "pass"' in text and 'secretKey = "password"' not in text
    assert "other" not in text and "gone" not in text
    assert [d.message for d in applied.diagnostics] == ["no item with secretKey 'gone' to rename"]


def test_lifecycle_and_depends_on_take_bare_references() -> None:
    spec = """\
    overrides:
      kubernetes_deployment.app:
        lifecycle:
          ignore_changes:
            - spec[0].replicas
            - metadata[0].annotations
          prevent_destroy: true
        depends_on: ["kubernetes_service.app"]
      kubernetes_service.app:
        lifecycle: {ignore_changes: all}
    """
    text = main_tf(apply("searxng", spec))
    assert "ignore_changes  = [spec[0].replicas, metadata[0].annotations]" in text
    assert "depends_on = [kubernetes_service.app]" in text
    assert "ignore_changes = all" in text
    error = refused("searxng", spec.replace("- spec[0].replicas", '- "x y"'))
    assert "expected references" in error.message


def test_a_keyed_item_whose_key_is_a_variable_matches_its_default() -> None:
    spec = """\
    overrides:
      kubernetes_ingress_v1.app:
        spec:
          rule:
            - host: search.example.org
              http: {path: [{path: /api, path_type: Exact, backend: {service: {name: x, port: {number: 80}}}}]}
    """
    text = main_tf(apply("searxng", spec))
    assert text.count("rule {") == 1 and 'path      = "/api"' in text
    assert "host = var.hostname" in text


@pytest.mark.shared
def test_overrides_on_every_cluster_state_module_pass_validation(
    cluster_state_generations, tmp_path: Path
) -> None:
    """A limit, a `$var` over the image template, an env var and an annotation on each."""
    pytest.importorskip("jsonschema")
    from generator.overrides import from_data
    from generator.writer import write_module
    from tools.validation import Check, validate_paths

    written = 0
    for service, generation in cluster_state_generations.items():
        if service == "__out__" or isinstance(generation, InputError):
            continue
        overrides: dict = {}
        for resource in parse_document(generation.files["main.tf"]).resources():
            kind, name = resource.labels
            if kind == "kubernetes_service":
                overrides[f"{kind}.{name}"] = {"metadata": {"annotations": {"a.example/b": "c"}}}
            if kind not in ("kubernetes_deployment", "kubernetes_stateful_set"):
                continue
            pod = resource.body.blocks("spec")[0].body.blocks("template")[0].body.blocks("spec")[0]
            first = pod.body.blocks("container")[0].body.attribute("name")
            assert first is not None
            container = {
                "name": getattr(first.value, "value", None),
                "resources": {"limits": {"cpu": "750m"}},
                "image": {"$var": f"{name}_image"},
                "env": [{"name": "ADDED", "value": "x ${y}"}],
            }
            overrides[f"{kind}.{name}"] = {
                "spec": {"template": {"spec": {"container": [container]}}}
            }
        source = from_data("spec", overrides)
        if source is None:
            continue
        applied = apply_overrides(generation.files, source)
        assert applied.overridden
        write_module(tmp_path / service, applied.files)
        written += 1
    assert written >= 15
    report = validate_paths([str(tmp_path)])
    others = [f for f in report.errors if f.check is not Check.RUNTIME]
    assert not others, "\n".join(str(f) for f in others)

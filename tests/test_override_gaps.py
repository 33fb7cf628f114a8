"""What the contract of `overrides:` covers beyond the merge rules: deletes that cascade,
`depends_on`, `locals.NAME`, declared and renamed variables, expression keys."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from generator.diagnostics import InputError
from generator.pipeline import Generation, generate
from generator.service_spec import load_service_spec
from generator.settings import load_settings

SPECS = Path(__file__).resolve().parent.parent / "specs"


def generated(tmp_path: Path, service: str, overrides: str, **extra: str) -> Generation:
    """`service` from a copy of specs/ whose spec holds `overrides` (YAML text)."""
    specs = tmp_path / "specs"
    if not specs.exists():
        shutil.copytree(SPECS, specs)
    spec_file = specs / f"{service}.yaml"
    kept = [
        line
        for line in spec_file.read_text().splitlines()
        if line.startswith(("jobspec", "pattern"))
    ]
    spec_file.write_text("\n".join(kept) + "\n" + textwrap.dedent(overrides))
    for name, text in extra.items():
        (specs / service).mkdir(exist_ok=True)
        (specs / service / name).write_text(text)
    return generate(
        service,
        specs / f"{service}.nomad.hcl",
        load_settings(specs / "settings.yaml"),
        load_service_spec(spec_file),
        specs_dir=specs,
    )


def refused(tmp_path: Path, service: str, overrides: str) -> InputError:
    with pytest.raises(InputError) as raised:
        generated(tmp_path, service, overrides)
    return raised.value


def codes(generation: Generation, code: str) -> list[str]:
    return [f"{d.path}: {d.message}" for d in generation.diagnostics if d.code == code]


# ---- $delete cascades ----


def test_deleting_a_resource_drops_the_outputs_that_read_it(tmp_path: Path) -> None:
    generation = generated(
        tmp_path,
        "searxng",
        """\
        overrides:
          kubernetes_ingress_v1.app: {$delete: true}
          kubernetes_service.app: {$delete: true}
        """,
    )
    outputs = generation.files["outputs.tf"]
    assert "kubernetes_service.app" not in outputs
    assert 'output "namespace"' in outputs
    assert any("output.service_name" in c for c in codes(generation, "override-cascade"))


def test_a_deleted_resource_still_referred_to_is_refused(tmp_path: Path) -> None:
    error = refused(tmp_path, "searxng", "overrides:\n  kubernetes_service.app: {$delete: true}\n")
    assert error.code == "invalid-override"
    assert "kubernetes_ingress_v1.app" in error.message
    assert error.line == 4


def test_no_house_addition_for_a_deleted_workload(tmp_path: Path) -> None:
    kept = generated(tmp_path, "searxng", "overrides: {}\n")
    assert "vpa-app.tf" in kept.files
    generation = generated(
        tmp_path, "searxng", "overrides:\n  kubernetes_deployment.app: {$delete: true}\n"
    )
    assert "vpa-app.tf" not in generation.files
    assert "kubernetes_deployment.app" not in generation.files["main.tf"]


DROP_SHIPPER = """\
overrides:
  kubernetes_deployment.app:
    spec:
      template:
        spec:
          container:
            - {name: log-shipper, $delete: true}
          volume:
            - {name: log-shipper-config, $delete: true}
            - {name: local-log-shipper, $delete: true}
  kubernetes_config_map.app_log_shipper: {$delete: true}
"""


def test_a_variable_nothing_reads_after_the_overrides_is_removed(tmp_path: Path) -> None:
    generation = generated(tmp_path, "dns-filter", DROP_SHIPPER)
    assert 'variable "vector_image_tag"' not in generation.files["variables.tf"]
    assert "vector_image_tag" not in generation.files["README.md"]
    assert 'variable "image_tag"' in generation.files["variables.tf"]
    assert any("vector_image_tag" in c for c in codes(generation, "override-cascade"))


def test_a_variable_an_addition_reads_is_kept(tmp_path: Path) -> None:
    addition = 'output "shipper" {\n  value = var.vector_image_tag\n}\n'
    generation = generated(tmp_path, "dns-filter", DROP_SHIPPER, **{"extra.tf": addition})
    assert 'variable "vector_image_tag"' in generation.files["variables.tf"]


def test_a_variable_an_expr_reads_is_kept(tmp_path: Path) -> None:
    spec = DROP_SHIPPER.replace(
        "    spec:\n",
        "    metadata:\n      annotations: {shipper: {$expr: var.vector_image_tag}}\n    spec:\n",
        1,
    )
    generation = generated(tmp_path, "dns-filter", spec)
    assert 'variable "vector_image_tag"' in generation.files["variables.tf"]


# ---- depends_on ----


def _resource(text: str, address: str) -> str:
    type_, name = address.split(".")
    start = text.index(f'resource "{type_}" "{name}"')
    end = text.find('\nresource "', start + 1)
    return text[start : end if end > 0 else len(text)]


def test_workloads_reading_the_external_secret_depend_on_it(tmp_path: Path) -> None:
    main = generated(tmp_path, "notes", "overrides: {}\n").files["main.tf"]
    assert "depends_on = [kubectl_manifest.external_secret]" in _resource(
        main, "kubernetes_deployment.web"
    )
    assert "depends_on" not in _resource(main, "kubernetes_deployment.redis")


def test_deleting_the_external_secret_drops_it_from_depends_on(tmp_path: Path) -> None:
    generation = generated(
        tmp_path, "notes", "overrides:\n  kubectl_manifest.external_secret: {$delete: true}\n"
    )
    assert "depends_on" not in generation.files["main.tf"]
    assert any("depends_on" in c for c in codes(generation, "override-cascade"))


def test_depends_on_names_a_resource_of_the_module(tmp_path: Path) -> None:
    spec = """\
    overrides:
      kubernetes_deployment.redis:
        depends_on: [kubectl_manifest.external_secrets]
    """
    error = refused(tmp_path, "notes", spec)
    written = (tmp_path / "specs" / "notes.yaml").read_text().splitlines()
    assert error.code == "invalid-override"
    assert error.line == 1 + next(i for i, line in enumerate(written) if "depends_on" in line)
    assert "did you mean `kubectl_manifest.external_secret`" in error.message
    fixed = generated(tmp_path, "notes", spec.replace("secrets]", "secret]"))
    assert "depends_on = [kubectl_manifest.external_secret]" in _resource(
        fixed.files["main.tf"], "kubernetes_deployment.redis"
    )


def test_depends_on_may_name_a_resource_of_an_addition(tmp_path: Path) -> None:
    claim = 'resource "kubernetes_persistent_volume_claim_v1" "data" {\n}\n'
    generation = generated(
        tmp_path,
        "searxng",
        """\
        overrides:
          kubernetes_deployment.app:
            depends_on: [kubernetes_persistent_volume_claim_v1.data]
        """,
        **{"pvc.tf": claim},
    )
    assert (
        "depends_on = [kubernetes_persistent_volume_claim_v1.data]" in generation.files["main.tf"]
    )


# ---- locals.NAME ----


def test_a_local_map_merges_and_a_scalar_replaces(tmp_path: Path) -> None:
    generation = generated(
        tmp_path,
        "searxng",
        """\
        overrides:
          locals.labels: {environment: poc, team: search}
          locals.app_name: search
        """,
    )
    main = generation.files["main.tf"]
    assert 'environment = "poc"' in main and 'team        = "search"' in main
    assert 'environment = "prod"' not in main
    assert 'app_name = "search"' in main
    assert {o.address for o in generation.overridden} == {"locals.labels", "locals.app_name"}


def test_an_unknown_local_is_refused_with_a_did_you_mean(tmp_path: Path) -> None:
    error = refused(tmp_path, "searxng", "overrides:\n  locals.label: {environment: poc}\n")
    assert error.code == "invalid-override" and error.line == 4
    assert "did you mean `labels`" in error.message


# ---- variable.NAME: declare, rename ----


def test_variable_declares_an_input_the_generator_does_not_write(tmp_path: Path) -> None:
    generation = generated(
        tmp_path,
        "searxng",
        """\
        overrides:
          kubernetes_deployment.app:
            spec:
              template:
                spec:
                  container:
                    - name: searxng
                      image: {$expr: '"${var.image}:${var.image_tag}"'}
          variable.image: {default: docker.io/searxng/searxng, description: Image.}
          variable.token: {type: string}
        """,
    )
    variables = generation.files["variables.tf"]
    assert 'variable "image" {' in variables
    assert 'default     = "docker.io/searxng/searxng"' in variables
    token = variables[variables.index('variable "token"') :]
    assert "type        = string" in token and "default" not in token.split("}")[0]
    assert 'image = "${var.image}:${var.image_tag}"' in generation.files["main.tf"]
    unread = [d for d in generation.diagnostics if d.path == "variable.token"]
    assert unread and unread[0].severity == "warning"
    assert "image" in generation.files["README.md"]


def test_a_declared_variable_with_a_bad_type_is_refused(tmp_path: Path) -> None:
    error = refused(tmp_path, "searxng", "overrides:\n  variable.x: {type: strang}\n")
    assert error.code == "invalid-override" and "not a Terraform type" in error.message


def test_renaming_a_variable_rewrites_every_reference(tmp_path: Path) -> None:
    generation = generated(
        tmp_path, "searxng", "overrides:\n  variable.hostname: {$rename: console_hostname}\n"
    )
    files = generation.files
    assert 'variable "console_hostname" {' in files["variables.tf"]
    joined = "".join(text for name, text in files.items() if name.endswith(".tf"))
    assert "var.hostname" not in joined
    assert "var.console_hostname" in files["main.tf"]
    assert "var.console_hostname" in files["outputs.tf"]
    assert "console_hostname" in files["README.md"]
    assert any(o.new == "var.console_hostname" for o in generation.overridden)


def test_renaming_an_unknown_variable_is_refused(tmp_path: Path) -> None:
    error = refused(tmp_path, "searxng", "overrides:\n  variable.hostnme: {$rename: host}\n")
    assert "did you mean `hostname`" in error.message


def test_a_declared_variable_nothing_reads_is_a_warning_with_a_did_you_mean(
    tmp_path: Path,
) -> None:
    generation = generated(tmp_path, "searxng", "overrides:\n  variable.hostnme: {default: x}\n")
    warned = [d for d in generation.diagnostics if d.path == "variable.hostnme"]
    assert warned and warned[0].severity == "warning"
    assert "did you mean `hostname`" in warned[0].message


# ---- reports after $rename; $expr in a list ----


def test_infos_after_a_rename_name_the_new_key(tmp_path: Path) -> None:
    generation = generated(
        tmp_path,
        "searxng",
        """\
        overrides:
          kubernetes_deployment.app:
            spec:
              template:
                spec:
                  container:
                    - {name: searxng, $rename: search, working_dir: null}
        """,
    )
    not_applied = [d for d in generation.diagnostics if d.code == "override-not-applied"]
    paths = [d.path for d in not_applied if d.path is not None]
    assert len(paths) == len(not_applied), not_applied
    assert any(p.endswith("container[search].working_dir") for p in paths), paths
    assert not any("container[searxng].working_dir" in p for p in paths)


INGRESS_TLS = """\
overrides:
  kubernetes_ingress_v1.app:
    spec:
      tls: [{hosts: HOSTS, secret_name: wildcard}]
"""


def test_expr_and_var_inside_a_list_of_scalars(tmp_path: Path) -> None:
    spec = INGRESS_TLS.replace("HOSTS", '[{$expr: var.hostname}, "www.example.org"]')
    main = generated(tmp_path, "searxng", spec).files["main.tf"]
    assert 'hosts = [ var.hostname, "www.example.org", ]' in " ".join(main.split())


def test_expr_nested_in_a_map_value_says_to_write_one_expression(tmp_path: Path) -> None:
    spec = """\
    overrides:
      kubernetes_deployment.app:
        metadata:
          annotations: {a: [{$expr: var.hostname}]}
    """
    error = refused(tmp_path, "searxng", spec)
    assert "write the whole value as one expression" in error.message


# ---- items keyed by an expression (`host = var.hostname`) ----

RULE = """\
overrides:
  kubernetes_ingress_v1.app:
    spec:
      rule:
        - host: HOST
          http: {path: [{path: /api, path_type: Exact, backend: {service: {name: x, port: {number: 80}}}}]}
"""


@pytest.mark.parametrize("host", ["{$expr: var.hostname}", '"${var.hostname}"', "var.hostname"])
def test_an_item_keyed_by_an_expression_is_named_by_it(tmp_path: Path, host: str) -> None:
    main = generated(tmp_path, "searxng", RULE.replace("HOST", host)).files["main.tf"]
    assert main.count("rule {") == 1 and "host = var.hostname" in main
    assert '"/api"' in main


def test_a_new_item_keyed_by_an_expression_is_added_with_it(tmp_path: Path) -> None:
    spec = (
        RULE.replace("HOST", "{$expr: var.other_host}")
        + "  variable.other_host: {default: a.example.org}\n"
    )
    main = generated(tmp_path, "searxng", spec).files["main.tf"]
    assert main.count("rule {") == 2 and "host = var.other_host" in main


@pytest.mark.parametrize("host", ['"${var.other}"', "var.namespace"])
def test_a_literal_key_that_reads_as_an_expression_is_never_appended(
    tmp_path: Path, host: str
) -> None:
    error = refused(tmp_path, "searxng", RULE.replace("HOST", host))
    assert error.code == "invalid-override"
    assert "the module's are: var.hostname" in error.message and "$expr" in error.message


def test_rename_to_an_expression(tmp_path: Path) -> None:
    spec = """\
    overrides:
      kubernetes_ingress_v1.app:
        spec:
          rule:
            - {host: var.hostname, $rename: {$expr: var.console_hostname}}
      variable.console_hostname: {default: console.example.org}
    """
    main = generated(tmp_path, "searxng", spec).files["main.tf"]
    assert "host = var.console_hostname" in main


# ---- blocks written as `dynamic` ----

DYNAMIC_RULE = """\
overrides:
  kubernetes_ingress_v1.app:
    spec:
      rule: RULE
"""
BACKEND_80 = (
    "{http: {path: [{path: /, path_type: Prefix,"
    ' backend: {service: {name: {$expr: "kubernetes_service.app.metadata[0].name"},'
    " port: {number: 80}}}}]}}"
)


def test_an_override_of_a_dynamic_block_applies_to_its_content(tmp_path: Path) -> None:
    generation = generated(tmp_path, "static-sites", DYNAMIC_RULE.replace("RULE", BACKEND_80))
    main = generation.files["main.tf"]
    content = main[main.index('dynamic "rule"') :]
    assert "host = rule.value" in content and "number = 80" in content
    assert 'name = "http"' not in content.split("tls")[0]


def test_a_keyed_item_of_a_dynamic_block_is_refused(tmp_path: Path) -> None:
    error = refused(
        tmp_path, "static-sites", DYNAMIC_RULE.replace("RULE", "[{host: a.example.org}]")
    )
    assert "dynamic" in error.message and "toset(var.hostnames)" in error.message


def test_a_dynamic_block_can_be_deleted(tmp_path: Path) -> None:
    spec = DYNAMIC_RULE.replace("RULE", "{$delete: true}")
    assert 'dynamic "rule"' not in generated(tmp_path, "static-sites", spec).files["main.tf"]


def test_infos_after_a_manifest_item_rename_name_the_new_key(tmp_path: Path) -> None:
    generation = generated(
        tmp_path,
        "notes",
        """\
        overrides:
          kubectl_manifest.external_secret:
            spec:
              data:
                - {secretKey: password, $rename: db-password, remoteRef: {version: null}}
        """,
    )
    not_applied = [d for d in generation.diagnostics if d.code == "override-not-applied"]
    paths = [d.path for d in not_applied if d.path is not None]
    assert len(paths) == len(not_applied), not_applied
    assert any("data[db-password].remoteRef.version" in p for p in paths), paths
    assert 'secretKey = "db-password"' in generation.files["secrets.tf"]

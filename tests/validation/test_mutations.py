"""Each check catches what it claims: one mutated copy of the valid fixture per defect.

All mutants are validated in one `validate_paths` call (one Terraform worker
per version set for all of them). Every mutant must produce the expected
findings, on the line of the edit, and nothing from the checks not expected
to fire: the fixture itself is clean (test_valid_fixture).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.validation.validation_helpers import (
    copy_valid_module,
    line_of,
    replace_in,
    require_terraform,
)
from tools.validation import Check, ValidationReport, validate_paths
from tools.validation.locate import SchemaPlan

SCHEMA, TERRAFORM, CRD, FMT = Check.SCHEMA, Check.TERRAFORM, Check.CRD, Check.FMT

pytestmark = pytest.mark.shared  # every test checks the mutants against ../shared schemas


@dataclass(frozen=True)
class Mutation:
    name: str
    file: str
    old: str
    new: str
    marker: str  # text on the line the findings must point at
    expected: tuple[tuple[Check, str], ...]  # (check, fragment of the message)


MUTATIONS = (
    Mutation(
        "misspelled_attribute",
        "main.tf",
        "            value = local.app_name",
        "            valeu = local.app_name",
        "valeu",
        (
            (SCHEMA, 'container.env.valeu: unknown argument "valeu" (did you mean "value"?)'),
            (TERRAFORM, 'Unsupported argument: An argument named "valeu" is not expected here'),
        ),
    ),
    Mutation(
        "attribute_written_as_block",
        "main.tf",
        "            requests = {",
        "            requests {",
        "requests {",
        (
            (SCHEMA, 'resources.requests: "requests" is an argument, not a block'),
            (TERRAFORM, 'Unsupported block type: Blocks of type "requests" are not expected'),
        ),
    ),
    Mutation(
        "block_written_as_attribute",
        "main.tf",
        "          host_path {",
        "          host_path = {",
        "host_path = {",
        (
            (SCHEMA, 'volume.host_path: "host_path" is a block, not an argument'),
            (TERRAFORM, 'Unsupported argument: An argument named "host_path" is not expected'),
        ),
    ),
    Mutation(
        "missing_required_argument",
        "main.tf",
        "          name  = local.app_name\n          image",
        "          image",
        "        container {",
        (
            (SCHEMA, 'spec.template.spec.container: missing required argument "name"'),
            (TERRAFORM, 'Missing required argument: The argument "name" is required'),
        ),
    ),
    Mutation(
        "block_at_wrong_depth",
        "main.tf",
        "        container {\n",
        "        port {\n          container_port = 8081\n        }\n\n        container {\n",
        "        port {",
        (
            (SCHEMA, 'spec.template.spec.port: unknown block "port" (it belongs in '),
            (TERRAFORM, 'Unsupported block type: Blocks of type "port" are not expected here'),
        ),
    ),
    Mutation(
        "wrong_literal_type_number",
        "main.tf",
        "            container_port = 8080",
        '            container_port = "web"',
        'container_port = "web"',
        (
            (SCHEMA, "container_port: wrong type: number required, got string 'web'"),
            (TERRAFORM, 'Inappropriate value for attribute "container_port": a number is required'),
        ),
    ),
    Mutation(
        "wrong_literal_type_bool",
        "main.tf",
        "            read_only  = true",
        '            read_only  = "yes"',
        'read_only  = "yes"',
        (
            (SCHEMA, "read_only: wrong type: bool required, got string 'yes'"),
            (TERRAFORM, 'Inappropriate value for attribute "read_only": a bool is required'),
        ),
    ),
    Mutation(
        "undeclared_variable",
        "main.tf",
        '    ingress_class_name = "traefik"',
        "    ingress_class_name = var.ingress_class",
        "var.ingress_class",
        (
            (
                TERRAFORM,
                'Reference to undeclared input variable: An input variable with the name "ingress_class"',
            ),
        ),
    ),
    Mutation(
        "attribute_only_in_2_38",
        "main.tf",
        '            name       = "config"\n'
        '            mount_path = "/config"\n'
        "            read_only  = true\n",
        '            name          = "config"\n'
        '            mount_path    = "/config"\n'
        "            read_only     = true\n"
        '            sub_path_expr = "$(POD_NAME)"\n',
        "sub_path_expr",
        (
            (SCHEMA, 'unknown argument "sub_path_expr" (did you mean "sub_path"?) (with 2.35.1)'),
            (TERRAFORM, 'An argument named "sub_path_expr" is not expected here. (with 2.35.1)'),
        ),
    ),
    Mutation(
        "computed_only_attribute",
        "main.tf",
        "    labels    = local.labels\n    annotations = {",
        '    labels    = local.labels\n    uid       = "1234"\n    annotations = {',
        'uid       = "1234"',
        ((SCHEMA, 'metadata.uid: "uid" is computed by the provider: cannot be set'),),
    ),
    Mutation(
        "too_many_blocks",
        "main.tf",
        '      secret_name = "wildcard-example-org-tls"\n    }\n  }\n',
        '      secret_name = "wildcard-example-org-tls"\n    }\n  }\n\n'
        '  metadata { # a second metadata block\n    name = "extra"\n  }\n',
        "a second metadata block",
        (
            (SCHEMA, 'kubernetes_ingress_v1.app: metadata: at most 1 "metadata" block allowed'),
            (TERRAFORM, 'Too many metadata blocks: No more than 1 "metadata" blocks are allowed'),
        ),
    ),
    Mutation(
        "crd_unknown_field",
        "secrets.tf",
        '      refreshInterval = "1h"',
        '      refreshIntervall = "1h"',
        "refreshIntervall",
        (
            (
                CRD,
                'spec.refreshIntervall: unknown field "refreshIntervall" (did you mean "refreshInterval"?)',
            ),
        ),
    ),
    Mutation(
        "crd_bad_enum",
        "secrets.tf",
        '        kind = "ClusterSecretStore"',
        '        kind = "ClusterStore"',
        'kind = "ClusterStore"',
        ((CRD, "spec.secretStoreRef.kind: 'ClusterStore' is not one of"),),
    ),
    Mutation(
        "crd_unknown_kind",
        "secrets.tf",
        '    kind       = "ExternalSecret"',
        '    kind       = "ExternalSecrets"',
        "yaml_body",
        ((CRD, 'no CRD schema for apiVersion "external-secrets.io/v1" kind "ExternalSecrets"'),),
    ),
    Mutation(
        "not_formatted",
        "main.tf",
        "          name  = local.app_name\n",
        "          name = local.app_name\n",
        "name = local.app_name",
        ((FMT, "not formatted as `terraform fmt` writes it: 'name = local.app_name'"),),
    ),
)


@dataclass(frozen=True)
class _Mutants:
    root: Path
    report: ValidationReport


@pytest.fixture(scope="module")
def mutants(tmp_path_factory: pytest.TempPathFactory, shared_plan: SchemaPlan) -> _Mutants:
    root = tmp_path_factory.mktemp("mutants")
    for mutation in MUTATIONS:
        module = copy_valid_module(root / mutation.name)
        replace_in(module / mutation.file, mutation.old, mutation.new)
    return _Mutants(root, validate_paths([root], plan=shared_plan))


def _findings(mutants: _Mutants, mutation: Mutation) -> list[tuple[Check, int | None, str]]:
    module = next(m for m in mutants.report.modules if m.path.name == mutation.name)
    return [(f.check, f.line, f.message) for f in module.findings]


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.name)
def test_mutation_is_caught_on_its_line(mutants: _Mutants, mutation: Mutation) -> None:
    if any(check in (TERRAFORM, FMT) for check, _ in mutation.expected):
        require_terraform()
    findings = _findings(mutants, mutation)
    line = line_of(mutants.root / mutation.name / mutation.file, mutation.marker)
    for check, fragment in mutation.expected:
        matching = [(ln, msg) for c, ln, msg in findings if c == check and fragment in msg]
        assert matching, f"{check}: no finding with {fragment!r}; got {findings}"
        assert any(ln == line for ln, _ in matching), f"{check}: not on line {line}: {matching}"
    expected_checks = {check for check, _ in mutation.expected}
    if TERRAFORM in mutants.report.skipped:
        expected_checks |= {TERRAFORM, FMT}  # not run: nothing to compare
    unexpected = [f for f in findings if f[0] not in expected_checks]
    assert not unexpected, f"checks that should stay quiet reported: {unexpected}"


def test_every_check_ran_on_the_mutants(mutants: _Mutants) -> None:
    require_terraform()
    assert mutants.report.skipped == {}
    assert mutants.report.terraform_labels == ["2.35.1", "2.38.0"]
    assert len(mutants.report.modules) == len(MUTATIONS)
    assert not mutants.report.ok

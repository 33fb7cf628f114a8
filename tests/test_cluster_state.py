"""The real homelab of ../shared/corpus/cluster-state, end to end.

Every jobspec yields a module that passes every validation check, or exits 2
with one line; nothing of the multi-group jobs is lost without a diagnostic.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from generator.diagnostics import InputError
from generator.hcl import parse_hcl
from generator.hcl.evaluate import evaluate_jobspec
from generator.model_builder import build_job
from generator.pipeline import Generation
from tests.shared_access import shared_path

VARS: dict[str, dict[str, str]] = {}  # elk's elastic_version becomes a module input
CSI_PLUGINS = {
    "plugin-csi-controller",
    "plugin-csi-glusterfs-controller",
    "plugin-csi-glusterfs-nodes",
    "plugin-csi-nodes",
}
EXPECTED_PATTERNS = {
    "overseerr": "B",
    "ollama-core": "D",
    "renovate": "E",
    "restic-backup": "E",
    "plextraktsync": "E",
}
MULTI_GROUP = ["appflowy", "matrix", "open-webui", "nextcloud", "media-centre"]
MIGRATABLE = [
    "appflowy",
    "elk",
    "forgejo",
    "gitlab",
    "gitlab-runner",
    "jayne-martin-counselling",
    "keycloak",
    "matrix",
    "media-centre",
    "minio",
    "nextcloud",
    "nginx-sites",
    "ollama",
    "ollama-core",
    "open-webui",
    "overseerr",
    "plextraktsync",
    "renovate",
    "restic-backup",
    "searxng",
    "vaultwarden",
]
pytestmark = pytest.mark.shared


@pytest.fixture
def generations(cluster_state_generations: dict[str, Any]) -> dict[str, Any]:
    return cluster_state_generations


def _text(generation: Generation) -> str:
    return "\n".join(generation.files.values())


def test_every_jobspec_yields_a_module_or_one_input_error(generations) -> None:
    errors = {s: e for s, e in generations.items() if isinstance(e, InputError)}
    assert set(errors) == CSI_PLUGINS
    for error in errors.values():
        assert error.code == "csi-plugin" and error.line


def test_every_module_passes_every_validation_check(generations) -> None:
    pytest.importorskip("jsonschema")
    from tools.validation import Check, validate_paths
    from tools.validation.known_failures import load_known, unexpected_runtime_errors

    report = validate_paths([str(generations["__out__"])])
    others = [f for f in report.errors if f.check is not Check.RUNTIME]
    assert not others, "\n".join(str(f) for f in others)
    known = load_known(Path(__file__).parent / "known-runtime-failures-cluster-state.txt")
    assert unexpected_runtime_errors(report, known) == []
    assert len(report.modules) == 21


def test_elk_takes_elastic_version_as_a_required_input_feeding_both_images(generations) -> None:
    elk = generations["elk"]
    assert 'variable "elastic_version" {\n' in elk.files["variables.tf"]
    block = elk.files["variables.tf"].split('variable "elastic_version" {')[1].split("}")[0]
    assert not re.search(r"^\s*default\s*=", block, re.M)
    images = re.findall(r'image += "([^"]+)"', elk.files["main.tf"])
    assert sorted(images) == [
        "docker.elastic.co/elasticsearch/elasticsearch:${var.elastic_version}",
        "docker.elastic.co/kibana/kibana:${var.elastic_version}",
    ]


def test_automatic_patterns(generations) -> None:
    for service, pattern in EXPECTED_PATTERNS.items():
        assert generations[service].classification.pattern.value == pattern, service
    runner = generations["gitlab-runner"].classification
    assert all(group.worker for group in runner.groups.values())
    plex = generations["media-centre"].classification.groups["plex"]
    assert plex.pattern.value == "B"
    assert any("GPU" in reason for reason in plex.reasons)
    for generation in generations.values():
        if isinstance(generation, Generation) and generation.classification.pattern.value == "C":
            assert any("volume" in r or "bind" in r for r in generation.classification.reasons)


def _model(jobspec: Path):
    root = parse_hcl(jobspec.read_text(), str(jobspec))
    service = jobspec.name.removesuffix(".nomad.hcl")
    return build_job(evaluate_jobspec(root, VARS.get(service, {}), []).root)


def _reported(generation: Generation, line: int, words: tuple[str, ...] = ()) -> bool:
    return any(
        d.line == line or any(w in (d.path or "") + d.message for w in words)
        for d in generation.diagnostics
    )


@pytest.mark.parametrize("service", MULTI_GROUP)
def test_multi_group_jobs_get_one_workload_per_group(generations, service: str) -> None:
    job = _model(shared_path("corpus", "cluster-state", f"{service}.nomad.hcl"))
    main = generations[service].files["main.tf"]
    workloads = re.findall(r'resource "kubernetes_(?:deployment|stateful_set)" ', main)
    assert len(workloads) == len(job.groups)


@pytest.mark.parametrize("service", MIGRATABLE)
def test_every_container_port_env_mount_and_check_is_kept_or_reported(
    generations, service: str
) -> None:
    generation = generations[service]
    job = _model(shared_path("corpus", "cluster-state", f"{service}.nomad.hcl"))
    main = generation.files["main.tf"]
    text = _text(generation)
    for group in job.groups:
        for port in group.network.ports if group.network else ():
            number = port.to or port.static
            assert f"container_port = {number}" in main or _reported(generation, port.line), (
                service,
                group.name,
                port.label,
            )
        for task in group.tasks:
            name = task.name.replace("_", "-")
            declared = re.search(rf'\bname\s+= "{re.escape(name)}"', main)
            assert declared or _reported(generation, task.line), task.name
            for env in task.env:
                assert f'"{env}"' in main or _reported(generation, task.env_lines[env]), env
            for mount in task.volume_mounts:
                assert f'"{mount.destination}"' in main or _reported(generation, mount.line)
            for template in task.templates:
                destination = template.destination.rsplit("/", 1)[-1]
                assert destination in text or template.env or _reported(generation, template.line)
        for service_def in group.all_services():
            for check in service_def.checks:
                probe = {"http": "http_get", "tcp": "tcp_socket", "script": "exec", "grpc": "grpc"}
                assert probe.get(check.type, "?") in main or _reported(generation, check.line)


def test_vaultwarden_secrets_become_external_secret_references(generations) -> None:
    generation = generations["vaultwarden"]
    secrets = generation.files["secrets.tf"]
    main = generation.files["main.tf"]
    for key in ("DATABASE_URL", "SMTP_PASSWORD", "ADMIN_TOKEN"):
        assert f'secretKey = "{key}"' in secrets
        block = main[main.index(f'name = "{key}"') :][:200]
        assert "secret_key_ref" in block
    assert re.search(r'name\s+= "SMTP_HOST"\n\s+value\s+= "', main)


def test_overseerr_litestream_config_is_a_config_map_with_credentials_from_the_secret(
    generations,
) -> None:
    generation = generations["overseerr"]
    main = generation.files["main.tf"]
    assert "init_container {" in main
    assert main.count('mount_path = "/local/litestream.yml"') == 2
    config_maps = re.findall(r'resource "kubernetes_config_map" "(\w+)"', main)
    assert len(config_maps) == 2
    assert "access-key-id: $${MINIO_ACCESS_KEY}" in main
    assert "secret_key_ref" in main and 'key  = "MINIO_SECRET_KEY"' in main
    variables = generation.files["variables.tf"]
    for name in ("litestream_image_tag", "minio_endpoint", "litestream_bucket"):
        assert f'variable "{name}"' in variables
    assert 'resource "kubernetes_stateful_set"' in main


def test_every_template_block_maps_or_is_reported(
    generations, cluster_state_jobspecs: list[Path]
) -> None:
    for jobspec in cluster_state_jobspecs:
        generation = generations[jobspec.name.removesuffix(".nomad.hcl")]
        if not isinstance(generation, Generation):
            continue
        job = _model(jobspec)
        text = _text(generation)
        for group in job.groups:
            for task in group.tasks:
                for template in task.templates:
                    if template.env:
                        names = re.findall(r"^\s*([A-Z_][A-Z0-9_]*)=", template.data or "", re.M)
                        missing = [n for n in names if f'"{n}"' not in text]
                        assert not missing or _reported(generation, template.line), missing
                    else:
                        destination = template.destination.rsplit("/", 1)[-1]
                        assert destination in text or _reported(generation, template.line)


def test_every_cluster_state_file_is_either_checked_above_or_a_csi_plugin(
    cluster_state_jobspecs: list[Path],
) -> None:
    files = {p.name.removesuffix(".nomad.hcl") for p in cluster_state_jobspecs}
    assert files == set(MIGRATABLE) | CSI_PLUGINS

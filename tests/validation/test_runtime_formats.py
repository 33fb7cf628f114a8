"""The runtime check's building blocks: formats, the cron grammar, `$(VAR)`, values, snippets."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.diagnostics import Severity
from tests.validation.validation_helpers import VALID_MODULE, copy_valid_module, replace_in
from tools.validation import Check, validate_paths
from tools.validation import runtime_formats as formats
from tools.validation.known_failures import apply_known, finding_key
from tools.validation.module_files import load_module
from tools.validation.runtime_pod_rules import host_path_kind
from tools.validation.runtime_rules import RUNTIME_RULES, rule_table_lines
from tools.validation.runtime_values import UNKNOWN, Values
from tools.validation.traefik_snippet import check_snippet


@pytest.mark.parametrize(
    "schedule",
    [
        "*/5 * * * *",
        "0 0/2 * * *",
        "0 3 * * MON-FRI",
        "15 4 1,15 jan,jul ?",
        "0 0 31 12 6",
        "@daily",
        "@every 1h30m",
        "5/15 * * * *",
    ],
)
def test_cron_schedules_robfig_accepts(schedule: str) -> None:
    assert formats.cron_schedule(schedule) is None


@pytest.mark.parametrize(
    ("schedule", "fragment"),
    [
        ("0 0 * * * *", "expected exactly 5 fields"),
        ("* * * *", "found 4"),
        ("TZ=UTC 0 3 * * *", "cannot use TZ or CRON_TZ"),
        ("0 3 * * 7", "end of range (7) above maximum (6)"),
        ("60 * * * *", "end of range (60) above maximum (59)"),
        ("0 0 0 * *", "beginning of range (0) below minimum (1)"),
        ("0 5-1 * * *", "beginning of range (5) beyond end of range (1)"),
        ("0 0 * * 1#2", "failed to parse int from 1#2"),
        ("*/0 * * * *", "step of range should be a positive number"),
        ("@reboot", "unrecognized descriptor"),
        ("@every soon", "failed to parse duration"),
        ("", "empty schedule"),
    ],
)
def test_cron_schedules_robfig_refuses(schedule: str, fragment: str) -> None:
    problem = formats.cron_schedule(schedule)
    assert problem is not None and fragment in problem


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("http", None),
        ("web-8080", None),
        ("8080", "has no letter"),
        ("a-very-long-port-name", "longer than 15 characters (21)"),
        ("web--ui", "has '--'"),
        ("-web", "starts or ends with '-'"),
        ("Web", "has characters other than lower-case letters, digits and '-'"),
    ],
)
def test_port_names_are_iana_service_names(name: str, problem: str | None) -> None:
    assert formats.port_name(name) == problem


def test_variable_references_read_as_kubelet_expands() -> None:
    read = list(formats.variable_references("$(A)-$$(B)-$(C-$(D)-$(unclosed $E $"))
    assert read == [
        "A",
        "C-$(D",
    ]


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/var/run/docker.sock", "a socket"),
        ("/run/containerd/containerd.sock", "a socket"),
        ("/dev/net/tun", "a character device"),
        ("/dev/ttyUSB0", "a character device"),
        ("/dev/dri/renderD128", "a character device"),
        ("/dev/sda1", "a block device"),
        ("/dev/dri", "a directory"),
        ("/etc/machine-id", "a file"),
        ("/srv/app/config.yml", "a file"),
        ("/etc/ssl/private/site.pem", "a file"),
        ("/srv/data/", "a directory"),
        ("/srv/data", None),
        ("/etc/nginx/conf.d", None),
        ("/etc/letsencrypt/live/example.com", None),
        ("/dev/bus/usb/001/002", None),
    ],
)
def test_host_path_kinds_only_when_clear(path: str, kind: str | None) -> None:
    assert host_path_kind(path) == kind


def test_names_and_labels() -> None:
    assert formats.dns1035_label("web") is None
    assert formats.dns1035_label("9web") is not None
    assert formats.dns1123_subdomain("a.b-c") is None
    assert formats.dns1123_label("a.b") is not None
    assert formats.label_key("app.kubernetes.io/name") is None
    assert formats.label_key("/name") == "the prefix before '/' is empty"
    assert formats.label_value("") is None
    assert formats.label_value("x" * 64) == "longer than 63 characters (64)"


def test_time_zones() -> None:
    assert formats.time_zone("Local") == "must be an explicit IANA time zone, not Local"
    assert formats.time_zone("UTC") is None


def test_values_resolve_locals_defaults_and_interpolations() -> None:
    values = Values(load_module(VALID_MODULE))
    assert values.text("${local.app_name}-secrets") == "whoami-secrets"
    assert values.resolve({"app": "${local.app_name}"}) == {"app": "whoami"}
    assert values.text("${var.namespace}") == "default"
    assert values.resolve("${kubernetes_service.app.metadata[0].name}") is UNKNOWN
    assert values.resolve("%{if true}x%{endif}") is UNKNOWN


def test_snippet_duplicate_keys_are_found_without_the_schema() -> None:
    text = "http:\n  routers:\n    a:\n      rule: x\n    a:\n      rule: y\n"
    problems = check_snippet(text, None)
    assert [(p.rule, p.line, p.message) for p in problems] == [
        ("traefik-yaml", 5, 'duplicate key "a" (first on line 3)')
    ]
    assert check_snippet("http:\n  routers: {}\n", None) == []


def test_without_shared_the_snippet_schema_is_a_note_and_the_rest_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NOMAD_K8S_GEN_SHARED", str(tmp_path / "missing"))
    module = copy_valid_module(tmp_path / "svc")
    replace_in(module / "traefik-routers.yml", "      stripPrefix:", "      stripprefix:")
    replace_in(module / "main.tf", 'target_port = "http"', 'target_port = "web"')
    report = validate_paths([module], checks=[Check.RUNTIME])
    assert [f.rule for f in report.errors] == ["service-target-port"]
    assert any(
        note.startswith("router snippets not checked against the Traefik v3 schema: ")
        and "missing" in note
        for note in report.notes
    )


@pytest.mark.shared
def test_known_failures_are_warnings_and_stale_entries_a_note(tmp_path: Path) -> None:
    module = copy_valid_module(tmp_path / "svc")
    replace_in(module / "main.tf", 'target_port = "http"', 'target_port = "web"')
    report = validate_paths([module], checks=[Check.RUNTIME])
    key = finding_key(report.errors[0])
    assert key.startswith("svc/main.tf: service-target-port: kubernetes_service.app: target_port")
    apply_known(report, {key, "gone/main.tf: probe-port: x"}, "known.txt")
    assert report.ok
    assert [f.severity for f in report.findings] == [Severity.WARNING]
    assert report.notes[-1] == "known.txt: no longer found, remove: gone/main.tf: probe-port: x"


def test_every_rule_names_its_source() -> None:
    assert all(rule.source and rule.demands for rule in RUNTIME_RULES)
    assert len(rule_table_lines()) == 2 * len(RUNTIME_RULES)


def test_values_resolve_merged_labels(tmp_path: Path) -> None:
    module = copy_valid_module(tmp_path / "svc")
    replace_in(
        module / "main.tf",
        "      metadata {\n        labels = local.labels\n      }",
        '      metadata {\n        labels = merge(local.labels, { component = "web" })\n      }',
    )
    values = Values(load_module(module))
    template = next(b for b in load_module(module).trees["main.tf"].walk() if b.kind == "template")
    metadata = template.child("metadata")
    assert metadata is not None
    labels = values.resolve(metadata.get("labels"))
    assert labels == {
        "app": "whoami",
        "managed-by": "terraform",
        "environment": "prod",
        "component": "web",
    }

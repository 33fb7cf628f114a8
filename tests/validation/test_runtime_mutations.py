"""The runtime check catches each rule: one mutated copy of the valid fixture per defect.

The fixture passes every check (test_valid_fixture); each mutant breaks one
rule the API server, kubelet or Traefik enforces, and must be reported by the
runtime check, on the line of the edit, with only the expected rules. Only the
runtime check runs here (pure Python, no Terraform); the Traefik schema rules
need ../shared.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.diagnostics import Severity
from tests.shared_access import SHARED_ENV
from tests.validation.validation_helpers import copy_valid_module, line_of, replace_in
from tools.validation import Check, ValidationReport, validate_paths
from tools.validation.runtime_rules import RULE_IDS

LIVENESS_PORT = 'liveness_probe {\n            http_get {\n              path = "/health"\n'


@dataclass(frozen=True)
class Mutation:
    name: str
    file: str
    old: str
    new: str
    marker: str  # text on the line the finding must point at
    rule: str
    fragment: str
    also: tuple[str, ...] = ()  # other rules the edit rightly breaks (reported anywhere)
    severity: Severity = Severity.ERROR
    needs: str = ""  # "shared": the Traefik schema; "tzdata": a time zone database


MUTATIONS = (
    Mutation(
        "cron_six_fields",
        "cron.tf",
        'schedule = "30 3 * * 1-5"',
        'schedule = "0 30 3 * * 1-5"',
        "schedule =",
        "cron-schedule",
        "expected exactly 5 fields",
    ),
    Mutation(
        "cron_tz_prefix",
        "cron.tf",
        'schedule = "30 3 * * 1-5"',
        'schedule = "CRON_TZ=Europe/London 30 3 * * 1-5"',
        "schedule =",
        "cron-schedule",
        "cannot use TZ or CRON_TZ in schedule",
    ),
    Mutation(
        "cron_sunday_as_7",
        "cron.tf",
        'schedule = "30 3 * * 1-5"',
        'schedule = "30 3 * * 7"',
        "schedule =",
        "cron-schedule",
        "day of week field '7': end of range (7) above maximum (6)",
    ),
    Mutation(
        "cron_quartz_last_day",
        "cron.tf",
        'schedule = "30 3 * * 1-5"',
        'schedule = "30 3 L * *"',
        "schedule =",
        "cron-schedule",
        "failed to parse int from L",
    ),
    Mutation(
        "cron_unknown_time_zone",
        "cron.tf",
        'timezone = "Europe/London"',
        'timezone = "Europe/Londn"',
        "timezone =",
        "cron-time-zone",
        "unknown time zone 'Europe/Londn'",
        needs="tzdata",
    ),
    Mutation(
        "port_name_too_long",
        "main.tf",
        'name           = "metrics"',
        'name           = "prometheus-metrics"',
        "prometheus-metrics",
        "port-name",
        'port name "prometheus-metrics" longer than 15 characters (18)',
    ),
    Mutation(
        "port_name_upper_case",
        "main.tf",
        'name           = "metrics"',
        'name           = "Metrics"',
        '"Metrics"',
        "port-name",
        "has characters other than lower-case letters, digits and '-'",
    ),
    Mutation(
        "port_name_twice_in_container",
        "main.tf",
        'name           = "metrics"',
        'name           = "http" # again',
        '"http" # again',
        "port-name-unique",
        'port name "http" is declared twice',
    ),
    Mutation(
        "port_name_in_two_containers",
        "main.tf",
        '          volume_mount {\n            name       = "config"\n'
        '            mount_path = "/config"\n            read_only  = true\n          }\n'
        "        }\n",
        '          volume_mount {\n            name       = "config"\n'
        '            mount_path = "/config"\n            read_only  = true\n          }\n'
        "        }\n\n"
        "        container {\n"
        '          name  = "exporter"\n'
        '          image = "prom/exporter:v1"\n\n'
        "          port {\n"
        '            name           = "http" # the sidecar\'s\n'
        "            container_port = 9100\n"
        "          }\n"
        "        }\n",
        "the sidecar's",
        "port-name-unique",
        'container "exporter": port name "http" is also declared by container "whoami"',
    ),
    Mutation(
        "port_number_twice",
        "main.tf",
        "container_port = 9090",
        "container_port = 8080 # again",
        "8080 # again",
        "port-number-duplicate",
        'port 8080/TCP is declared twice (as "http" and "metrics")',
        severity=Severity.WARNING,
    ),
    Mutation(
        "probe_port_not_declared",
        "main.tf",
        LIVENESS_PORT + '              port = "http"',
        LIVENESS_PORT + '              port = "health"',
        'port = "health"',
        "probe-port",
        'liveness_probe.http_get.port "health" is not a port of this container '
        "(its named ports: http, metrics)",
    ),
    Mutation(
        "probe_port_of_another_container",
        "cron.tf",
        "              volume_mount {",
        "              liveness_probe {\n"
        "                tcp_socket {\n"
        '                  port = "metrics"\n'
        "                }\n"
        "              }\n\n"
        "              volume_mount {",
        'port = "metrics"',
        "probe-port",
        'container "backup": liveness_probe.tcp_socket.port "metrics" is not a port of this '
        "container (its named ports: none)",
    ),
    Mutation(
        "service_target_port_not_declared",
        "main.tf",
        'target_port = "http"',
        'target_port = "web"',
        'target_port = "web"',
        "service-target-port",
        'target_port "web" (TCP) is not a port name of the selected pods '
        "(kubernetes_deployment.app; their TCP port names: http, metrics)",
    ),
    Mutation(
        "service_target_port_wrong_protocol",
        "main.tf",
        'target_port = "http"\n',
        'target_port = "http"\n      protocol    = "UDP"\n',
        'target_port = "http"',
        "service-target-port",
        'target_port "http" (UDP) is not a port name of the selected pods',
    ),
    Mutation(
        "ingress_backend_port_name",
        "main.tf",
        "              port {\n                number = 80\n              }",
        '              port {\n                name = "https"\n              }',
        'name = "https"',
        "ingress-backend-port",
        'backend port name "https" is not a port of kubernetes_service.app '
        "(its port names: http)",
    ),
    Mutation(
        "ingress_host_literal_template",
        "main.tf",
        "host = var.hostname",
        'host = "$${var.hostname}"',
        "host = ",
        "ingress-host",
        'rule host "$',
    ),
    Mutation(
        "ingress_host_ip_address",
        "main.tf",
        "host = var.hostname",
        'host = "10.0.0.1"',
        "host = ",
        "ingress-host",
        "must be a DNS name, not an IP address",
    ),
    Mutation(
        "env_reference_undefined",
        "cron.tf",
        'value = "$(APP)-config-$$(HOME)"',
        'value = "$(APP_NAME)-config-$$(HOME)"',
        "$(APP_NAME)",
        "env-reference",
        'env "BACKUP_NAME" refers to $(APP_NAME), not defined before it in this container',
    ),
    Mutation(
        "env_reference_defined_later",
        "cron.tf",
        'value = "$(APP)-config-$$(HOME)"',
        'value = "$(KEEP_DAYS)-config-$$(HOME)"',
        "$(KEEP_DAYS)",
        "env-reference",
        "refers to $(KEEP_DAYS), defined later (line",
    ),
    Mutation(
        "command_reference_undefined",
        "cron.tf",
        "/backup/$(BACKUP_NAME)-",
        "/backup/$(BACKUP_FILE)-",
        "$(BACKUP_FILE)",
        "env-reference",
        "command refers to $(BACKUP_FILE), which no env of this container defines",
    ),
    Mutation(
        "service_name_with_a_dot",
        "main.tf",
        'resource "kubernetes_service" "app" {\n  metadata {\n    name      = local.app_name',
        'resource "kubernetes_service" "app" {\n  metadata {\n    name      = "whoami.web"',
        '"whoami.web"',
        "object-name",
        'Service name "whoami.web": not a DNS-1035 label',
    ),
    Mutation(
        "cron_job_name_over_52",
        "cron.tf",
        'name      = "${local.app_name}-backup"',
        'name      = "${local.app_name}-backup-of-the-configuration-directory-every-night"',
        "every-night",
        "object-name",
        'CronJob name "whoami-backup-of-the-configuration-directory-every-night": longer than '
        "52 characters (56)",
    ),
    Mutation(
        "container_name_invalid",
        "cron.tf",
        'name    = "backup"',
        'name    = "backup_job"',
        '"backup_job"',
        "object-name",
        'container "backup_job": name not a DNS-1123 label',
    ),
    Mutation(
        "label_value_invalid",
        "cron.tf",
        'app = "whoami-backup"',
        'app = "whoami backup"',
        "labels = {",
        "label",
        'pod template labels: label "app" value "whoami backup": not a label value',
    ),
    Mutation(
        "host_path_file_as_directory",
        "main.tf",
        'path = "/storage/v/glusterfs_whoami_config"',
        'path = "/etc/whoami/config.yml"',
        'type = "Directory"',
        "host-path-type",
        'host_path "/etc/whoami/config.yml" is a file but its type is "Directory"',
    ),
    Mutation(
        "host_path_socket_as_directory",
        "cron.tf",
        'type = "Socket"',
        'type = "DirectoryOrCreate"',
        'type = "DirectoryOrCreate"',
        "host-path-type",
        'host_path "/var/run/docker.sock" is a socket but its type is "DirectoryOrCreate" '
        "(expected Socket, or no type): kubelet's type check fails the pod or creates the "
        "wrong kind",
    ),
    Mutation(
        "host_path_char_device_as_directory",
        "cron.tf",
        '    path = "/var/run/docker.sock"',
        '    path = "/dev/net/tun"',
        'type = "Socket"',
        "host-path-type",
        'host_path "/dev/net/tun" is a character device but its type is "Socket"',
    ),
    Mutation(
        "volume_mount_path_twice",
        "main.tf",
        'mount_path = "/config"\n            read_only  = true\n          }\n',
        'mount_path = "/config"\n            read_only  = true\n          }\n\n'
        '          volume_mount {\n            name       = "config"\n'
        '            mount_path = "/config" # again\n          }\n',
        "# again",
        "volume-mount",
        'container "whoami": volume_mount "/config": mount_path must be unique',
    ),
    Mutation(
        "volume_mount_unknown_volume",
        "main.tf",
        'name       = "config"\n            mount_path',
        'name       = "confg"\n            mount_path',
        'name       = "confg"',
        "volume-mount",
        'volume_mount "/config": volume "confg" not found',
    ),
    Mutation(
        "volume_mount_sub_path_up",
        "main.tf",
        'mount_path = "/config"\n',
        'mount_path = "/config"\n            sub_path   = "../etc"\n',
        'sub_path   = "../etc"',
        "volume-mount",
        "sub_path \"../etc\" must be a relative path without '..'",
    ),
    Mutation(
        "snippet_duplicate_key",
        "traefik-routers.yml",
        '      service: "to-k8s-traefik"\n',
        '      service: "to-k8s-traefik"\n      rule: "Host(`other.example.org`)"\n',
        "other.example.org",
        "traefik-yaml",
        'duplicate key "rule" (first on line 5)',
    ),
    Mutation(
        "snippet_not_yaml",
        "traefik-routers.yml",
        '      service: "to-k8s-traefik"\n',
        "      service: to-k8s: traefik\n",
        "to-k8s: traefik",
        "traefik-yaml",
        "not valid YAML: mapping values are not allowed here",
    ),
    Mutation(
        "snippet_option_case",
        "traefik-routers.yml",
        "      stripPrefix:",
        "      stripprefix:",
        "stripprefix:",
        "traefik-schema",
        'http.middlewares.k8s-whoami-strip: unknown key "stripprefix" '
        '(did you mean "stripPrefix"?)',
        needs="shared",
    ),
    Mutation(
        "snippet_list_as_string",
        "traefik-routers.yml",
        '        prefixes:\n          - "/whoami"',
        '        prefixes: "/whoami"',
        'prefixes: "/whoami"',
        "traefik-schema",
        "http.middlewares.k8s-whoami-strip.stripPrefix.prefixes: '/whoami' is not of type "
        "'array'",
        needs="shared",
    ),
    Mutation(
        "snippet_entry_points_misspelled",
        "traefik-routers.yml",
        "      entryPoints:",
        "      entrypoints:",
        "entrypoints:",
        "traefik-schema",
        'http.routers.k8s-whoami: unknown key "entrypoints" (did you mean "entryPoints"?)',
        needs="shared",
    ),
)


@dataclass(frozen=True)
class _Mutants:
    root: Path
    report: ValidationReport


def _validated(root: Path, mutations: list[Mutation]) -> _Mutants:
    for mutation in mutations:
        module = copy_valid_module(root / mutation.name)
        replace_in(module / mutation.file, mutation.old, mutation.new)
    return _Mutants(root, validate_paths([root], checks=[Check.RUNTIME]))


@pytest.fixture(scope="module")
def mutants(tmp_path_factory: pytest.TempPathFactory) -> _Mutants:
    """The mutations that need no ../shared, checked as on a machine without it."""
    root = tmp_path_factory.mktemp("runtime-mutants")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(SHARED_ENV, str(root / "no-shared"))
        return _validated(root, [m for m in MUTATIONS if m.needs != "shared"])


@pytest.fixture(scope="module")
def shared_mutants(tmp_path_factory: pytest.TempPathFactory, shared_plan: object) -> _Mutants:
    """The mutations that need the Traefik schema of ../shared."""
    root = tmp_path_factory.mktemp("runtime-mutants-shared")
    return _validated(root, [m for m in MUTATIONS if m.needs == "shared"])


def _tzdata() -> bool:
    try:
        return bool(zoneinfo.available_timezones())
    except OSError:
        return False


@pytest.mark.parametrize(
    "mutation",
    [pytest.param(m, marks=[pytest.mark.shared] if m.needs == "shared" else []) for m in MUTATIONS],
    ids=lambda m: m.name,
)
def test_runtime_mutation_is_caught_on_its_line(
    request: pytest.FixtureRequest, mutation: Mutation
) -> None:
    mutants: _Mutants = request.getfixturevalue(
        "shared_mutants" if mutation.needs == "shared" else "mutants"
    )
    if mutation.needs == "tzdata" and not _tzdata():
        pytest.skip("no time zone database on this machine")
    module = next(m for m in mutants.report.modules if m.path.name == mutation.name)
    findings = [(f.rule, f.line, f.message, f.severity) for f in module.findings]
    line = line_of(mutants.root / mutation.name / mutation.file, mutation.marker)
    matching = [f for f in findings if f[0] == mutation.rule and mutation.fragment in f[2]]
    assert matching, f"no {mutation.rule} finding with {mutation.fragment!r}; got {findings}"
    assert any(f[1] == line for f in matching), f"not on line {line}: {matching}"
    assert all(f[3] == mutation.severity for f in matching)
    unexpected = [f for f in findings if f[0] not in {mutation.rule, *mutation.also}]
    assert not unexpected, f"rules that should stay quiet reported: {unexpected}"


def test_every_rule_has_a_mutation() -> None:
    assert {m.rule for m in MUTATIONS} == RULE_IDS


def test_the_valid_fixture_has_no_runtime_finding(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from tests.validation.validation_helpers import VALID_MODULE

    monkeypatch.setenv(SHARED_ENV, str(tmp_path / "no-shared"))
    report = validate_paths([VALID_MODULE], checks=[Check.RUNTIME])
    assert report.messages() == []
    assert report.summary_line().endswith("crd off, runtime 0)")

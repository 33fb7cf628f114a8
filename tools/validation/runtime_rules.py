"""The runtime check's rules: what the API server, kubelet and Traefik enforce and no schema says.

Plain data, one row per rule: its id (printed in every finding), what it
demands, and where that demand comes from. `python -m tools.validation
--rules` prints this table.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RuntimeRule:
    id: str
    demands: str
    source: str


RUNTIME_RULES: tuple[RuntimeRule, ...] = (
    RuntimeRule(
        "cron-schedule",
        "a CronJob schedule has 5 fields (minute hour day-of-month month day-of-week) with "
        "values in range, or is a descriptor (@hourly, @every 1h, ...); no TZ=/CRON_TZ= prefix",
        "kubernetes pkg/apis/batch/validation/validation.go validateScheduleFormat "
        "(robfig/cron/v3 ParseStandard; 'cannot use TZ or CRON_TZ in schedule, use timeZone "
        "field instead')",
    ),
    RuntimeRule(
        "cron-time-zone",
        "a CronJob timeZone is an IANA time zone name (not 'Local')",
        "kubernetes pkg/apis/batch/validation/validation.go validateTimeZone "
        "(time.LoadLocation)",
    ),
    RuntimeRule(
        "object-name",
        "metadata names: DNS-1123 subdomain for most kinds, DNS-1035 label for Services, "
        "DNS-1123 label of at most 52 characters for StatefulSets, at most 52 for CronJobs and "
        "63 for Jobs; container and volume names are DNS-1123 labels",
        "kubernetes ValidateObjectMeta with NameIsDNSSubdomain / ValidateServiceName "
        "(NameIsDNS1035Label); ValidateCronJobCreate (52 = 63 - len('-<timestamp>')); "
        "ValidateGeneratedSelector (label job-name=<name>, a label value: 63); StatefulSet pods "
        "are named <name>-<ordinal> and used as hostname (DNS-1123 label) and carry "
        "controller-revision-hash=<name>-<hash> (kubernetes#64023: 52); validateContainers / "
        "validateVolumes (ValidateDNS1123Label)",
    ),
    RuntimeRule(
        "label",
        "label keys are qualified names, label values at most 63 characters of "
        "[A-Za-z0-9-_.] starting and ending alphanumeric",
        "apimachinery pkg/apis/meta/v1/validation ValidateLabels (IsQualifiedName, "
        "IsValidLabelValue)",
    ),
    RuntimeRule(
        "port-name",
        "a container port name is an IANA_SVC_NAME: at most 15 characters of [a-z0-9-], "
        "at least one letter, no leading, trailing or double '-'; port numbers 1-65535",
        "kubernetes pkg/apis/core/validation/validation.go validateContainerPorts "
        "(apimachinery IsValidPortName, IsValidPortNum)",
    ),
    RuntimeRule(
        "port-name-unique",
        "a port name is declared once in the pod (across all its containers)",
        "validateContainerPorts (Duplicate within a container); across containers the "
        "ContainerPort.name API doc ('unique within the pod') and podutil.FindPort "
        "(pkg/api/v1/pod/util.go), which resolves a named targetPort to the first container "
        "declaring it",
    ),
    RuntimeRule(
        "port-number-duplicate",
        "(warning) a container does not declare one port number/protocol twice",
        "kubernetes pkg/api/pod/warnings.go warningsForPodSpecAndMeta ('duplicate port "
        "definition'); containers of a pod share one network namespace",
    ),
    RuntimeRule(
        "probe-port",
        "a probe's or lifecycle hook's named port is declared by its own container",
        "kubelet pkg/kubelet/prober/prober.go (findPortByName over container.Ports: 'couldn't "
        "find port'), the API server checks only the form (ValidatePortNumOrName in "
        "validateHTTPGetAction / validateTCPSocketAction)",
    ),
    RuntimeRule(
        "service-target-port",
        "a Service's named target_port is declared by a container of the pods it selects "
        "(workloads of the same module whose pod labels match the selector)",
        "kubernetes podutil.FindPort (pkg/api/v1/pod/util.go) used by the EndpointSlice "
        "controller: pods without the named port get no endpoint; validateServicePort checks "
        "only the form (ValidatePortNumOrName)",
    ),
    RuntimeRule(
        "ingress-backend-port",
        "an Ingress backend's port name is a port name of the Service of the same module",
        "Traefik kubernetes ingress provider (pkg/provider/kubernetes/ingress, loadService: "
        "'service port not found'): the router is left out",
    ),
    RuntimeRule(
        "ingress-host",
        "an Ingress rule host and each TLS host is a DNS-1123 subdomain (a leading `*.` "
        "wildcard allowed), not an IP address",
        "kubernetes pkg/apis/networking/validation/validation.go validateIngressRules and "
        "validateIngressTLS (IsDNS1123Subdomain, IsWildcardDNS1123Subdomain)",
    ),
    RuntimeRule(
        "env-reference",
        "$(VAR) in an env value refers to a variable defined earlier in the same container; in "
        "command/args to one defined anywhere in it; $$ escapes. Only upper-case identifiers "
        "are judged ($(date +%s) in a shell script is a command substitution kubelet leaves "
        "alone), and not in a container with env_from (names not in the module) or for "
        "Service link variables (*_SERVICE_HOST, *_PORT...)",
        "kubernetes third_party/forked/golang/expansion (Expand: an unresolved reference stays "
        "literal), kubelet MakeEnvironmentVariables (pkg/kubelet/kubelet_pods.go) and "
        "ExpandContainerCommandAndArgs (pkg/kubelet/container/helpers.go)",
    ),
    RuntimeRule(
        "host-path-type",
        "a hostPath type does not contradict what the path clearly is: *.sock is a Socket, a "
        "known /dev character or block device is a CharDevice/BlockDevice, a path with a file "
        "extension or a well-known file (/etc/machine-id) is a File, a path ending in '/' or a "
        "well-known directory is a Directory",
        "kubelet pkg/volume/hostpath/host_path.go checkType / checkTypeInternal (the pod "
        "fails to start: 'hostPath type check failed'); *OrCreate creates the wrong kind",
    ),
    RuntimeRule(
        "volume-mount",
        "each volume_mount names a volume of the pod, its mount_path is unique in the "
        "container, its sub_path is relative and has no '..'",
        "kubernetes pkg/apis/core/validation ValidateVolumeMounts (NotFound name, mountPath "
        "'must be unique') and validateLocalDescendingPath",
    ),
    RuntimeRule(
        "traefik-yaml",
        "the router snippet is one YAML document without duplicate keys",
        "Traefik file provider (pkg/provider/file): a file that does not decode is skipped "
        "with every router in it; ../shared/schemas/README.md (traefik/)",
    ),
    RuntimeRule(
        "traefik-schema",
        "the router snippet validates against the Traefik v3 file-provider JSON Schema "
        "(canonical option names and types)",
        "../shared/schemas/traefik/traefik-v3-file-provider.json (SchemaStore, Traefik's "
        "documented dynamic configuration)",
    ),
)

RULE_IDS = frozenset(rule.id for rule in RUNTIME_RULES)


def rule_table_lines() -> list[str]:
    width = max(len(rule.id) for rule in RUNTIME_RULES)
    lines = []
    for rule in RUNTIME_RULES:
        lines.append(f"{rule.id.ljust(width)}  {rule.demands}")
        lines.append(f"{' ' * width}  source: {rule.source}")
    return lines

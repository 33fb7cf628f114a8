"""Templates that read Vault, Nomad variables or Consul → one ExternalSecret and its uses.

Secret values never reach the module: each becomes an ExternalSecret key, read
by `secret_key_ref` env vars or rendered into files by the ExternalSecret's own
template (ESO engine v2).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from generator.consul_template import (
    ConsulKey,
    EnvValue,
    EnvValueKind,
    EsoTemplateError,
    Literal,
    NomadVarAllKeys,
    NomadVarValue,
    SecretAllKeys,
    SecretLeaf,
    SecretRef,
    SecretValue,
    ServiceAddress,
    TemplateAnalysis,
    analyze_template,
    env_lines,
    secret_data_key,
    secret_ref,
    to_eso_template,
)
from generator.consul_template import Field as RenderedField
from generator.diagnostics import Severity
from generator.k8s_plan import EnvVar, ExternalSecret
from generator.k8s_plan import SecretRef as PlanSecretRef
from generator.model import Task, Template
from generator.plan_values import StringTemplate
from generator.translate.context import Context
from generator.translate.env_expanding import config_with_variables, env_name, expands_env
from generator.translate.interpolation import (
    POD_IP,
    PodFacts,
    cluster_dns,
    literal_value,
    pod_address,
    resolve_service,
    sibling_address,
)
from generator.translate.names import app_name_with
from generator.translate.templates import report_template_options

TARGET_NAME = app_name_with("secrets")


def reads_target_secret(value: object) -> bool:
    """Whether a plan value (a pod spec) names the ExternalSecret's Secret anywhere."""
    if value == TARGET_NAME:
        return True
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return any(reads_target_secret(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, list | tuple):
        return any(reads_target_secret(item) for item in value)
    if isinstance(value, dict):
        return any(reads_target_secret(item) for item in value.values())
    return False


@dataclass
class SecretsCollector:
    ctx: Context
    keys: dict[SecretRef, str] = field(default_factory=dict)
    template_data: dict[str, str | StringTemplate] = field(default_factory=dict)
    extract: list[str] = field(default_factory=list)
    used: set[str] = field(default_factory=set)
    line_of: dict[SecretRef, int] = field(default_factory=dict)

    def _unique(self, base: str) -> str:
        key, counter = base, 2
        while key in self.used:
            key = f"{base}-{counter}"
            counter += 1
        self.used.add(key)
        return key

    def key_for(self, segment: SecretLeaf) -> str:
        ref = secret_ref(segment)
        if ref not in self.keys:
            self.keys[ref] = self._unique(secret_data_key(ref.key))
        return self.keys[ref]

    def template_key(self, name: str, text: str | StringTemplate) -> str:
        key = self._unique(secret_data_key(name))
        self.template_data[key] = text
        return key

    def remote_key(self, ref: SecretRef) -> str:
        path = ref.path
        for rule in self.ctx.settings.secret_paths:
            path = re.sub(rule.match, rule.replace, path)
        return path

    def external_secret(self) -> ExternalSecret | None:
        if not self.keys and not self.template_data and not self.extract:
            return None
        settings = self.ctx.settings
        data = [
            PlanSecretRef(key, self.remote_key(ref), ref.key)
            for ref, key in sorted(self.keys.items(), key=lambda item: item[1])
        ]
        return ExternalSecret(
            name=TARGET_NAME,
            store_name=settings.secret_store.name,
            store_kind=settings.secret_store.kind,
            refresh_interval=settings.refresh_interval,
            target_name=TARGET_NAME,
            data=data,
            template_data=dict(sorted(self.template_data.items())),
            extract_keys=self.extract,
        )


@dataclass
class TemplateOutcome:
    env: list[EnvVar] = field(default_factory=list)
    env_from_secret: bool = False
    secret_files: list[tuple[Template, str]] = field(default_factory=list)  # (template, key)
    static_files: list[tuple[Template, str | StringTemplate]] = field(default_factory=list)


def _literal_for(task: Task, facts: PodFacts, ctx: Context, template: Template, path: str):
    reported: set[str] = set()

    def literal(segment: ServiceAddress | EnvValue) -> str | None:
        if isinstance(segment, EnvValue):
            value = task.env.get(segment.name)
            if value is not None:
                return str(value)
            found = literal_value(segment.name, facts)
            if found is not None:
                return found
            sibling = sibling_address(segment.name, facts)
            if sibling is None:
                return None
            owner, address = sibling
            if segment.name not in reported:
                reported.add(segment.name)
                ctx.report(
                    Severity.INFO,
                    "pod-address",
                    f'`env "{segment.name}"` is a port of task {owner!r}, a container of the'
                    f" same pod: it becomes {address}",
                    template.line,
                    path,
                )
            return address
        if isinstance(segment, ServiceAddress):
            return _service_text(segment, ctx, template, path)
        return None

    return literal


def _service_text(
    segment: ServiceAddress, ctx: Context, template: Template, path: str
) -> str | None:
    """One instance of `range service`, as a Consul name that cluster_dns() rewrites."""
    name = segment.query.name
    resolved = resolve_service(name, ctx)
    out = []
    for part in segment.rendered:
        if not isinstance(part, RenderedField):
            out.append(str(part))
        elif part.name == "Address":
            out.append(f"{name}.service.consul")
        elif part.name == "Port" and resolved.port:
            out.append(str(resolved.port))
        elif part.name == "Name":
            out.append(resolved.name)
        else:
            ctx.needs_decision(
                f"service {name!r}: .{part.name} is not known, so this value is left out of the"
                " module; set the service's port under `services:` in the settings",
                template.line,
                path,
            )
            return None
    return "".join(out)


def _report_problems(
    analysis: TemplateAnalysis, template: Template, ctx: Context, path: str
) -> None:
    # A file template with any part that cannot be translated is left out whole (an
    # env template loses only the lines concerned, which env_lines reports).
    consequence = (
        f"; so the whole file {template.destination!r} is left out of the module: write it"
        " by hand"
        if not template.env
        else ""
    )
    for problem in analysis.problems:
        ctx.needs_decision(
            f"template line {problem.line}: {problem.reason}: {problem.text[:60]!r}" + consequence,
            template.line,
            path,
        )


# Vault paths of engines that mint values on read; an ExternalSecret reads key/value secrets.
_DYNAMIC_VAULT_PATH = re.compile(r"^[^/]+/(?:creds|issue|sign|cert)/|^pki[^/]*/")


def _store_warnings(
    analysis: TemplateAnalysis, template: Template, ctx: Context, path: str
) -> None:
    """Values only Nomad or Consul hold, and Vault values a KV read cannot give."""
    dynamic = sorted(
        {
            s.path
            for s in analysis.segments
            if isinstance(s, SecretValue | SecretAllKeys) and _DYNAMIC_VAULT_PATH.match(s.path)
        }
    )
    for vault_path in dynamic:
        ctx.needs_decision(
            f"Vault path {vault_path!r} is a dynamic secrets engine, not key/value: the"
            " ExternalSecret cannot read it as written; use an ESO VaultDynamicSecret generator",
            template.line,
            path,
        )
    for segment in analysis.segments:
        if isinstance(segment, NomadVarValue | NomadVarAllKeys):
            ctx.report(
                Severity.WARNING,
                "nomad-variable",
                f"Nomad variable {segment.path!r} becomes an ExternalSecret key: copy its values"
                " into the secret store",
                template.line,
                path,
            )
            break
    consul_keys = list(
        {(s.key, s.default): s for s in analysis.segments if isinstance(s, ConsulKey)}.values()
    )
    if not consul_keys:
        return
    places = ", ".join(
        f"{k.key!r} (at {secret_ref(k).path}, property {secret_ref(k).key}"
        + (f"; its default {k.default!r} is not carried)" if k.default is not None else ")")
        for k in consul_keys
    )
    plural = len(consul_keys) > 1
    ctx.report(
        Severity.WARNING,
        "consul-key",
        f"Consul KV {places} "
        + (
            "become ExternalSecret keys: copy their values"
            if plural
            else "becomes an ExternalSecret key: copy its value"
        )
        + " into the secret store",
        template.line,
        path,
    )


def translate_dynamic_template(
    task: Task,
    facts: PodFacts,
    template: Template,
    text: str,
    secrets: SecretsCollector,
    ctx: Context,
    path: str,
) -> TemplateOutcome:
    outcome = TemplateOutcome()
    report_template_options(template, ctx, path)
    analysis = analyze_template(text, template.left_delimiter, template.right_delimiter)
    _report_problems(analysis, template, ctx, path)
    _store_warnings(analysis, template, ctx, path)
    literal_for = _literal_for(task, facts, ctx, template, path)
    for segment in analysis.segments:
        if isinstance(segment, SecretAllKeys):
            secrets.extract.append(secrets.remote_key(SecretRef("vault", segment.path, "")))
            outcome.env_from_secret = template.env
    if template.env:
        pod_ip_used: list[bool] = []
        in_env_value = _with_pod_ip(literal_for, facts, pod_ip_used)
        for line in env_lines(analysis):
            env = _env_line(
                line, secrets, literal_for, in_env_value, template, ctx, path, facts.upstreams
            )
            if env is not None:
                if pod_ip_used and all(e.name != POD_IP.name for e in outcome.env):
                    outcome.env.append(POD_IP)
                outcome.env.append(env)
        return outcome
    if not analysis.understood:
        return outcome
    try:
        rendered = to_eso_template(analysis.segments, secrets.key_for, literal_for)
    except EsoTemplateError as error:
        ctx.needs_decision(
            f"template {error}, so the ExternalSecret cannot render the file"
            f" {template.destination!r} and it is left out of the module: write it by hand",
            template.line,
            path,
        )
        return outcome
    if analysis.has_secrets and expands_env(task.config.image, ctx):
        outcome.static_files.append(
            (
                template,
                _env_expanded_file(
                    analysis, secrets, literal_for, outcome, ctx, template, path, task.config.image
                ),
            )
        )
    elif analysis.has_secrets:
        key = secrets.template_key(
            template.destination.rsplit("/", 1)[-1],
            cluster_dns(rendered, ctx, template.line, path, facts.upstreams),
        )
        outcome.secret_files.append((template, key))
    else:
        static = "".join(
            s.text if isinstance(s, Literal) else (literal_for(s) or "") for s in analysis.segments
        )
        outcome.static_files.append(
            (template, cluster_dns(static, ctx, template.line, path, facts.upstreams))
        )
    return outcome


def _env_expanded_file(
    analysis: TemplateAnalysis,
    secrets: SecretsCollector,
    literal_for,
    outcome: TemplateOutcome,
    ctx: Context,
    template: Template,
    path: str,
    image: object,
) -> str | StringTemplate:
    """Secrets as `${VAR}` read from the environment, which the ExternalSecret fills."""
    text = []
    for segment in analysis.segments:
        if isinstance(segment, SecretLeaf):
            key = secrets.key_for(segment)
            name = env_name(key)
            text.append("${" + name + "}")
            if all(env.name != name for env in outcome.env):
                outcome.env.append(EnvVar(name=name, secret_name=TARGET_NAME, secret_key=key))
        elif isinstance(segment, Literal):
            text.append(segment.text)
        else:
            text.append(literal_for(segment) or "")
    content, variables = config_with_variables("".join(text), image, ctx, template.line, path)
    for variable in variables:
        ctx.module_variables.setdefault(variable.name, variable)
    return content


def _with_pod_ip(literal_for, facts: PodFacts, used: list[bool]):
    """`literal_for`, plus the pod's address (`$(POD_IP)`), which only an env value can expand."""

    def literal(segment: ServiceAddress | EnvValue) -> str | None:
        found = literal_for(segment)
        if found is not None or not isinstance(segment, EnvValue):
            return found
        address = pod_address(segment.name, facts)
        if address is not None:
            used.append(True)
        return address

    return literal


def _env_line(
    line, secrets, literal_for, in_env_value, template, ctx, path, upstreams
) -> EnvVar | None:
    where = f"{path}.{line.name}" if line.name else path
    if line.kind is EnvValueKind.STATIC:
        return EnvVar(
            name=line.name,
            value=cluster_dns(line.static_value or "", ctx, template.line, where, upstreams),
        )
    if line.kind is EnvValueKind.SECRET:
        segment = next(s for s in line.segments if isinstance(s, SecretLeaf))
        return EnvVar(name=line.name, secret_name=TARGET_NAME, secret_key=secrets.key_for(segment))
    if line.kind in {EnvValueKind.MIXED, EnvValueKind.DYNAMIC}:
        has_secret = any(isinstance(s, SecretLeaf) for s in line.segments)
        if not has_secret:
            literal_for = in_env_value
        try:
            rendered = to_eso_template(line.segments, secrets.key_for, literal_for)
        except EsoTemplateError as error:
            ctx.needs_decision(f"env {line.name}: {error}", template.line, where)
            return None
        if not has_secret:
            value = "".join(
                s.text if isinstance(s, Literal) else (literal_for(s) or "") for s in line.segments
            )
            return EnvVar(
                name=line.name, value=cluster_dns(value, ctx, template.line, where, upstreams)
            )
        key = secrets.template_key(
            line.name, cluster_dns(rendered, ctx, template.line, where, upstreams)
        )
        return EnvVar(name=line.name, secret_name=TARGET_NAME, secret_key=key)
    if line.kind is EnvValueKind.ALL_KEYS:
        return None
    problem = line.problem.reason if line.problem else "not understood"
    ctx.needs_decision(f"env template line {line.line}: {problem}", template.line, where)
    return None

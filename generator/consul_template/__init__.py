"""consul-template (Nomad `template` block) analysis, with no guessing.

`analyze_template` parses the Go-template text the way consul-template does
and lists what it renders as typed segments: literal text, Vault and Nomad
variable secrets, Consul keys, service lookups, `env` values. Anything else is
an `Unknown` with its line within the template and the reason; a template with
an Unknown is not understood as a whole, but its other segments are listed.

`env_lines` reads an `env = true` template as Nomad does; `to_eso_template`,
`secret_data_key` and `assign_data_keys` build External Secrets Operator data.
"""

from generator.consul_template.analyzer import analyze_template, parse_service_query
from generator.consul_template.envfile import env_lines
from generator.consul_template.eso import (
    EsoTemplateError,
    assign_data_keys,
    escape_template_text,
    secret_data_key,
    to_eso_template,
)
from generator.consul_template.model import (
    ConsulKey,
    EnvLine,
    EnvQuoting,
    EnvValue,
    EnvValueKind,
    Field,
    Literal,
    NomadVarAllKeys,
    NomadVarValue,
    Rendered,
    SecretAllKeys,
    SecretLeaf,
    SecretRef,
    SecretSegment,
    SecretValue,
    Segment,
    ServiceAddress,
    ServiceInstances,
    ServiceQuery,
    TemplateAnalysis,
    Unknown,
    secret_ref,
)

__all__ = [
    "ConsulKey",
    "EnvLine",
    "EnvQuoting",
    "EnvValue",
    "EnvValueKind",
    "EsoTemplateError",
    "Field",
    "Literal",
    "NomadVarAllKeys",
    "NomadVarValue",
    "Rendered",
    "SecretAllKeys",
    "SecretLeaf",
    "SecretRef",
    "SecretSegment",
    "SecretValue",
    "Segment",
    "ServiceAddress",
    "ServiceInstances",
    "ServiceQuery",
    "TemplateAnalysis",
    "Unknown",
    "analyze_template",
    "assign_data_keys",
    "env_lines",
    "escape_template_text",
    "parse_service_query",
    "secret_data_key",
    "secret_ref",
    "to_eso_template",
]

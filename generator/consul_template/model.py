"""The typed result of analysing a consul-template: segments, problems, env lines."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple


@dataclass(frozen=True)
class Field:
    """A per-item value inside a `range` body: a service field (`Address`,
    `Port`, ...) or, for a whole-secret dump, `key` / `value`."""

    name: str


Rendered = tuple[str | Field, ...]


@dataclass(frozen=True)
class Literal:
    """Text rendered as is. `line` is where its first character is in the
    template (not part of equality). Adjacent literals are joined unless
    trimming or an action dropped line breaks between them, so that the line
    of every character stays exact."""

    text: str
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class SecretValue:
    """One key of a Vault secret: `.Data.data.K` (KV v2) or `.Data.K` (KV v1).

    `path` is exactly as written. For a KV v2 mount consul-template inserts
    `data/` after the mount unless the path already has it; ESO's Vault
    provider (store `path` = the mount, version v2) accepts both forms too."""

    path: str
    key: str
    kv_version: int
    line: int


@dataclass(frozen=True)
class SecretAllKeys:
    """`range $k, $v := .Data.data` over a Vault secret: every key, rendered per
    entry as `rendered` (e.g. `Field("key"), "=", Field("value"), "\\n"`)."""

    path: str
    kv_version: int
    rendered: Rendered
    line: int


@dataclass(frozen=True)
class NomadVarValue:
    """`.KEY` (or `.KEY.Value`) of `nomadVar "path"`."""

    path: str
    key: str
    line: int


@dataclass(frozen=True)
class NomadVarAllKeys:
    """`range .Tuples` or `range $k, $v := .` inside `with nomadVar`."""

    path: str
    rendered: Rendered
    line: int


@dataclass(frozen=True)
class ConsulKey:
    """`key "path"` or `keyOrDefault "path" "default"`: a value of Consul's KV store."""

    key: str
    default: str | None
    line: int


@dataclass(frozen=True)
class ServiceQuery:
    """A parsed `service` / `nomadService` argument: `[tag.]name[@dc][|filter]`."""

    name: str
    tag: str | None = None
    datacenter: str | None = None
    health_filter: str | None = None
    catalog: str = "consul"  # consul | nomad


class ServiceInstances(StrEnum):
    EACH = "each"  # a whole `range service`: `rendered` once per instance
    FIRST = "first"  # `(index . 0).Address` inside `with service`, `with index (service ..) 0`
    # A field of a `range service` in an env file whose body is whole KEY=value
    # lines: later instances override earlier ones, so the last one counts.
    LAST = "last"


@dataclass(frozen=True)
class ServiceAddress:
    """A service lookup: what it renders (`Field("Address")`, `":"`, `Field("Port")`...)
    for the instance(s) `instances` says."""

    query: ServiceQuery
    rendered: Rendered
    line: int
    instances: ServiceInstances = ServiceInstances.EACH

    @property
    def service(self) -> str:
        return self.query.name


@dataclass(frozen=True)
class EnvValue:
    """`env "X"`: the task's environment variable at render time."""

    name: str
    line: int


@dataclass(frozen=True)
class Unknown:
    text: str
    line: int
    reason: str


Segment = (
    Literal
    | SecretValue
    | SecretAllKeys
    | NomadVarValue
    | NomadVarAllKeys
    | ConsulKey
    | ServiceAddress
    | EnvValue
    | Unknown
)
# One value from a store the module cannot read: it reaches the pod through the ExternalSecret.
SecretLeaf = SecretValue | NomadVarValue | ConsulKey
SecretSegment = SecretValue | SecretAllKeys | NomadVarValue | NomadVarAllKeys | ConsulKey
SECRET_TYPES = (SecretValue, SecretAllKeys, NomadVarValue, NomadVarAllKeys, ConsulKey)
_SECRET_CALL = re.compile(r"\b(?:secrets?|nomadVar\w*|pkiCert|caLeaf)\b")


class SecretRef(NamedTuple):
    """Where a single secret value lives, independent of where it is used."""

    store: str  # vault | nomad | consul
    path: str
    key: str


def secret_ref(segment: SecretLeaf) -> SecretRef:
    if isinstance(segment, SecretValue):
        return SecretRef("vault", segment.path, segment.key)
    if isinstance(segment, NomadVarValue):
        return SecretRef("nomad", segment.path, segment.key)
    # `app/db/password` → path `app/db`, property `password`, as in a KV secret store.
    path, _, key = segment.key.strip("/").rpartition("/")
    return SecretRef("consul", path or key, key if path else "value")


@dataclass(frozen=True)
class TemplateAnalysis:
    segments: tuple[Segment, ...]
    problems: tuple[Unknown, ...]

    @property
    def understood(self) -> bool:
        return not self.problems

    @property
    def is_static(self) -> bool:
        return all(isinstance(segment, Literal) for segment in self.segments)

    @property
    def static_text(self) -> str | None:
        """The rendered text when the template is static, else None."""
        if not self.is_static:
            return None
        return "".join(segment.text for segment in self.segments if isinstance(segment, Literal))

    @property
    def secrets(self) -> tuple[SecretSegment, ...]:
        return tuple(s for s in self.segments if isinstance(s, SECRET_TYPES))

    @property
    def has_secrets(self) -> bool:
        return bool(self.secrets)

    @property
    def may_have_secrets(self) -> bool:
        """Conservative: also true when a problem's text calls a secret function."""
        return self.has_secrets or any(_SECRET_CALL.search(p.text) for p in self.problems)


class EnvValueKind(StrEnum):
    STATIC = "static"  # only literal text
    SECRET = "secret"  # exactly one secret value and nothing else
    MIXED = "mixed"  # secrets plus other text or values: needs an ESO template
    DYNAMIC = "dynamic"  # env / service / Consul key values, no secret
    ALL_KEYS = "all_keys"  # a whole-secret dump in KEY=value form (name is "")
    UNKNOWN = "unknown"  # see `problem`


class EnvQuoting(StrEnum):
    """How the template values of a line are quoted in the env file. Nomad's
    parser interprets what a value renders to: unquoted, a `#` starts a comment
    and quotes are removed; in double quotes `\\` and `"` are escapes."""

    NONE = "none"
    DOUBLE = "double"
    SINGLE = "single"
    MIXED = "mixed"


@dataclass(frozen=True)
class EnvLine:
    name: str
    segments: tuple[Segment, ...]
    line: int
    kind: EnvValueKind
    quoting: EnvQuoting = EnvQuoting.NONE
    problem: Unknown | None = None

    @property
    def static_value(self) -> str | None:
        if self.kind is not EnvValueKind.STATIC:
            return None
        return "".join(s.text for s in self.segments if isinstance(s, Literal))

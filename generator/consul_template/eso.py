"""Turning analysed segments into External Secrets Operator pieces.

ESO (`external-secrets.io/v1`, template engine v2) renders `spec.target.template`
data with Go text/template over the fetched secret keys, so a secret value is
`{{ .key }}` (or `{{ index . "key" }}` when the key is not a Go identifier) and
literal text only needs protecting where it would open an action: a run of
`{`. A stray `}}` in text is already output as is by Go templates.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from generator.consul_template.model import (
    EnvValue,
    Literal,
    SecretLeaf,
    SecretRef,
    Segment,
    ServiceAddress,
    secret_ref,
)

DATA_KEY = re.compile(r"[-._a-zA-Z0-9]+")
_GO_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BRACE_RUNS = re.compile(r"\{\{+|\{\Z")
_MAX_KEY_LENGTH = 253


class EsoTemplateError(ValueError):
    """A segment that cannot be expressed in an ESO template."""

    def __init__(self, segment: Segment, message: str) -> None:
        super().__init__(f"line {getattr(segment, 'line', 0)}: {message}")
        self.segment = segment


def to_eso_template(
    segments: Iterable[Segment],
    key_for: Callable[[SecretLeaf], str],
    literal_for: Callable[[ServiceAddress | EnvValue], str | None] | None = None,
) -> str:
    """Render segments as an ESO v2 target template.

    `key_for` names the ExternalSecret data key holding each secret value.
    `literal_for` gives the literal text to put in place of a service lookup
    or an `env` value (cluster DNS, a known value...); None, or no
    `literal_for`, raises EsoTemplateError, as do Unknown and whole-secret segments.
    """
    texts: list[str] = []
    for segment in segments:
        if isinstance(segment, Literal):
            texts.append(escape_template_text(segment.text))
        elif isinstance(segment, SecretLeaf):
            texts.append(_reference(segment, key_for(segment)))
        elif isinstance(segment, ServiceAddress | EnvValue):
            replacement = literal_for(segment) if literal_for is not None else None
            if replacement is None:
                raise EsoTemplateError(
                    segment, f"{_name(segment)} has no value the module knows before the pod runs"
                )
            texts.append(escape_template_text(replacement))
        else:
            raise EsoTemplateError(segment, f"{_name(segment)} cannot be part of an ESO template")
    return "".join(texts)


def escape_template_text(text: str) -> str:
    """Text that a Go template outputs unchanged, even when an action follows it."""
    return _BRACE_RUNS.sub(lambda match: '{{ "' + match.group() + '" }}', text)


def secret_data_key(name: str) -> str:
    """A Kubernetes Secret / ESO data key (`[-._a-zA-Z0-9]+`) for a secret key name."""
    key = re.sub(r"[^-._a-zA-Z0-9]", "_", name)[:_MAX_KEY_LENGTH]
    return key if key not in ("", ".", "..") else f"_{key}"


def assign_data_keys(segments: Iterable[Segment]) -> dict[SecretRef, str]:
    """A distinct data key for every secret value among `segments`, in order of
    first use: the sanitised key name, suffixed `-2`, `-3`... on collisions."""
    keys: dict[SecretRef, str] = {}
    used: set[str] = set()
    for segment in segments:
        if not isinstance(segment, SecretLeaf):
            continue
        ref = secret_ref(segment)
        if ref in keys:
            continue
        base = secret_data_key(ref.key)
        key, counter = base, 2
        while key in used:
            key, counter = f"{base[: _MAX_KEY_LENGTH - 8]}-{counter}", counter + 1
        used.add(key)
        keys[ref] = key
    return keys


def _reference(segment: Segment, key: str) -> str:
    if not DATA_KEY.fullmatch(key) or len(key) > _MAX_KEY_LENGTH:
        raise EsoTemplateError(segment, f"invalid data key {key!r}")
    if _GO_IDENTIFIER.fullmatch(key):
        return "{{ ." + key + " }}"
    return '{{ index . "' + key + '" }}'


def _name(segment: Segment) -> str:
    """The segment as the template wrote it, for a person to find it."""
    if isinstance(segment, EnvValue):
        return f'`env "{segment.name}"`'
    if isinstance(segment, ServiceAddress):
        return f'`service "{segment.query.name}"` ({segment.query.catalog})'
    text = getattr(segment, "text", None)
    if isinstance(text, str):
        return repr(text[:60])
    return type(segment).__name__

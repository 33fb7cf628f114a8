"""HCL literals: the one place that escapes text written into generated `.tf` files.

Every piece of text reaches a `.tf` file through `hcl_value` (the templates' `hcl`
filter): plain strings become quoted strings or heredocs, and text mixed with
Terraform references is an `Interpolated` (literal parts and `Raw` references). A `Raw`
holds only a reference or a call of references, never literal text: its constructor
refuses quotes, braces, `=`, `$` and line breaks, so no jobspec text can close a
string or open an attribute or a block.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from generator import plan_values
from generator.hcl import unknowns
from generator.hcl.unknowns import TfExpr

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
# Words HCL reads as keywords where an object key may stand (`{ for = 1 }` is a for expression).
_KEYWORDS = frozenset({"for", "in", "if", "else", "endif", "endfor", "true", "false", "null"})
# References (`var.x`, `kubernetes_service.web.metadata[0].name`) and calls of them
# (`toset(var.hostnames)`, `[var.hostname]`): no quotes, braces, `=`, `$` or newlines.
_EXPRESSION = re.compile(r"[A-Za-z0-9_.\-\[\](), ]+")
_REFERENCE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*|\[[0-9]+\])*")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
# A character `_quoted_body` changes: one of `_ESCAPES`, or one `_unprintable` accepts.
_CHANGED = re.compile('[\\\\"\x00-\x1f\x7f-\x9f\u2028\u2029]')
# What `_unprintable` accepts but newlines and tabs: a heredoc cannot hold it.
_NOT_IN_HEREDOC = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass(frozen=True)
class Raw:
    """An HCL expression written as is: a reference (`var.namespace`) or a call of references.

    Literal text never goes into a `Raw`: mix it with references in an `Interpolated`.
    """

    text: str

    def __post_init__(self) -> None:
        if not _EXPRESSION.fullmatch(self.text):
            raise ValueError(f"not a reference or a call of references: {self.text!r}")

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class TerraformExpression(Raw):
    """An expression over module inputs that the evaluator built from parsed parts
    (`format("%s-web", var.x)`): its literal parts went through `hcl_value`, so it is
    written as is, without `Raw`'s guard against literal text."""

    def __post_init__(self) -> None:
        pass


def hcl_identifier(name: str) -> str:
    """`name` as a bare identifier (a block label's name, a resource's local name)."""
    if not _IDENTIFIER.fullmatch(name):
        raise ValueError(f"not an HCL identifier: {name!r}")
    return name


def hcl_reference(text: str) -> str:
    """`text` written as a reference (`local.labels`), refused unless it is one."""
    if not _REFERENCE.fullmatch(text):
        raise ValueError(f"not an HCL reference: {text!r}")
    return text


def escape_template_sequences(text: str) -> str:
    """`${` and `%{` start HCL templates; doubling the sigil makes them literal."""
    return text.replace("${", "$${").replace("%{", "%%{")


def hcl_string(value: str) -> str:
    """A quoted HCL string whose value is exactly `value`."""
    return '"' + _quoted_body(escape_template_sequences(value)) + '"'


def _quoted_body(template: str) -> str:
    """Template text (sequences already escaped) with the characters a quoted string escapes."""
    if not _CHANGED.search(template):
        return template
    out = []
    for char in template:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif _unprintable(char):
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "".join(out)


def _unprintable(char: str) -> bool:
    """Control characters and line separators: written as `\\uNNNN` in quoted strings."""
    code = ord(char)
    return code < 0x20 or 0x7F <= code < 0xA0 or char in "\u2028\u2029"


def heredoc_marker(content: str) -> str:
    lines = set(content.splitlines())
    marker, counter = "EOT", 0
    while marker in lines or marker in {line.strip() for line in lines}:
        counter += 1
        marker = f"EOT{counter}"
    return marker


def can_be_heredoc(value: str) -> bool:
    """Heredocs always end with a newline and cannot escape anything, so a value with
    other control characters than newlines and tabs stays a quoted string."""
    return "\n" in value.rstrip("\n") and value.endswith("\n") and not _NOT_IN_HEREDOC.search(value)


def hcl_heredoc(value: str, indent: int = 0) -> str:
    """A heredoc whose value is exactly `value` (which must end with a newline).

    `<<-` strips the common indentation, so it is used only when the content
    itself has a line at column 0; otherwise the content is written unindented
    after a plain `<<`, which keeps leading whitespace byte-for-byte.
    """
    return _heredoc(escape_template_sequences(value), indent)


def _heredoc(content: str, indent: int) -> str:
    """A heredoc of template `content` (sequences already escaped, ends with a newline)."""
    marker = heredoc_marker(content)
    body_lines = content[:-1].split("\n")
    text_lines = [line for line in body_lines if line.strip()]
    flush_left = any(not line[:1].isspace() for line in text_lines)
    untouchable = any(line != line.rstrip() or "\t" in line for line in body_lines)
    if flush_left and not untouchable:
        pad = " " * (indent + 2)
        body = "\n".join(pad + line if line else "" for line in body_lines)
        return f"<<-{marker}\n{body}\n{' ' * indent}{marker}"
    return f"<<{marker}\n{content}{marker}"


def hcl_key(key: str) -> str:
    return key if _IDENTIFIER.fullmatch(key) and key not in _KEYWORDS else hcl_string(key)


def lowered(value: object) -> object:
    """A plan value (`generator.plan_values`) as the renderer's `Raw`, `Interpolated` or `Call`."""
    if isinstance(value, plan_values.Ref):
        return Raw(value.path)
    if isinstance(value, plan_values.ResourceName):
        return lowered(value.as_template())
    if isinstance(value, plan_values.StringTemplate):
        return Interpolated(
            tuple(Raw(p.path) if isinstance(p, plan_values.Ref) else p for p in value.parts)
        )
    if isinstance(value, plan_values.Call):
        return Call(value.function, value.arguments)
    if isinstance(value, plan_values.Inline):
        return TerraformExpression(hcl_expression(value.value))
    return value


def hcl_value(value: object, indent: int = 0) -> str:
    """Render a Python value as an HCL expression, multi-line where needed."""
    if type(value) is str and unknowns.NONCE not in value:  # the common case, checks below
        return hcl_heredoc(value, indent) if can_be_heredoc(value) else hcl_string(value)
    value = lowered(value)
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, Interpolated):
        return value.render()
    if isinstance(value, Call):
        return value.render()
    if isinstance(value, TfExpr):
        return value.text
    if isinstance(value, str) and unknowns.NONCE in value:
        return hcl_value(symbolic(value), indent)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, str):
        return hcl_heredoc(value, indent) if can_be_heredoc(value) else hcl_string(value)
    if isinstance(value, Mapping):
        return _hcl_object(value, indent)
    if isinstance(value, Sequence):
        return _hcl_list(value, indent)
    raise TypeError(f"cannot render {type(value).__name__} as HCL")


def _hcl_object(value: Mapping[str, object], indent: int) -> str:
    if not value:
        return "{}"
    pad = " " * (indent + 2)
    lines = [f"{pad}{hcl_key(key)} = {hcl_value(item, indent + 2)}" for key, item in value.items()]
    return "{\n" + "\n".join(lines) + "\n" + " " * indent + "}"


def _hcl_list(value: Sequence[object], indent: int) -> str:
    # No heredocs in a list: Terraform finds no closing marker in `EOT,`.
    items = [_quoted(item) or hcl_value(item, indent + 2) for item in value]
    if all("\n" not in item for item in items) and sum(map(len, items)) < 80:
        return "[" + ", ".join(items) + "]"
    pad = " " * (indent + 2)
    return "[\n" + ",\n".join(pad + item for item in items) + ",\n" + " " * indent + "]"


@dataclass(frozen=True)
class Call:
    """A function call on one line: `merge(local.labels, { component = "web" })`.

    Arguments are rendered by `hcl_value`; an object argument is written inline.
    """

    function: str
    arguments: tuple[object, ...]

    def __post_init__(self) -> None:
        hcl_identifier(self.function)

    def __str__(self) -> str:
        return self.render()

    def render(self) -> str:
        return f"{self.function}({', '.join(_inline(a) for a in self.arguments)})"


def _inline(value: object) -> str:
    if isinstance(value, Mapping):
        items = ", ".join(f"{hcl_key(k)} = {_inline(v)}" for k, v in value.items())
        return "{ " + items + " }" if items else "{}"
    return _quoted(value) or hcl_value(value)


def _quoted(value: object) -> str | None:
    """A string as a quoted string even when it could be a heredoc; None for other values."""
    value = lowered(value)
    if isinstance(value, str) and unknowns.NONCE in value:
        value = symbolic(value)
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, str):
        return hcl_string(value)
    if isinstance(value, Interpolated):
        return value.render(heredoc=False)
    return None


@dataclass(frozen=True)
class Interpolated:
    """A string mixing literal text and Terraform references: `"x.${var.namespace}.svc"`."""

    parts: tuple[str | Raw, ...]

    def __post_init__(self) -> None:
        if any(isinstance(part, str) and unknowns.NONCE in part for part in self.parts):
            object.__setattr__(self, "parts", _symbolic_parts(self.parts))

    def __str__(self) -> str:
        return self.render()

    def render(self, heredoc: bool = True) -> str:
        if heredoc and can_be_heredoc(self.literal_text()):
            return _heredoc(self.template_text(), 0)
        return '"' + self.template_text(_quoted_body) + '"'

    def template_text(self, escape: Callable[[str], str] = lambda text: text) -> str:
        """The HCL template body: literal parts escaped, references as `${...}`.

        Adjacent literals are joined before escaping, so a `$` ending one and a `{`
        starting the next cannot meet as `${`; `$`s right before a reference are written
        `${"$"}`, since `$${` would turn the reference into literal text.
        """
        parts = _merged(self.parts)
        out: list[str] = []
        for index, part in enumerate(parts):
            if isinstance(part, Raw):
                out.append("${" + part.text + "}")
                continue
            literal = escape_template_sequences(part)
            dollars = len(literal) - len(literal.rstrip("$"))
            if dollars and index + 1 < len(parts):  # a reference follows
                out.append(escape(literal[:-dollars]) + '${"' + "$" * dollars + '"}')
            else:
                out.append(escape(literal))
        return "".join(out)

    def literal_text(self, placeholder: str = "") -> str:
        return "".join(placeholder if isinstance(part, Raw) else part for part in self.parts)


def _merged(parts: Sequence[str | Raw]) -> list[str | Raw]:
    merged: list[str | Raw] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        elif part != "":
            merged.append(part)
    return merged


def interpolated(parts: Sequence[str | Raw]) -> str | Interpolated:
    """Merge adjacent literals; plain text stays a plain `str`."""
    merged = _merged(parts)
    if all(isinstance(part, str) for part in merged):
        return "".join(str(part) for part in merged)
    return Interpolated(tuple(merged))


# ---- values only Terraform knows (jobspec variables that became module inputs) ----


def _symbolic_parts(parts: Sequence[str | Raw]) -> tuple[str | Raw, ...]:
    """Literal parts with markers (see `generator.hcl.unknowns`) split into references."""
    out: list[str | Raw] = []
    for part in parts:
        if isinstance(part, Raw):
            out.append(part)
            continue
        for piece in unknowns.split(part):
            out.append(TerraformExpression(piece.text) if isinstance(piece, TfExpr) else piece)
    return tuple(out)


def symbolic(text: str) -> str | Raw | Interpolated:
    """A string with markers: the expression alone, or a template of text and `${...}`."""
    parts = _symbolic_parts((text,))
    if len(parts) == 1 and isinstance(parts[0], Raw):
        return parts[0]
    return interpolated(list(parts))


def hcl_expression(value: object) -> str:
    """`value` as one Terraform expression on one line (a function argument, an operand)."""
    value = lowered(value)
    if isinstance(value, str) and "\n" in value and unknowns.NONCE not in value:
        return hcl_string(value)
    if isinstance(value, str) and unknowns.NONCE in value:
        rendered = symbolic(value)
        if isinstance(rendered, Interpolated):
            return (
                '"'
                + "".join(
                    "${" + part.text + "}" if isinstance(part, Raw) else hcl_string(part)[1:-1]
                    for part in rendered.parts
                )
                + '"'
            )
        return str(rendered)
    if isinstance(value, Mapping):
        items = ", ".join(f"{hcl_key(str(k))} = {hcl_expression(v)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(hcl_expression(item) for item in value) + "]"
    return hcl_value(value)

"""Values known only when Terraform runs: jobspec variables that become module inputs.

A jobspec variable without a value evaluates to a `TfExpr`, the Terraform
expression that stands for it (`var.elastic_version`). Operations over it that
Terraform can do itself stay expressions (`upper(var.x)`, `"${var.x}-web"`).
When the evaluated tree is built, a `TfExpr` becomes a *marker* inside an
ordinary string: `\\0<nonce><id>\\0`, so it survives every string operation of
the translation. The renderer (`generator/render/hcl_values.py`) turns markers
back into `${...}` interpolations; a marker found anywhere else in the output
means the generator used the value for something it must know (a name, a
number), which `stray_unknowns` reports.

Where the evaluator itself must know the value (a count, a `for_each`, a map
key, a condition that picks a template branch) it raises `NeedsValue`, which is
not an `EvalError`: `try()` and `can()` must not swallow it.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

# Distinct per process: a jobspec cannot contain a marker that was never handed out.
NONCE = secrets.token_hex(8)
_MARKER = re.compile("\x00" + NONCE + r"(\d+)\x00")

# Terraform 1.x built-in functions (developer.hashicorp.com/terraform/language/functions).
# Nomad's jobspec2 functions are cty's, like Terraform's; `regex_replace`, `strlen`
# and `uuidv4` are Nomad's alone.
TERRAFORM_FUNCTIONS = frozenset(
    [
        "abs",
        "ceil",
        "floor",
        "log",
        "max",
        "min",
        "parseint",
        "pow",
        "signum",
        "chomp",
        "endswith",
        "format",
        "formatlist",
        "indent",
        "join",
        "lower",
        "regex",
        "regexall",
        "replace",
        "split",
        "startswith",
        "strcontains",
        "strrev",
        "substr",
        "templatestring",
        "title",
        "trim",
        "trimprefix",
        "trimsuffix",
        "trimspace",
        "upper",
        "alltrue",
        "anytrue",
        "chunklist",
        "coalesce",
        "coalescelist",
        "compact",
        "concat",
        "contains",
        "distinct",
        "element",
        "flatten",
        "index",
        "keys",
        "length",
        "lookup",
        "matchkeys",
        "merge",
        "one",
        "range",
        "reverse",
        "setintersection",
        "setproduct",
        "setsubtract",
        "setunion",
        "slice",
        "sort",
        "sum",
        "transpose",
        "values",
        "zipmap",
        "base64decode",
        "base64encode",
        "base64gzip",
        "csvdecode",
        "jsondecode",
        "jsonencode",
        "textdecodebase64",
        "textencodebase64",
        "urlencode",
        "yamldecode",
        "yamlencode",
        "abspath",
        "dirname",
        "pathexpand",
        "basename",
        "file",
        "fileexists",
        "fileset",
        "filebase64",
        "templatefile",
        "formatdate",
        "plantimestamp",
        "timeadd",
        "timecmp",
        "timestamp",
        "base64sha256",
        "base64sha512",
        "bcrypt",
        "filebase64sha256",
        "filebase64sha512",
        "filemd5",
        "filesha1",
        "filesha256",
        "filesha512",
        "md5",
        "rsadecrypt",
        "sha1",
        "sha256",
        "sha512",
        "uuid",
        "uuidv5",
        "cidrhost",
        "cidrnetmask",
        "cidrsubnet",
        "cidrsubnets",
        "can",
        "issensitive",
        "nonsensitive",
        "sensitive",
        "tobool",
        "tolist",
        "tomap",
        "tonumber",
        "toset",
        "tostring",
        "try",
        "type",
    ]
)


@dataclass(frozen=True)
class TfExpr:
    """A Terraform expression and the jobspec variables it depends on."""

    text: str
    variables: tuple[str, ...]


class NeedsValue(Exception):
    """The evaluator needs the concrete value of a variable only Terraform will know."""

    def __init__(self, variables: tuple[str, ...], use: str = "") -> None:
        super().__init__(f"{', '.join(variables)}: {use}")
        self.variables = variables
        self.use = use


_by_id: list[TfExpr] = []
_ids: dict[TfExpr, int] = {}


def marker(expr: TfExpr) -> str:
    """The text that stands for `expr` inside a string."""
    if expr not in _ids:
        _ids[expr] = len(_by_id)
        _by_id.append(expr)
    return f"\x00{NONCE}{_ids[expr]}\x00"


def split(text: str) -> list[str | TfExpr]:
    """`text` as literal pieces and the expressions its markers stand for."""
    parts: list[str | TfExpr] = []
    position = 0
    for match in _MARKER.finditer(text):
        if match.start() > position:
            parts.append(text[position : match.start()])
        parts.append(_by_id[int(match.group(1))])
        position = match.end()
    if position < len(text):
        parts.append(text[position:])
    return parts


def has_unknown(value: object) -> bool:
    if isinstance(value, TfExpr):
        return True
    if isinstance(value, str):
        return NONCE in value
    if isinstance(value, list | tuple):
        return any(has_unknown(item) for item in value)
    if isinstance(value, dict):
        return any(has_unknown(k) or has_unknown(v) for k, v in value.items())
    return False


def variables_in(value: object) -> tuple[str, ...]:
    """The jobspec variables the unknown parts of `value` depend on, in order of use."""
    found: list[str] = []

    def add(names: tuple[str, ...]) -> None:
        found.extend(name for name in names if name not in found)

    def walk(item: object) -> None:
        if isinstance(item, TfExpr):
            add(item.variables)
        elif isinstance(item, str) and NONCE in item:
            for part in split(item):
                if isinstance(part, TfExpr):
                    add(part.variables)
        elif isinstance(item, list | tuple):
            for element in item:
                walk(element)
        elif isinstance(item, dict):
            for key, element in item.items():
                walk(key)
                walk(element)

    walk(value)
    return tuple(found)


def to_tree(expr: TfExpr) -> str:
    return marker(expr)


_QUOTED_MARKER = re.compile(r"(?:\x00|\\x00)" + NONCE + r"(\d+)(?:\x00|\\x00)")


# What is left of a marker that a shortened quote cut (`'{{range $x}}\\n - \\x00423a'`).
_CUT_MARKER = re.compile(r"(?:\x00|\\x00)([0-9a-f]*)(?:\x00|\\x00)?")


def _nonce_part(hexits: str) -> bool:
    """The nonce cut short, or the nonce and the start of a marker's number."""
    return NONCE.startswith(hexits) or hexits.startswith(NONCE)


def shown(text: str) -> str:
    """`text` for people: each marker (also as `repr` writes it) as the `${...}` it stands for;
    a marker a shortened quote cut reads `${...}`."""
    if "\x00" not in text and "\\x00" not in text:
        return text
    text = _QUOTED_MARKER.sub(lambda match: "${" + _by_id[int(match.group(1))].text + "}", text)
    return _CUT_MARKER.sub(
        lambda match: "${...}" if _nonce_part(match.group(1)) else match.group(0), text
    )


def expression(value: object) -> TfExpr:
    """Any value with unknown parts as one Terraform expression."""
    from generator.render.hcl_values import hcl_expression

    return TfExpr(hcl_expression(value), variables_in(value))


def stray_markers(text: str) -> tuple[str, ...]:
    """Variables whose markers (or what is left of them) appear in rendered text."""
    if NONCE not in text:
        return ()
    found: list[str] = []
    for match in re.finditer(NONCE + r"(\d+)", text):
        for name in _by_id[int(match.group(1))].variables:
            if name not in found:
                found.append(name)
    return tuple(found)


# ---- module variable names ---------------------------------------------------

# Names Terraform refuses for a variable, and the module's own inputs.
_RESERVED = frozenset(
    ["source", "version", "providers", "count", "for_each", "lifecycle", "depends_on", "locals"]
)
_MODULE_OWN = re.compile(
    r"^(?:namespace|image_tag|\w+_image_tag|(?:\w+_)?hostnames?|schedule(?:_\d+)?)$"
)
_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
PREFIX = "job_"


def module_variable_name(name: str) -> str:
    """The module input for jobspec variable `name`: `job_<name>` where `name` is taken."""
    if _RESERVED.__contains__(name) or _MODULE_OWN.match(name) or not _IDENTIFIER.match(name):
        candidate = PREFIX + re.sub(r"[^A-Za-z0-9_-]", "_", name)
        return candidate
    return name
